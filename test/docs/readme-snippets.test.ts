/**
 * Every ```ts, ```js and ```sh block of the README and of its pages under docs/ runs as pasted, in a fresh ES module
 * project, against `npm start` on a free port: the blocks are taken in order (the README's first), a TypeScript or
 * JavaScript block is saved under the name its first line gives (`// whatsapp-media.ts`), and a shell block is run in
 * the project folder. Blocks that cannot run alone say so with `<!-- snippet: fragment: <reason> -->`; the `npm
 * install` ones among them are run here, from the npm registry, but for this repository's packages: the client from
 * its packed tarball, the tool's emulator as a stand-in over this repository's code (see `runInstall`). A section
 * whose `<!-- snippets: run by <test> -->` line names another test (the first-run walkthrough, the generators) is
 * left to that test, which must read the section.
 *
 * What the README tells a reader is what this test does, on a first run: `npm start` without any allow-list for
 * attachment URLs, the admin password changed with step 1 of the first run, the development page's token that
 * `npm start` printed given to the Messenger snippet (which uploads the server's own sample image). `PORT` is the one
 * `npm start` was given, and `WA_BASE_URL` and `GRAPH_BASE_URL` name that server (the snippets' defaults are the
 * README's `http://127.0.0.1:8080`).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietNpm, readerTerminal } from "../support/reader-terminal.ts";
import { readmeCodeBlocks, type ReadmeCodeBlock } from "../support/readme-code-blocks.ts";
import { readmeSection, shellCommands } from "../support/readme-section.ts";
import { packClient } from "../support/package-project.ts";
import { npmStart, type StartedServer } from "../support/npm-start.ts";

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");
const runnable = new Set(["ts", "js", "sh"]);

/** The client's tarball, packed once per run (its `prepack` builds it) into a folder removed at the end. */
const packFolder = mkdtemp(path.join(os.tmpdir(), "readme-pack-"));
let clientTarball: Promise<string> | undefined;
const packedClient = () => (clientTarball ??= packFolder.then(packClient));

/** Whether the tool's stand-in is wanted; npm prunes what it did not install, so it is put back after each install. */
let toolStandIn = false;

/**
 * Runs an `npm install` line of the README in `project` as a reader would, except for this repository's packages,
 * which the registry does not have yet. `@meta-media-openapi/client` is the real thing: its packed tarball, as the
 * README's from-a-clone lines install it (from the registry only openapi-fetch and its helper types). The tool is not
 * installed (its tarball is tested by test/package/): `meta-media-openapi/emulator` resolves to `server/emulator.ts`
 * through a small package whose entry re-exports it (tsx runs it, tsc checks it). Anything else (tsx) comes from the
 * npm registry, installed by the line itself.
 */
async function runInstall(project: string, line: string): Promise<void> {
  const words = line.trim().split(/\s+/).slice(2);
  const args: string[] = [];
  for (const word of words) {
    if (word === "@meta-media-openapi/client") args.push(await packedClient());
    else if (word === "meta-media-openapi") toolStandIn = true;
    else args.push(word);
  }
  if (args.some((word) => !word.startsWith("-"))) {
    await exec("npm", ["install", ...args], {
      cwd: project,
      env: readerTerminal(quietNpm),
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  if (toolStandIn) await reexportEmulator(project);
}

/** The stand-in for the tool: a package whose `./emulator` re-exports this repository's server/emulator.ts. */
async function reexportEmulator(project: string): Promise<void> {
  const dir = path.join(project, "node_modules", "meta-media-openapi");
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "emulator.ts"),
    `export * from ${JSON.stringify(path.join(repo, "server/emulator.ts"))};\n`,
  );
  const exports = { "./emulator": { types: "./emulator.ts", default: "./emulator.ts" } };
  const manifest = { name: "meta-media-openapi", type: "module", exports };
  await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
}

/** The lines of a block made only of `npm install ...` lines; undefined for any other block. */
function installLines(code: string): string[] | undefined {
  const lines = code.split("\n").filter((l) => l.trim() !== "");
  return lines.length > 0 && lines.every((l) => /^npm install(\s+\S+)+\s*$/.test(l.trim())) ? lines : undefined;
}

/** What each snippet the README runs must print: a snippet without an entry here fails, so none runs unchecked. */
const expectations: Record<string, (stdout: string, project: string) => Promise<void>> = {
  "whatsapp-media.ts": async (stdout, project) => {
    expect(stdout).toContain("webhooks.max_concurrent_requests");
    expect(stdout.trim().split("\n").at(-1)).toBe("404 1006");
    const copy = await readFile(path.join(project, "hello-copy.txt"), "utf8");
    expect(copy).toBe(await readFile(path.join(project, "hello.txt"), "utf8"));
  },
  "messenger-attachment.ts": async (stdout) => {
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^1254459154682919 \S+$/);
    expect(lines.at(-1)).toBe("400 100 2018074");
  },
  "emulator-demo.ts": async (stdout) => {
    expect(stdout.trim().split("\n")).toEqual(["image/png", "true", "1254459154682919"]);
  },
};

let blocks: ReadmeCodeBlock[];
let server: StartedServer | undefined;
let project: string;
let env: NodeJS.ProcessEnv;

/** Runs a shell block as pasted (bash, stop at the first failure) in the project, with the reader's environment. */
async function sh(code: string): Promise<string> {
  try {
    const { stdout } = await exec("bash", ["-c", `set -euo pipefail\n${code}`], { cwd: project, env, timeout: 90_000 });
    return stdout;
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`README block failed:\n${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
}

beforeAll(async () => {
  blocks = await readmeCodeBlocks();
  project = await mkdtemp(path.join(os.tmpdir(), "readme-snippets-"));
  // A first run: no allow-list for attachment URLs (the Messenger snippet uploads the server's own sample image).
  server = await npmStart();
  const port = new URL(server.baseUrl).port;
  // The page line comes a moment after the "listening on" line npmStart waits for.
  const pageLine = /development page (\d+), page access token (\S+)/;
  for (let waited = 0; !pageLine.test(server.output()) && waited < 15_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const page = pageLine.exec(server.output());
  if (!page) throw new Error(`npm start printed no development page:\n${server.output()}`);
  // The reader started npm start with this PORT; the scripts' defaults name port 8080, so they are told the server.
  env = readerTerminal({
    PORT: port,
    WA_BASE_URL: server.baseUrl,
    GRAPH_BASE_URL: server.baseUrl,
    PAGE_ACCESS_TOKEN: page[2],
  });
  // "Change the admin password first": step 1 of the first run (with its BASE line), as the client section says.
  const firstRun = shellCommands(await readmeSection("first-run"));
  const base = firstRun.find((c) => c.startsWith("BASE="));
  const passwordChange = firstRun.find((c) => c.includes("new_password"));
  if (!base || !passwordChange) throw new Error("the first-run section has no BASE line or no login with new_password");
  await sh(`${base}\n${passwordChange}`);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  if (project) await rm(project, { recursive: true, force: true });
  await rm(await packFolder, { recursive: true, force: true });
});

describe("README snippets", () => {
  it("each ts, js and sh block runs here, in a test reading its section, or is a fragment with a reason", async () => {
    for (const block of blocks.filter((b) => runnable.has(b.lang))) {
      const where = `${block.file}:${block.line}`;
      if (block.runBy) {
        const test = path.join(repo, block.runBy);
        expect(existsSync(test), `${where}: ${block.runBy} does not exist`).toBe(true);
        expect(await readFile(test, "utf8"), `${where}: ${block.runBy} does not read its section`).toContain(
          `readmeSection("${block.section}")`,
        );
      } else if (block.marker !== undefined) {
        expect(block.marker, `${where}: a snippet marker says "fragment: <why it cannot run alone>"`).toMatch(
          /^fragment: \S.{10,}/,
        );
      } else if (block.lang !== "sh") {
        expect(block.code, `${where}: a runnable ${block.lang} block starts with // <its file name>`).toMatch(
          /^\/\/ [\w.-]+\.(ts|js|mjs)\n/,
        );
      }
    }
  });

  it("runs in a fresh ESM project as pasted: each snippet exits 0 and prints what the README says", async () => {
    const written: string[] = [];
    const outputs = new Map<string, string>();
    let ran = 0;
    for (const block of blocks.filter((b) => runnable.has(b.lang) && !b.runBy)) {
      if (block.marker !== undefined) {
        for (const line of installLines(block.code) ?? []) await runInstall(project, line);
        continue;
      }
      if (block.lang === "sh") {
        const stdout = await sh(block.code);
        ran++;
        const file = /^npx tsx ([\w.-]+)$/.exec(block.code.trim())?.[1];
        if (file) outputs.set(file, stdout);
        continue;
      }
      const file = /^\/\/ ([\w.-]+)\n/.exec(block.code)![1]!;
      await writeFile(path.join(project, file), block.code);
      written.push(file);
    }
    const manifest = JSON.parse(await readFile(path.join(project, "package.json"), "utf8")) as { type?: string };
    expect(manifest.type).toBe("module");
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(ran).toBeGreaterThan(written.length);
    for (const file of written) {
      const stdout = outputs.get(file);
      expect(stdout, `no README block runs ${file} (\`npx tsx ${file}\`)`).toBeDefined();
      const expectation = expectations[file];
      expect(expectation, `README snippet ${file} runs, but this test does not know what it must print`).toBeDefined();
      await expectation!(stdout!, project);
    }
  }, 300_000);

  it("installs from a clone the tarballs that npm pack makes there", async () => {
    const { version } = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as { version: string };
    const client = path.basename(await packedClient());
    expect(client).toBe(`meta-media-openapi-client-${version}.tgz`);
    const section = await readmeSection("client");
    expect(section).toContain("\nnpm pack --workspaces --include-workspace-root --pack-destination ../mmo-packages\n");
    expect(section).toContain(`\nnpm install ../mmo-packages/${client}\n`);
    expect(section).toContain(
      `\nnpm install ../mmo-packages/${client} ../mmo-packages/meta-media-openapi-${version}.tgz\n`,
    );
  });

  it("the TypeScript snippets type-check against the packages they import", async () => {
    const files = blocks
      .filter((b) => b.lang === "ts" && !b.runBy && b.marker === undefined)
      .map((b) => path.join(project, /^\/\/ ([\w.-]+)\n/.exec(b.code)![1]!));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const tsconfig = path.join(project, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: path.join(repo, "tsconfig.json"),
        compilerOptions: { noEmit: true, typeRoots: [path.join(repo, "node_modules", "@types")] },
        files,
        include: [],
      }),
    );
    const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
    const result = await exec(process.execPath, [tsc, "-p", tsconfig], { cwd: project }).catch(
      (err: { stdout?: string; stderr?: string }) => ({
        stdout: `tsc failed\n${err.stdout ?? ""}`,
        stderr: err.stderr ?? "",
      }),
    );
    expect(`${result.stdout}${result.stderr}`).toBe("");
  }, 180_000);
});
