/**
 * docs/generate-a-client.md (the README's "Generate a client"), run as a reader would, for one generator (a file of
 * test/docs/generate-a-client/ each, so that the generators' registry installs run side by side): in an
 * empty folder holding a copy of the bundles of generated/, the page's setup, then the generator's section exactly as
 * shown: its `npm install` lines (packages from the npm registry; nothing of this repository's node_modules), its
 * files and its commands. Then `tsc --strict`, with the TypeScript the section installed, over the generated code and
 * the section's files; then the example against a fresh reference server, whose state is checked afterwards with this
 * package's own client rather than taken from the example's word.
 *
 * GENERATOR_NODES names further Nodes to run the section's commands, the type-check and the round trip on again, in the
 * same project (the registry install, which no Node version changes, is done once): comma-separated, each the path of
 * a `node` binary (.ci/run passes its Node 24) or a major version, which gets the npm registry's `node@<major>`
 * (test/support/package-project.ts's nodeBinary). The type-check runs again only when the generator wrote other
 * files there than on this Node: tsc's verdict depends on the files it reads, not on the Node it runs on.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessengerClient, createWhatsAppClient, WhatsAppApiError } from "../../client/index.ts";
import { tinyPng } from "../../conformance/media-files.ts";
import { referenceTarget } from "./client-target.ts";
import { nodeBinary, removeNodeBinaries } from "./package-project.ts";
import { quietNpm, readerTerminal } from "./reader-terminal.ts";
import { namedTsFiles, readmeSection, shellCommands } from "./readme-section.ts";

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");

/** The generators the page shows, by the heading of their section, and the example each section runs. */
export const generators = [
  { heading: "@hey-api/openapi-ts", generator: "@hey-api/openapi-ts", example: "hey-api-example.ts" },
  { heading: "orval", generator: "orval", example: "orval-example.ts" },
  { heading: "oazapfts", generator: "oazapfts", example: "oazapfts-example.ts" },
  {
    heading: "swagger-typescript-api",
    generator: "swagger-typescript-api",
    example: "swagger-typescript-api-example.ts",
  },
  { heading: "Kubb", generator: "@kubb/cli", example: "kubb-example.ts" },
  { heading: "openapi-zod-client", generator: "openapi-zod-client", example: "openapi-zod-client-example.ts" },
] as const;

/** The text of the `## <heading>` section of the page, up to the next one. */
export function subsection(section: string, heading: string): string {
  const start = section.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/generate-a-client.md has no "## ${heading}"`);
  const next = section.indexOf("\n## ", start + 1);
  return section.slice(start, next < 0 ? undefined : next);
}

/** The generators of the page's table (its first column: name, version, notes), with the version it names. */
export function tableVersions(section: string): Map<string, string> {
  const start = section.indexOf("| generator |");
  const rows = section.slice(start, section.indexOf("\n\n", start)).split("\n").slice(2);
  return new Map(rows.map((row) => row.split("|")[1]!.trim().split(" ").slice(0, 2) as [string, string]));
}

/** `name@x.y.z` (or `@scope/name@x.y.z`) arguments of `npm install` lines: the exact versions they pin. */
function exactPins(installs: string[]): Array<{ name: string; version: string }> {
  return installs
    .flatMap((line) => line.split(/\s+/))
    .map((word) => /^(@?[^@\s]+)@(\d+\.\d+\.\d+)$/.exec(word))
    .filter((m) => m !== null)
    .map((m) => ({ name: m[1]!, version: m[2]! }));
}

/** Runs a shell command of the page in `cwd`, in a reader's terminal; a failure carries its output. */
async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await exec("sh", ["-c", command], {
      cwd,
      env: readerTerminal({ NO_COLOR: "1", ...quietNpm, ...env }),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    });
    return stdout;
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`\`${command}\` failed:\n${stdout}\n${stderr}`);
  }
}

/** The installed version of a package of the project. */
async function installedVersion(project: string, name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(project, "node_modules", name, "package.json"), "utf8"));
  return (manifest as { version: string }).version;
}

const photo = tinyPng(8, 8, [20, 120, 220]);

/**
 * A digest of what the type-check reads of the project (names and bytes): tsconfig.json, src/ and the top folder's
 * .ts files (the generated code and the section's files); node_modules, which nothing here changes, aside.
 */
async function typeCheckedDigest(project: string): Promise<string> {
  const hash = createHash("sha256");
  const entries = await readdir(project, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(project, path.join(e.parentPath, e.name)))
    .filter((file) => {
      const parts = file.split(path.sep);
      return parts[0] === "src" || (parts.length === 1 && (file.endsWith(".ts") || file === "tsconfig.json"));
    })
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(await readFile(path.join(project, file)))
      .update("\0");
  return hash.digest("hex");
}

/** The Nodes of GENERATOR_NODES: binaries, or majors to install. */
const otherNodes = (process.env.GENERATOR_NODES ?? "")
  .split(",")
  .map((entry) => entry.trim())
  .filter((entry) => entry !== "");

/** A Node of GENERATOR_NODES, its major, and a reader's terminal whose `node` (so `npx`, `tsx`...) is that one. */
async function otherTerminal(entry: string): Promise<{ node: string; major: string; env: NodeJS.ProcessEnv }> {
  const node = /^[0-9]+$/.test(entry) ? await nodeBinary(Number(entry)) : path.resolve(entry);
  const { stdout } = await exec(node, ["--version"]);
  const major = /^v([0-9]+)\./.exec(stdout.trim())?.[1];
  if (!major) throw new Error(`GENERATOR_NODES: ${entry} is no Node (--version: ${stdout.trim()})`);
  return { node, major, env: { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}` } };
}

/** The tests of one generator's section: install and generate, type-check, the round trip. */
export function describeGenerator(heading: (typeof generators)[number]["heading"]): void {
  const g = generators.find((candidate) => candidate.heading === heading)!;
  let section: string;
  let setup: string[];
  let work: string;

  beforeAll(async () => {
    section = await readmeSection("generate");
    setup = shellCommands(subsection(section, "Set up"));
    work = await mkdtemp(path.join(os.tmpdir(), "mmo-generators-"));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
    await removeNodeBinaries();
  });

  describe(`docs/generate-a-client.md: ${g.heading}`, () => {
    let project: string;
    let commands: string[];
    let installs: string[];

    beforeAll(async () => {
      const text = subsection(section, g.heading);
      commands = shellCommands(text);
      installs = commands.filter((c) => c.startsWith("npm install"));
      project = path.join(work, g.heading.replace(/[@/]/g, "_"));
      await mkdir(path.join(project, "generated"), { recursive: true });
      for (const name of await readdir(path.join(repo, "generated"))) {
        if (name.endsWith(".openapi.json")) {
          await copyFile(path.join(repo, "generated", name), path.join(project, "generated", name));
        }
      }
      await writeFile(path.join(project, "photo.png"), photo);
      for (const { file, code } of namedTsFiles(text)) {
        await mkdir(path.dirname(path.join(project, file)), { recursive: true });
        await writeFile(path.join(project, file), code);
      }
    });

    it("installs from the npm registry what its npm install lines pin, and generates the client", {
      timeout: 600_000,
    }, async () => {
      for (const command of setup) await sh(command, project);
      expect(installs.length).toBeGreaterThan(0);
      // The generator at an exact version, TypeScript 5 (7 breaks @hey-api/openapi-ts), tsx and Node's types.
      const pins = exactPins(installs);
      expect(pins.map((p) => p.name)).toContain(g.generator);
      expect(tableVersions(section).get(g.heading), "the version in the table").toBe(
        pins.find((p) => p.name === g.generator)!.version,
      );
      for (const needed of ["typescript@5", "tsx", "@types/node"]) {
        expect(
          installs.some((line) => line.split(/\s+/).includes(needed)),
          needed,
        ).toBe(true);
      }
      const generation = commands.filter((c) => !c.includes(g.example));
      for (const command of generation) await sh(command, project);
      for (const pin of pins) expect(await installedVersion(project, pin.name), pin.name).toBe(pin.version);
      expect(await installedVersion(project, "typescript")).toMatch(/^5\./);
      const manifest = JSON.parse(await readFile(path.join(project, "package.json"), "utf8")) as { type?: string };
      expect(manifest.type).toBe("module");
    });

    /** tsc --strict over the generated code and the section's files, on `node`. */
    async function typeCheck(node: string): Promise<void> {
      await writeFile(
        path.join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: "ES2022",
            module: "ESNext",
            moduleResolution: "Bundler",
            lib: ["ES2023", "DOM", "DOM.Iterable"],
            types: ["node"],
            noEmit: true,
            // Only declaration files are skipped (the generators' own); the generated clients are .ts and checked.
            skipLibCheck: true,
          },
          include: ["src", "*.ts"],
        }),
      );
      // The project's own TypeScript, the one its npm install line chose.
      const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
      const result = await exec(node, [tsc, "-p", "tsconfig.json"], {
        cwd: project,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string }) => ({
        stdout: `tsc failed\n${err.stdout ?? ""}`,
        stderr: err.stderr ?? "",
      }));
      expect(`${result.stdout}${result.stderr}`).toBe("");
    }

    /** The section's example against a fresh reference server, in a terminal with `env`; then what the server holds. */
    async function roundTrip(env: NodeJS.ProcessEnv): Promise<void> {
      // The faithful default admin (admin / secret, changed at the
      // first login) and a page that requires appsecret_proof.
      const target = await referenceTarget({ env: { WA_ADMIN_PASSWORD: "" } });
      try {
        const newPassword = "Gener4ted-Client!";
        const run = commands.filter((c) => c.includes(g.example));
        expect(run).toEqual([`npx tsx ${g.example} photo.png`]);
        const stdout = await sh(run[0]!, project, {
          ...env,
          WA_BASE_URL: target.whatsAppBaseUrl,
          WA_USERNAME: "admin",
          WA_PASSWORD: "secret",
          WA_NEW_PASSWORD: newPassword,
          GRAPH_BASE_URL: `${target.graphBaseUrl}/${target.graphVersion}`,
          PAGE_ID: target.pageId,
          PAGE_ACCESS_TOKEN: target.pageToken,
          APP_SECRET: target.appSecret,
          IMAGE_URL: target.imageUrl,
          RECIPIENT_ID: "1254459154682919",
        });
        const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
          mediaId: string;
          sameBytes: boolean;
          waId: string;
          restartRequired: string[];
          attachments: string[];
          sent: string[];
        };
        expect(report).toEqual({
          mediaId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
          sameBytes: true,
          waId: expect.stringMatching(/^\d+$/),
          restartRequired: ["webhooks.max_concurrent_requests"],
          attachments: [expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)],
          sent: [expect.any(String), expect.any(String)],
        });
        expect(new Set(report.attachments).size).toBe(2);

        // What the server now holds, seen through this package's client: the new password, the PNG, the settings.
        const wa = createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, username: "admin", password: newPassword });
        const media = await wa.downloadMedia(report.mediaId);
        expect(media.contentType).toBe("image/png");
        expect(Buffer.from(await new Response(media.stream).arrayBuffer()).equals(Buffer.from(photo))).toBe(true);
        const { settings } = await wa.getApplicationSettings();
        expect(settings.application.webhooks.max_concurrent_requests).toBe(12);
        expect(settings.application.callback_backoff_delay_ms).toBe(5000);
        const oldPassword = createWhatsAppClient({
          baseUrl: target.whatsAppBaseUrl,
          username: "admin",
          password: "secret",
        });
        const refused = await oldPassword.getApplicationSettings().catch((err: unknown) => err);
        expect(refused).toBeInstanceOf(WhatsAppApiError);
        expect((refused as WhatsAppApiError).status).toBe(401);
        // Both attachments were stored as reusable attachments of this page: they can be sent again by id.
        const messenger = createMessengerClient({
          accessToken: target.pageToken,
          appSecret: target.appSecret,
          pageId: target.pageId,
          baseUrl: target.graphBaseUrl,
        });
        for (const attachmentId of report.attachments) {
          const again = await messenger.sendAttachment("1254459154682919", { attachmentId, type: "image" });
          expect(again.message_id).toEqual(expect.any(String));
        }
      } finally {
        await target.close();
      }
    }

    /** What the type-check on this Node read (typeCheckedDigest), once it passed. */
    let checkedDigest: string | undefined;
    it("type-checks the generated code and the files shown with tsc --strict", { timeout: 180_000 }, async () => {
      await typeCheck(process.execPath);
      checkedDigest = await typeCheckedDigest(project);
    });

    it("completes the round trip against the reference server", { timeout: 180_000 }, () => roundTrip({}));

    for (const entry of otherNodes) {
      it(`on the Node of GENERATOR_NODES ${entry}: generates again, type-checks new output, completes the round trip`, {
        timeout: 600_000,
      }, async () => {
        const { node, major, env } = await otherTerminal(entry);
        expect((await sh("node --version", project, env)).trim()).toMatch(new RegExp(`^v${major}\\.`));
        expect(major).not.toBe(process.versions.node.split(".")[0]);
        for (const command of commands.filter((c) => !c.includes(g.example) && !c.startsWith("npm install"))) {
          await sh(command, project, env);
        }
        // The same files as those type-checked on this Node would get the same verdict: tsc runs again on new ones.
        if (checkedDigest === undefined || (await typeCheckedDigest(project)) !== checkedDigest) await typeCheck(node);
        await roundTrip(env);
      });
    }
  });
}
