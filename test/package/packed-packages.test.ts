/**
 * The two packages as users get them: `npm pack --workspaces --include-workspace-root` (each `prepack` builds), then
 * each installed into a fresh project from its tarball.
 * - The client alone (`@meta-media-openapi/client`): the install runs nothing (no install script, no native build),
 *   node_modules holds at most 5 packages, and a strict TypeScript script type-checks against the installed
 *   declarations and runs against the reference server on Node 20 and on Node 24; the README it ships type-checks.
 * - The tool (`meta-media-openapi`) with the client: the client is installed once (the tool's tarball carries no copy),
 *   `npx meta-media-openapi --help` answers, the emulator imports, and from a read-only install `serve`, `api-docs`,
 *   `mock`, `lint` and `test --target <that server> --junit` work without writing a byte into node_modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceTarget, type ClientTarget } from "../support/client-target.ts";
import { freePort } from "../../conformance/free-port.ts";
import { tinyPng } from "../../conformance/media-files.ts";
import { parseJunit } from "../support/tool-process.ts";
import { type StartedProcess, startProcess } from "../support/start-process.ts";
import { tsBlocks } from "../support/readme-section.ts";
import {
  freshProject,
  installedPackages,
  nodeBinary,
  npm,
  packBoth,
  removeNodeBinaries,
  repo,
  run,
  tarballFiles,
  tsc,
  type Tarballs,
} from "../support/package-project.ts";

const CLIENT = "@meta-media-openapi/client";

// The client consumer: every line type-checked against the installed declarations. The @ts-expect-error lines fail
// the compilation if the types ever degrade to `any`. No Buffer: the PNG comes through atob, as in a browser.
const clientScript = `
import {
  createMessengerClient,
  createWhatsAppClient,
  MessengerApiError,
  saveMediaToFile,
  WhatsAppApiError,
  whatsAppErrorCatalogue,
} from "@meta-media-openapi/client";
import type { components, paths } from "@meta-media-openapi/client/types";
import spec from "@meta-media-openapi/client/openapi.json" with { type: "json" };
import whatsappSpec from "@meta-media-openapi/client/whatsapp.openapi.json" with { type: "json" };
import messengerSpec from "@meta-media-openapi/client/messenger.openapi.json" with { type: "json" };
import messengerFilesSpec from "@meta-media-openapi/client/messenger.multipart.openapi.json" with { type: "json" };
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const env = process.env as Record<string, string>;
const wa = createWhatsAppClient({ baseUrl: env.WA_URL!, username: env.WA_USER!, password: env.WA_PASSWORD! });

const settings: components["schemas"]["ApplicationSettings"] = (await wa.getApplicationSettings()).settings.application;
// @ts-expect-error unknown setting
const rejected = await wa.updateApplicationSettings({ no_such_setting: true }).catch((e: unknown) => e);
// @ts-expect-error not a MIME type (no subtype)
void (() => wa.uploadMedia(new Blob([]), "gif"));

const id: string = await wa.uploadMedia(new Blob(["hello from the client package"]), "text/plain");
const media = await wa.downloadMedia(id);
const text = await new Response(media.stream).text();
await wa.deleteMedia(id);
const gone = await wa.downloadMedia(id).catch((e: unknown) => e);

// The Node-only helpers: a file path as the body, and a download saved to a file.
const folder = await mkdtemp(path.join(os.tmpdir(), "client-consumer-"));
await writeFile(path.join(folder, "in.txt"), "from a file path");
const fileId = await wa.uploadMedia(path.join(folder, "in.txt"), "text/plain");
const saved = await saveMediaToFile(await wa.downloadMedia(fileId), path.join(folder, "out.txt"));
const savedText = await readFile(path.join(folder, "out.txt"), "utf8");
await wa.deleteMedia(fileId);
await rm(folder, { recursive: true });

const messenger = createMessengerClient({
  accessToken: env.PAGE_TOKEN!,
  pageId: env.PAGE_ID!,
  baseUrl: env.GRAPH_URL!,
  appSecret: env.APP_SECRET!,
});
const pngBytes = Uint8Array.from(atob(env.PNG_BASE64!), (c) => c.charCodeAt(0));
const png = new Blob([pngBytes], { type: "image/png" });
const uploaded = await messenger.uploadAttachmentFile(png, "pixel.png", "image", { isReusable: true });
const sent = await messenger.sendAttachment("1254459154682919", { attachmentId: uploaded.attachment_id });
const badSend = await messenger
  .sendAttachment("1254459154682919", { attachmentId: "999999999999", type: "image" })
  .catch((e: unknown) => e);

const mediaPath: keyof paths = "/v1/media";
console.log(
  JSON.stringify({
    node: process.versions.node.split(".")[0],
    waId: settings.wa_id,
    rejected: rejected instanceof WhatsAppApiError ? rejected.status : null,
    text,
    contentType: media.contentType,
    gone: gone instanceof WhatsAppApiError ? [gone.status, gone.is(whatsAppErrorCatalogue.notFound)] : null,
    saved: [saved, savedText],
    attachmentId: uploaded.attachment_id,
    messageId: sent.message_id,
    badSend: badSend instanceof MessengerApiError ? [badSend.status, badSend.code, badSend.subcode] : null,
    openapi: spec.openapi,
    familyServers: [whatsappSpec.servers[0]?.url, messengerSpec.servers[0]?.url, messengerFilesSpec.servers[0]?.url],
    mediaPath,
  }),
);
`;

// The tool's consumer: the emulator from the tool, the clients from the client package, both installed together.
const emulatorScript = `
import { createMessengerClient, createWhatsAppClient } from "@meta-media-openapi/client";
import { createEmulator } from "meta-media-openapi/emulator";

const emulator = createEmulator({ adminPassword: "Emu1ator!pass" });
const [page, token] = Object.entries(emulator.pages)[0]!;
const local = { baseUrl: "http://emulator.local", fetch: emulator.fetch };
const wa = createWhatsAppClient({ ...local, username: "admin", password: "Emu1ator!pass" });
const id = await wa.uploadMedia(new Blob(["in memory"]), "text/plain");
const text = await new Response((await wa.downloadMedia(id)).stream).text();
const messenger = createMessengerClient({ ...local, accessToken: token, pageId: page });
const png = new Blob([Uint8Array.from(atob(process.env.PNG_BASE64!), (c) => c.charCodeAt(0))], { type: "image/png" });
const uploaded = await messenger.uploadAttachmentFile(png, "pixel.png", "image", { isReusable: true });
await emulator.close();
console.log(JSON.stringify([text, uploaded.attachment_id]));
`;

/** A strict NodeNext tsconfig for `files`, typed with this repository's @types/node. */
function consumerTsconfig(files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      resolveJsonModule: true,
      skipLibCheck: false,
      outDir: "out",
      types: ["node"],
      typeRoots: [path.join(repo, "node_modules", "@types")],
    },
    files,
  });
}

/** Compiles the project with tsc; the compiler's complaints are the assertion's message. */
async function typeCheck(project: string): Promise<string> {
  const compiled = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).catch((err: Error) => ({
    stdout: err.message,
    stderr: "",
  }));
  return `${compiled.stdout}${compiled.stderr}`;
}

const pngBase64 = Buffer.from(tinyPng()).toString("base64");

let work: string;
let tarballs: Tarballs;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mmo-packages-"));
  tarballs = await packBoth(work);
}, 600_000);
afterAll(async () => {
  // The read-only test leaves node_modules without write permission: give it back so it can be removed.
  if (work) await run("chmod", ["-R", "u+w", work]).catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
  await removeNodeBinaries();
});

describe("the tarballs", () => {
  it("carry one version, their LICENSE and README, and the tool no copy of the client", async () => {
    const root = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as { version: string };
    expect(path.basename(tarballs.client)).toBe(`meta-media-openapi-client-${root.version}.tgz`);
    expect(path.basename(tarballs.tool)).toBe(`meta-media-openapi-${root.version}.tgz`);

    const client = await tarballFiles(tarballs.client);
    expect(client).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/lib/index.js"]));
    expect(client).toEqual(expect.arrayContaining(["dist/lib/index.d.ts", "dist/generated/openapi.d.ts"]));
    for (const bundle of ["openapi", "whatsapp.openapi", "messenger.openapi", "messenger.multipart.openapi"]) {
      expect(client).toContain(`dist/generated/${bundle}.json`);
    }
    // Only the build: no sources, no build settings, no stamp.
    expect(client.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/(lib|generated)\/.+)$/.test(f))).toEqual([]);
    expect(client.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false);

    const tool = await tarballFiles(tarballs.tool);
    expect(tool).toContain("LICENSE");
    const docs = ["index.html", "openapi.yaml", "whatsapp.openapi.yaml", "messenger.openapi.yaml", "build-stamp.json"];
    for (const name of docs) {
      expect(tool).toContain(`dist/api-docs/${name}`);
    }
    expect(tool.filter((f) => /(^|\/)client\/|whatsapp-client|messenger-client/.test(f))).toEqual([]);
  });
});

describe("the client package installed alone", () => {
  let target: ClientTarget;
  let project: string;
  let installOutput: string;

  beforeAll(async () => {
    target = await referenceTarget();
    project = await freshProject(work, "client-consumer");
    // A plain install, scripts allowed and shown: the assertions below prove there was nothing to run.
    const { stdout, stderr } = await run(
      npm,
      ["install", tarballs.client, "--no-audit", "--no-fund", "--foreground-scripts", "--loglevel", "info"],
      { cwd: project },
    );
    installOutput = `${stdout}${stderr}`;
  }, 600_000);
  afterAll(async () => {
    await target?.close();
  });

  it("installs at most 5 packages and runs nothing: no install script, no native build", async () => {
    const packages = await installedPackages(path.join(project, "node_modules"));
    expect(packages.map((p) => p.name).sort()).toEqual([CLIENT, "openapi-fetch", "openapi-typescript-helpers"]);
    expect(packages.length).toBeLessThanOrEqual(5);
    expect(packages.filter((p) => p.installScripts.length > 0 || p.bindingGyp)).toEqual([]);
    expect(installOutput).not.toMatch(/gyp|install-scripts|> .* (preinstall|install|postinstall)/i);
    const manifest = JSON.parse(await readFile(path.join(project, "node_modules", CLIENT, "package.json"), "utf8"));
    expect(manifest.dependencies).toEqual({ "openapi-fetch": expect.any(String) });
    expect(manifest.sideEffects).toBe(false);
  });

  it("ships code a browser bundle can take: no node: import, no Buffer, no Node types", async () => {
    const lib = path.join(project, "node_modules", CLIENT, "dist", "lib");
    const files = (await readdir(lib, { recursive: true })).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const code = await readFile(path.join(lib, file), "utf8");
      expect(code, file).not.toMatch(/from\s+["']node:|import\(["']node:|require\(|\bBuffer\b|\bNodeJS\./);
    }
  });

  /**
   * One compilation for the consumer script and the README's examples (a tsc run checks @types/node and the client's
   * declarations again each time): its complaints, by file.
   */
  let compiled: Promise<string> | undefined;
  const complaintsAbout = async (files: string[]) => {
    compiled ??= (async () => {
      const readme = await readFile(path.join(project, "node_modules", CLIENT, "README.md"), "utf8");
      const blocks = tsBlocks(readme);
      const examples = blocks.map((_, i) => `readme-${i + 1}.ts`);
      await writeFile(path.join(project, "consumer.ts"), clientScript);
      await Promise.all(blocks.map((code, i) => writeFile(path.join(project, examples[i]!), `${code}\nexport {};\n`)));
      await writeFile(path.join(project, "tsconfig.json"), consumerTsconfig(["consumer.ts", ...examples]));
      return typeCheck(project);
    })();
    const output = await compiled;
    // A complaint starts with the file it is about (`consumer.ts(3,7): error ...`), its indented lines follow; one
    // about another file of the project is the other test's; anything else (the client's declarations, a crash)
    // concerns both.
    const complaints: string[][] = [];
    for (const line of output.split("\n").filter((l) => l.trim() !== "")) {
      if (/^\s/.test(line) && complaints.length > 0) complaints.at(-1)!.push(line);
      else complaints.push([line]);
    }
    const projectFile = /^([\w.-]+\.ts)\(\d+,\d+\)/;
    return complaints
      .filter(([first]) => {
        const file = projectFile.exec(first!)?.[1];
        return file === undefined || files.includes(file);
      })
      .map((lines) => lines.join("\n"))
      .join("\n");
  };

  it("type-checks a strict consumer script and runs it on Node 20 and Node 24", { timeout: 600_000 }, async () => {
    expect(await complaintsAbout(["consumer.ts"])).toBe("");

    const env = {
      ...process.env,
      WA_URL: target.whatsAppBaseUrl,
      WA_USER: target.admin.username,
      WA_PASSWORD: target.admin.password,
      GRAPH_URL: target.graphBaseUrl,
      PAGE_ID: target.pageId,
      PAGE_TOKEN: target.pageToken,
      APP_SECRET: target.appSecret,
      PNG_BASE64: pngBase64,
    };
    for (const major of [20, 24]) {
      const node = await nodeBinary(major);
      const { stdout } = await run(node, [path.join(project, "out", "consumer.js")], { cwd: project, env });
      expect(JSON.parse(stdout.trim().split("\n").at(-1)!), `Node ${major}`).toEqual({
        node: String(major),
        waId: expect.stringMatching(/^\d+$/),
        rejected: 400,
        text: "hello from the client package",
        contentType: expect.stringMatching(/^text\/plain/),
        gone: [404, true],
        saved: ["from a file path".length, "from a file path"],
        attachmentId: expect.stringMatching(/^\d+$/),
        messageId: expect.any(String),
        badSend: [400, 100, 2018074],
        openapi: "3.1.0",
        familyServers: [
          "https://{host}:{port}",
          "https://graph.facebook.com/{version}",
          "https://graph.facebook.com/{version}",
        ],
        mediaPath: "/v1/media",
      });
    }
  });

  it("ships a README whose examples type-check against the installed package", { timeout: 120_000 }, async () => {
    const readme = await readFile(path.join(project, "node_modules", CLIENT, "README.md"), "utf8");
    expect(readme).toContain(`npm install ${CLIENT}`);
    const blocks = tsBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(await complaintsAbout(blocks.map((_, i) => `readme-${i + 1}.ts`))).toBe("");
  });
});

describe("the tool installed with the client", () => {
  let project: string;

  beforeAll(async () => {
    project = await freshProject(work, "tool-consumer");
    // The tool's dependencies come from the npm cache this repository was installed from; install scripts are skipped
    // (better-sqlite3's native build takes a minute and a half: the read-only test copies the repository's binding).
    await run(
      npm,
      ["install", tarballs.client, tarballs.tool, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
      { cwd: project },
    );
  }, 600_000);

  it("holds the client package once, at the tool's version", async () => {
    const packages = await installedPackages(path.join(project, "node_modules"));
    const clients = packages.filter((p) => p.name === CLIENT);
    const tool = packages.find((p) => p.name === "meta-media-openapi");
    const where = clients.map((p) => path.relative(project, p.dir));
    expect(where).toEqual([path.join("node_modules", "@meta-media-openapi", "client")]);
    expect(clients[0]!.version).toBe(tool!.version);
    const toolManifest = JSON.parse(await readFile(path.join(tool!.dir, "package.json"), "utf8"));
    expect(toolManifest.dependencies[CLIENT]).toBe(tool!.version);
  });

  it("answers npx meta-media-openapi --help", async () => {
    const { stdout } = await run("npx", ["--no-install", "meta-media-openapi", "--help"], { cwd: project });
    expect(stdout).toMatch(/^Usage: meta-media-openapi <command>/);
    for (const command of ["serve", "mock", "api-docs", "lint", "test"]) {
      expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("imports the emulator and drives it with the client package", { timeout: 120_000 }, async () => {
    const dir = path.join(project, "emulator-check");
    await mkdir(dir);
    await writeFile(path.join(dir, "emulated.ts"), emulatorScript);
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    await writeFile(path.join(dir, "tsconfig.json"), consumerTsconfig(["emulated.ts"]));
    expect(await typeCheck(dir)).toBe("");
    const { stdout } = await run(process.execPath, [path.join(dir, "out", "emulated.js")], {
      cwd: dir,
      env: { ...process.env, PNG_BASE64: pngBase64 },
    });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual(["in memory", expect.stringMatching(/^\d{16}$/)]);
  });

  const readOnly =
    "runs serve, api-docs, mock, lint and test --target --junit from a read-only install, writing nothing";
  it(readOnly, { timeout: 600_000 }, async () => {
    const nodeModules = path.join(project, "node_modules");
    // The native module is what `npm install` would compile from the same source with the same Node: copied from the
    // repository's own build instead of compiled again (a minute and a half). That is the one this Node loads:
    // better-sqlite3 finds it through `bindings`, in build/Release/ or else compiled/<Node version>/<platform>/<arch>/
    // (where .ci/run keeps one per Node, so that Node 20 and Node 24 legs can run at once).
    const candidates = [
      path.join("better-sqlite3", "build", "Release", "better_sqlite3.node"),
      path.join(
        "better-sqlite3",
        "compiled",
        process.versions.node,
        process.platform,
        process.arch,
        "better_sqlite3.node",
      ),
    ];
    const binding = candidates.find((candidate) => existsSync(path.join(repo, "node_modules", candidate)));
    expect(binding, `no better_sqlite3.node for Node ${process.versions.node}`).toBeDefined();
    const version = async (root: string) => {
      const manifest = await readFile(path.join(root, "better-sqlite3", "package.json"), "utf8");
      return (JSON.parse(manifest) as { version: string }).version;
    };
    expect(await version(nodeModules)).toBe(await version(path.join(repo, "node_modules")));
    await mkdir(path.dirname(path.join(nodeModules, binding!)), { recursive: true });
    await copyFile(path.join(repo, "node_modules", binding!), path.join(nodeModules, binding!));

    const user = toolUser();
    await chmod(work, 0o755);
    const home = await mkdtemp(path.join(work, "run-"));
    if (user) await chown(home, user.uid, user.gid);
    await run("chmod", ["-R", "a-w", nodeModules]);
    const before = await tree(nodeModules);

    const bin = path.join(nodeModules, ".bin", "meta-media-openapi");
    // Nothing from this process's environment (API_DOCS_DIR, XDG_CACHE_HOME...): a home that does not exist, so no
    // cache folder can be made either, and the `node` on PATH is the one running this suite (the Node 24 leg's too).
    const env = {
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: path.join(home, "no-such-home"),
      WA_ADMIN_PASSWORD: "Read-0nly-Install!",
      MESSENGER_PAGES: JSON.stringify({ "1234567890": "read-only-page-token" }),
    };
    const options = { cwd: home, env, ...user };
    const tool = (args: string[]) => run(bin, args, options);

    const port = await freePort();
    const serveArgs = ["serve", "--port", String(port), "--data-dir", path.join(home, "data")];
    const serve = await startTool(bin, serveArgs, /listening on/, options);
    try {
      const base = `http://127.0.0.1:${port}`;
      const docs = await fetch(`${base}/docs`);
      expect(docs.status, serve.output()).toBe(200);
      const page = await docs.text();
      expect(page).toContain("Redoc");
      expect(page).toContain(base);
      expect(page).not.toContain("127.0.0.1:8080");
      const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { servers: Array<{ url: string }> };
      expect(spec.servers.map((s) => s.url)).toContain(base);
      for (const p of ["/openapi.yaml", "/messenger.openapi.yaml"]) {
        const res = await fetch(`${base}${p}`);
        expect(res.status, p).toBe(200);
        expect(await res.text(), p).toContain(`${base}`);
      }
      expect(serve.output()).not.toMatch(/Built the API docs|could not be built/);

      // The whole suite, both families, against the installed server (fuzzing and stateful runs kept short).
      const report = path.join(home, "r.xml");
      const conformance = await tool([
        "test",
        "--target",
        base,
        "--wa-password",
        env.WA_ADMIN_PASSWORD,
        "--page-id",
        "1234567890",
        "--page-token",
        "read-only-page-token",
        "--runs",
        "10",
        "--stateful-runs",
        "2",
        "--seed",
        "15",
        "--junit",
        report,
      ]);
      expect(conformance.stdout).toMatch(/downloadMedia/);
      const suites = parseJunit(await readFile(report, "utf8"));
      expect(
        suites.reduce((n, suite) => n + suite.failures, 0),
        conformance.stdout,
      ).toBe(0);
      expect(suites.find((suite) => suite.name === "scenarios")!.cases.length).toBeGreaterThan(40);
    } finally {
      expect(await serve.stop()).toBe(0);
    }

    const shipped = await tool(["api-docs"]);
    expect(shipped.stdout).toContain("shipped with the package are up to date");
    const out = path.join(home, "api-docs");
    await tool(["api-docs", "--out", out]);
    expect((await readFile(path.join(out, "index.html"), "utf8")).length).toBeGreaterThan(100_000);
    await tool(["lint"]);

    const mockPort = await freePort();
    const mock = await startTool(bin, ["mock", "--port", String(mockPort)], /Prism is listening/, options);
    try {
      const login = await fetch(`http://127.0.0.1:${mockPort}/v1/users/login`, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from("admin:S3cret-pass!").toString("base64")}` },
      });
      expect(login.status).toBe(200);
    } finally {
      await mock.stop();
    }

    expect(await tree(nodeModules)).toEqual(before);
  });
});

const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Who runs the tool in the read-only test: `nobody` when this suite runs as root (root writes through any
 * permission bit, so `chmod a-w` alone would prove nothing), else this user. Either way the test also compares every
 * entry of node_modules (directory times included) before and after.
 */
function toolUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return spawnSync(process.execPath, ["-e", "0"], NOBODY).status === 0 ? NOBODY : undefined;
}

/** Every entry under `dir` with its mode, size and modification time: any write, creation or removal shows. */
async function tree(dir: string): Promise<string[]> {
  const entries: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const info = await lstat(folder);
    entries.push(`${path.relative(dir, folder) || "."}/ ${info.mode.toString(8)} ${info.mtimeMs}`);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(file);
      } else {
        const stats = await lstat(file);
        entries.push(`${path.relative(dir, file)} ${stats.mode.toString(8)} ${stats.size} ${stats.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return entries;
}

/** Starts a long-running command of the tool and resolves once its output matches `ready`. */
function startTool(
  bin: string,
  args: string[],
  ready: RegExp,
  options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<StartedProcess> {
  return startProcess(bin, args, ready, { ...options, readyWithinMs: 90_000 });
}
