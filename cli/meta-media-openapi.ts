/**
 * `meta-media-openapi serve | mock | api-docs | lint | test`: the reference server, the Prism mock, the rendered API
 * reference, the spec linter and the conformance suite, usable from the installed package. Every file and tool is
 * found relative to this package, never to the caller's working directory.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { constants } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  buildApiDocs,
  apiDocsCacheDir,
  apiDocsStaleReason,
  ensureApiDocs,
  resolveApiDocsDir,
} from "../server/api-docs/api-docs-build.ts";
import type { SettingNames } from "../server/startup.ts";
import { bundlePath } from "../spec-model/openapi-document.ts";
import { packageBin, packageRoot } from "../spec-model/package-files.ts";
import { apiFamilies, type BundleScope } from "../spec-model/spec-bundles.ts";
import { writePrismBundle } from "./prism-bundle.ts";

const NAME = "meta-media-openapi";

const USAGE = `Usage: ${NAME} <command> [options]

Commands:
  serve     start the reference server (WhatsApp On-Premises media, users, settings; Messenger attachments), with the
            rendered API docs at /docs
  mock      start a Prism mock of the bundled spec (both API families, or one)
  api-docs  build the rendered API reference (index.html) and openapi.yaml (also under its former name, docs)
  lint      lint an OpenAPI description with this project's Redocly rules (default: this package's spec)
  test      run the conformance suite against a deployment (--target URL) or an in-process reference server

Options:
  -h, --help      show help (also after a command: ${NAME} serve --help)
  -v, --version   show the package version
`;

const HELP: Record<string, string> = {
  serve: `Usage: ${NAME} serve [--host HOST] [--port PORT] [--data-dir DIR] [--database-url URL] [--media-dir DIR]

Starts the reference server, building the API docs first when they are missing or older than the spec.

Options:
  --host HOST           address to listen on (default 127.0.0.1; env HOST)
  --port PORT           port to listen on, 0 for any free port (default 8080; env PORT)
  --data-dir DIR        where records and media are stored (default ./data; env DATA_DIR)
  --database-url URL    keep the records in PostgreSQL (postgres://user:password@host:5432/db; env DATABASE_URL)
                        instead of SQLite, so that several instances can share them
  --media-dir DIR       where the media and attachment files are stored (default: the data dir; env MEDIA_DIR):
                        with several instances, a folder every one of them mounts
  -h, --help            show this help

Other settings come from the environment: WA_ADMIN_PASSWORD (unset: admin / secret, changed at first login), WA_ID,
DATABASE_POOL_MAX, WA_MEDIA_MAX_BYTES, WA_MEDIA_VOLUME_MAX_BYTES, WA_LOGIN_MAX_FAILURES_PER_ADDRESS,
WA_LOGIN_MAX_FAILURES_PER_USER, WA_LOGIN_FAILURE_WINDOW_SECONDS (each WA_MEDIA_* and WA_LOGIN_* variable is also
read under its older name without WA_), WA_PASSWORD_HASH_COST (scrypt's cost, 10 to 16, default 14), MESSENGER_PAGES
({"<page id>":"<page access token>"}; unset: a development page is generated once per data directory or database),
MESSENGER_APP_SECRET, ATTACHMENT_FETCH_ALLOW, ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO, ATTACHMENT_FETCH_TIMEOUT_MS_OTHER,
API_DOCS_DIR (formerly DOCS_DIR, still read: where the rendered API docs are kept; unset: the API docs shipped with
the package, or the cache folder when they must be built: $XDG_CACHE_HOME/meta-media-openapi, else
~/.cache/meta-media-openapi). Nothing is ever written inside the package's own folder.

The served /openapi.json, its YAML and per-family twins and /docs name the origin each request reached (its Host
header, when it is a plain host[:port]) as the local reference server.
`,
  mock: `Usage: ${NAME} mock [--family whatsapp|messenger|all] [--host HOST] [--port PORT] [--dynamic] [--errors]

Starts Stoplight Prism as a mock of the bundled spec: answers from the spec's examples and validates requests.

Options:
  --family F    the API family to mock: whatsapp (whatsapp.openapi.json), messenger (messenger.openapi.json) or
                all (openapi.json, the default)
  --host HOST   address to listen on (default 127.0.0.1)
  --port PORT   port to listen on (default 4010)
  --dynamic     generate responses from the schemas instead of the examples
  --errors      turn request and response violations into error responses
  -h, --help    show this help
`,
  "api-docs": `Usage: ${NAME} api-docs [--out DIR] [--force]

Renders the API reference with Redocly (Redoc inlined: the page loads nothing from the internet) into DIR/index.html,
the bundle as YAML into DIR/openapi.yaml, and the per-family bundles as YAML beside it. Skips the work when they are up
to date. Its former name, docs, is still accepted.

Options:
  --out DIR     output folder (default: the folder the server serves /docs from: API_DOCS_DIR, else the API docs
                shipped with the package while they are current, else $XDG_CACHE_HOME/meta-media-openapi, or
                ~/.cache/meta-media-openapi; the package's own folder is never written)
  --force       rebuild even when up to date
  -h, --help    show this help
`,
  lint: `Usage: ${NAME} lint [FILE]

Lints FILE (an OpenAPI description, YAML or JSON) with this project's Redocly configuration (recommended-strict plus
camelCase operationIds, a 4xx response on every operation, an example on every JSON body). Without FILE, lints this
package's own spec. Exits non-zero when there are errors.

Options:
  -h, --help    show this help
`,
};

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** Runs a Node program and resolves with its exit code; Ctrl-C and SIGTERM are passed on to it. */
function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

const redoclyEnv = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      "media-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return help("serve");
  // Loaded only here: the other commands need none of the server.
  const { ENVIRONMENT_NAMES, runServer } = await import("../server/startup.ts");
  // A flag wins over its environment variable, and a fault at start names the one the user gave.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (values.host !== undefined) env.HOST = values.host;
  if (values.port !== undefined) env.PORT = values.port;
  if (values["data-dir"] !== undefined) env.DATA_DIR = values["data-dir"];
  if (values["database-url"] !== undefined) env.DATABASE_URL = values["database-url"];
  if (values["media-dir"] !== undefined) env.MEDIA_DIR = values["media-dir"];
  const names: SettingNames = {
    host: values.host !== undefined ? "--host" : ENVIRONMENT_NAMES.host,
    port: values.port !== undefined ? "--port" : ENVIRONMENT_NAMES.port,
    dataDir: values["data-dir"] !== undefined ? "--data-dir" : ENVIRONMENT_NAMES.dataDir,
    mediaDir: values["media-dir"] !== undefined ? "--media-dir" : ENVIRONMENT_NAMES.mediaDir,
    databaseUrl: values["database-url"] !== undefined ? "--database-url" : ENVIRONMENT_NAMES.databaseUrl,
  };
  try {
    const { built, reason, apiDocsDir } = await ensureApiDocs();
    if (built) console.log(`Built the API docs in ${apiDocsDir} (${reason})`);
  } catch (err) {
    // The server still answers the API; /docs explains how to build the API docs.
    console.warn(`Warning: the API docs could not be built: ${(err as Error).message}`);
  }
  // The server keeps the process alive while it serves; a fault at start exits with code 2 and one line.
  await runServer(env, names);
  return -1;
}

async function mock(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      family: { type: "string", default: "all" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "4010" },
      dynamic: { type: "boolean" },
      errors: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return help("mock");
  const scopes: readonly string[] = [...apiFamilies, "all"];
  if (!scopes.includes(values.family))
    throw new UsageError(`--family must be one of ${scopes.join(", ")}, not "${values.family}"`);
  const bundle = await writePrismBundle(values.family as BundleScope);
  const prismArgs = ["mock", bundle.path, "--host", values.host, "--port", values.port];
  if (values.dynamic) prismArgs.push("--dynamic");
  if (values.errors) prismArgs.push("--errors");
  try {
    return await runNode(packageBin("@stoplight/prism-cli", "prism"), prismArgs);
  } finally {
    await bundle.remove();
  }
}

async function apiDocs(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { out: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return help("api-docs");
  const where =
    values.out !== undefined ? { apiDocsDir: path.resolve(values.out), source: "--out" } : await resolveApiDocsDir();
  if (where.source === "shipped" && !values.force) {
    console.log(`The API docs shipped with the package are up to date: ${path.join(where.apiDocsDir, "index.html")}`);
    return 0;
  }
  // A forced rebuild of the shipped API docs goes to the cache folder, which the server then prefers.
  const apiDocsDir = where.source === "shipped" ? apiDocsCacheDir() : where.apiDocsDir;
  const reason = values.force ? "--force" : await apiDocsStaleReason({ apiDocsDir });
  if (reason === undefined) {
    console.log(`The API docs in ${apiDocsDir} are up to date (index.html, openapi.yaml)`);
    return 0;
  }
  await mkdir(apiDocsDir, { recursive: true });
  await buildApiDocs({ apiDocsDir });
  console.log(
    `Built the API docs (${reason}): ${path.join(apiDocsDir, "index.html")} and ` +
      `${path.join(apiDocsDir, "openapi.yaml")}`,
  );
  return 0;
}

async function lint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) return help("lint");
  if (positionals.length > 1) throw new UsageError("lint takes at most one FILE");
  const config = path.join(packageRoot, "redocly.yaml");
  const ownSpec = path.join(packageRoot, "spec", "openapi.yaml");
  const target =
    positionals[0] !== undefined ? path.resolve(positionals[0]) : existsSync(ownSpec) ? ownSpec : bundlePath;
  if (!existsSync(target)) throw new UsageError(`no such file: ${target}`);
  return runNode(
    packageBin("@redocly/cli", "redocly"),
    ["lint", target, "--config", config, "--format", "stylish"],
    redoclyEnv,
  );
}

async function test(args: string[]): Promise<number> {
  // The suite is loaded only for this command: the other commands start faster without it.
  const { parseTestOptions, testHelp, TestUsageError } = await import("../conformance/test-options.ts");
  let options: ReturnType<typeof parseTestOptions>;
  try {
    options = parseTestOptions(args);
  } catch (err) {
    if (err instanceof TestUsageError) {
      process.stderr.write(`${NAME} test: ${err.message} (see ${NAME} test --help)\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(testHelp(NAME));
    return 0;
  }
  const { runConformanceTest } = await import("../conformance/runner.ts");
  return runConformanceTest(options);
}

class UsageError extends Error {}

function help(command?: string): number {
  process.stdout.write(command ? HELP[command]! : USAGE);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { serve, mock, "api-docs": apiDocs, lint, test };
/** Former command names, still accepted. */
const COMMAND_ALIASES: Record<string, string> = { docs: "api-docs" };

/** Runs the command line; resolves with the exit code, or -1 when a server keeps running. */
export async function main(argv: string[]): Promise<number> {
  const [given, ...rest] = argv;
  const command = given === undefined ? undefined : (COMMAND_ALIASES[given] ?? given);
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    const topic = rest[0] === undefined ? undefined : (COMMAND_ALIASES[rest[0]] ?? rest[0]);
    if (command === "help" && topic === "test") return test(["--help"]);
    if (command === "help" && topic !== undefined && HELP[topic]) return help(topic);
    return help();
  }
  if (command === "--version" || command === "-v") {
    console.log(packageVersion());
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`${NAME}: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const code = (err as { code?: string }).code;
    if (err instanceof UsageError || code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${NAME} ${command}: ${(err as Error).message}\n\n${HELP[command]}`);
      return 2;
    }
    process.stderr.write(`${NAME} ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
