/**
 * Every ```ts, ```js and ```sh block of the README and of its pages under docs/ runs as pasted, in a fresh ES module
 * project, against `npm start` on a free port: the blocks are taken in order (the README's first), a TypeScript or
 * JavaScript block is saved under the name its first line gives (`// whatsapp-media.ts`), and a shell block is run in
 * the project folder. Blocks that cannot run alone say so with `<!-- snippet: fragment: <reason> -->`; the `npm
 * install` ones among them are done here: the client from its packed tarball, the tool's emulator linked from this
 * repository (see `installPackage`). A section whose `<!-- snippets: run by <test> -->` line names another test (the
 * first-run walkthrough, the generators) is left to that test, which must read the section.
 *
 * What the README tells a reader is what this test does: the admin password is changed with step 1 of the first run,
 * the Messenger snippet gets the development page's token that `npm start` printed, and `IMAGE_URL` names an image on
 * this machine that `ATTACHMENT_FETCH_ALLOW` lets the server fetch. `WA_BASE_URL` and `GRAPH_BASE_URL` point at the
 * test's port (the snippets' defaults are the README's `http://127.0.0.1:8080`), and so does `127.0.0.1:8080` in shell
 * blocks.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../conformance/free-port.ts";
import { tinyPng } from "../../conformance/media-files.ts";
import { readmeCodeBlocks, type ReadmeCodeBlock } from "../support/readme-code-blocks.ts";
import { readmeSection, shellCommands } from "../support/readme-section.ts";
import { packClient } from "../package/package-project.ts";
import { npmStart, type StartedServer } from "./npm-start.ts";

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");
const runnable = new Set(["ts", "js", "sh"]);

/** The client's tarball, packed once per run (its `prepack` builds it) into a folder removed at the end. */
const packFolder = mkdtemp(path.join(os.tmpdir(), "readme-pack-"));
let clientTarball: Promise<string> | undefined;
const packedClient = () => (clientTarball ??= packFolder.then(packClient));

/** Packages this test provides by hand; npm prunes what it did not install, so they are put back after it runs. */
const providedByHand = new Set<string>();

/**
 * Makes `npm install <name>` true in `project`. `@meta-media-openapi/client` is the real thing: its packed tarball,
 * installed by npm (from the registry only openapi-fetch and its helper types). The tool is not installed (its
 * tarball is tested by test/package/): `meta-media-openapi/emulator` resolves to `server/emulator.ts` through a small
 * package whose entry re-exports it (tsx runs it, tsc checks it); tsx is this repository's copy.
 */
async function installPackage(project: string, name: string): Promise<void> {
  const modules = path.join(project, "node_modules");
  const reexport = async (pkg: string, entries: Record<string, string>) => {
    const dir = path.join(modules, pkg);
    await mkdir(dir, { recursive: true });
    const exports: Record<string, { types: string; default: string }> = {};
    for (const [subpath, source] of Object.entries(entries)) {
      const file = `./${subpath === "." ? "index" : subpath.slice(2)}.ts`;
      exports[subpath] = { types: file, default: file };
      await writeFile(path.join(dir, file), `export * from ${JSON.stringify(path.join(repo, source))};\n`);
    }
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: pkg, type: "module", exports }, null, 2));
  };
  switch (name) {
    case "@meta-media-openapi/client": {
      const args = ["install", "--no-audit", "--no-fund", "--no-package-lock", await packedClient()];
      await exec("npm", args, { cwd: project, maxBuffer: 16 * 1024 * 1024 });
      for (const again of providedByHand) await installPackage(project, again);
      return;
    }
    case "meta-media-openapi":
      providedByHand.add(name);
      return reexport(name, { "./emulator": "server/emulator.ts" });
    case "tsx":
      providedByHand.add(name);
      await rm(path.join(modules, "tsx"), { recursive: true, force: true });
      await rm(path.join(modules, ".bin", "tsx"), { force: true });
      await mkdir(path.join(modules, ".bin"), { recursive: true });
      await symlink(path.join(repo, "node_modules", "tsx"), path.join(modules, "tsx"));
      await symlink("../tsx/dist/cli.mjs", path.join(modules, ".bin", "tsx"));
      return;
    default:
      throw new Error(`the README installs ${name}, which this test does not know how to provide`);
  }
}

/** The packages of a block made only of `npm install [--save-dev] <names>` lines; undefined for any other block. */
function installedPackages(code: string): string[] | undefined {
  const lines = code.split("\n").filter((l) => l.trim() !== "");
  const names: string[] = [];
  for (const line of lines) {
    const m = /^npm install((?:\s+\S+)+)\s*$/.exec(line.trim());
    if (!m) return undefined;
    names.push(
      ...m[1]!
        .trim()
        .split(/\s+/)
        .filter((word) => !word.startsWith("-")),
    );
  }
  return names.length ? names : undefined;
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
let imageServer: http.Server | undefined;
let project: string;
let env: NodeJS.ProcessEnv;
let port: string;

/** Runs a shell block as pasted (bash, stop at the first failure) in the project, pointed at the test's server. */
async function sh(code: string): Promise<string> {
  const script = `set -euo pipefail\n${code.replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`)}`;
  try {
    const { stdout } = await exec("bash", ["-c", script], { cwd: project, env, timeout: 90_000 });
    return stdout;
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`README block failed:\n${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
}

beforeAll(async () => {
  blocks = await readmeCodeBlocks();
  project = await mkdtemp(path.join(os.tmpdir(), "readme-snippets-"));
  const png = tinyPng(8, 8, [20, 120, 220]);
  imageServer = http.createServer((_req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end(png));
  const imagePort = await freePort();
  await new Promise<void>((resolve) => imageServer!.listen(imagePort, "127.0.0.1", resolve));
  server = await npmStart({ ATTACHMENT_FETCH_ALLOW: "127.0.0.1" });
  port = new URL(server.baseUrl).port;
  // The page line comes a moment after the "listening on" line npmStart waits for.
  const pageLine = /development page (\d+), page access token (\S+)/;
  for (let waited = 0; !pageLine.test(server.output()) && waited < 15_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const page = pageLine.exec(server.output());
  if (!page) throw new Error(`npm start printed no development page:\n${server.output()}`);
  // A reader's terminal, not an npm script's: npm_* variables (npm_config_local_prefix...) would send npm elsewhere.
  const terminal = Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$)/i.test(key));
  env = {
    ...Object.fromEntries(terminal),
    WA_BASE_URL: server.baseUrl,
    GRAPH_BASE_URL: server.baseUrl,
    PAGE_ACCESS_TOKEN: page[2],
    IMAGE_URL: `http://127.0.0.1:${imagePort}/cat.png`,
  };
  // "Change the admin password first": step 1 of the first run, as the client section says.
  const passwordChange = shellCommands(await readmeSection("first-run")).find((c) => c.includes("new_password"));
  if (!passwordChange) throw new Error("the first-run section has no login with new_password");
  await sh(passwordChange);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => (imageServer ? imageServer.close(resolve) : resolve(undefined)));
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
        for (const name of installedPackages(block.code) ?? []) await installPackage(project, name);
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
