/**
 * What the package tests share: packing the two workspaces, a fresh consumer project, a Node binary of a given major
 * (the npm registry's `node` package, installed once per test run), and the inventory of an installed node_modules.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The repository root. */
export const repo = path.resolve(import.meta.dirname, "../..");
/** The repository's TypeScript compiler (the consumer projects install none). */
export const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
export const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command; a failure carries the command's own output, so a broken build or install says why. */
export async function run(file: string, args: string[], options: Parameters<typeof execFileAsync>[2] = {}) {
  try {
    return await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024, ...options, encoding: "utf8" });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  }
}

/** The two tarballs `npm pack` makes (each through its workspace's `prepack`, i.e. its build). */
export interface Tarballs {
  client: string;
  tool: string;
}

/** `npm pack --workspaces --include-workspace-root` into `destination`: the tool and the client, one command. */
export async function packBoth(destination: string): Promise<Tarballs> {
  const args = ["pack", "--workspaces", "--include-workspace-root", "--pack-destination", destination];
  await run(npm, args, { cwd: repo });
  const names = await readdir(destination);
  const client = names.find((f) => /^meta-media-openapi-client-\d+\.\d+\.\d+.*\.tgz$/.test(f));
  const tool = names.find((f) => /^meta-media-openapi-\d+\.\d+\.\d+.*\.tgz$/.test(f));
  if (!client || !tool) throw new Error(`npm pack made ${names.join(", ")}`);
  return { client: path.join(destination, client), tool: path.join(destination, tool) };
}

/** `npm pack -w client` into `destination`: the client's tarball alone. */
export async function packClient(destination: string): Promise<string> {
  await run(npm, ["pack", "-w", "client", "--pack-destination", destination], { cwd: repo });
  const names = await readdir(destination);
  const name = names.find((f) => f.startsWith("meta-media-openapi-client-") && f.endsWith(".tgz"));
  if (!name) throw new Error("npm pack -w client made no tarball");
  return path.join(destination, name);
}

/** An empty ESM project in `parent/name`. */
export async function freshProject(parent: string, name: string): Promise<string> {
  const project = path.join(parent, name);
  await mkdir(project);
  await writeFile(path.join(project, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  return project;
}

/** The files of a tarball, without the `package/` prefix. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  return stdout
    .trim()
    .split("\n")
    .map((f) => f.replace(/^package\//, ""));
}

/** One installed package: where, its name and version, and what would make npm run something at install. */
export interface InstalledPackage {
  dir: string;
  name: string;
  version: string;
  installScripts: string[];
  bindingGyp: boolean;
}

/** Every package installed under `nodeModules`, nested ones included (a scoped name counts once). */
export async function installedPackages(nodeModules: string): Promise<InstalledPackage[]> {
  const found: InstalledPackage[] = [];
  const visit = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const dir = path.join(folder, entry.name);
      if (entry.name.startsWith("@")) {
        await visit(dir);
        continue;
      }
      const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as {
        name: string;
        version: string;
        scripts?: Record<string, string>;
      };
      const lifecycle = ["preinstall", "install", "postinstall", "prepare"];
      found.push({
        dir,
        name: manifest.name,
        version: manifest.version,
        installScripts: lifecycle.filter((s) => manifest.scripts?.[s] !== undefined),
        bindingGyp: await stat(path.join(dir, "binding.gyp")).then(
          () => true,
          () => false,
        ),
      });
      await visit(path.join(dir, "node_modules"));
    }
  };
  await visit(nodeModules);
  return found;
}

const nodeBinaries = new Map<number, Promise<string>>();
let nodeCache: Promise<string> | undefined;

/**
 * A Node binary of `major`: this process's own when it is that major, else the npm registry's `node@<major>` package
 * installed once per test run into a temporary folder (the npm cache keeps its download between runs).
 */
export function nodeBinary(major: number): Promise<string> {
  if (Number(process.versions.node.split(".")[0]) === major) return Promise.resolve(process.execPath);
  let binary = nodeBinaries.get(major);
  if (!binary) {
    binary = (async () => {
      nodeCache ??= mkdtemp(path.join(os.tmpdir(), "mmo-node-binaries-"));
      const prefix = path.join(await nodeCache, `node${major}`);
      const quiet = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund"];
      await run(npm, ["install", ...quiet, "--prefix", prefix, `node@${major}`]);
      const node = path.join(prefix, "node_modules", "node", "bin", "node");
      const { stdout } = await run(node, ["--version"]);
      if (!stdout.startsWith(`v${major}.`)) throw new Error(`node@${major} installed ${stdout.trim()}`);
      return node;
    })();
    nodeBinaries.set(major, binary);
  }
  return binary;
}

/** Removes the Node binaries `nodeBinary` installed in this test run. */
export async function removeNodeBinaries(): Promise<void> {
  if (nodeCache) await rm(await nodeCache, { recursive: true, force: true });
}
