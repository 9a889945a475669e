/**
 * Builds the client package (`@meta-media-openapi/client`, the `client/` workspace): compiles client/ to ES modules
 * and declarations in client/dist/lib/ and copies the generated types and bundles from generated/ to
 * client/dist/generated/ (the declarations import `../generated/openapi.d.ts`, as the sources do). The copies are
 * never edited: generated/ stays the one source, guarded by `npm run check:generated`.
 *
 * `--if-stale` builds only when a source or generated file is newer than the last build: the repository's own server,
 * tool and examples import the client by its package name, that is from client/dist/.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleFileNames } from "../server/validation/spec-bundles.ts";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const clientDir = path.join(root, "client");
const dist = path.join(clientDir, "dist");
const stamp = path.join(dist, "build-stamp");
const generatedFiles = [...Object.values(bundleFileNames), "openapi.d.ts"];

const unknown = process.argv.slice(2).filter((arg) => arg !== "--if-stale");
if (unknown.length > 0) {
  console.error(`build-client: unknown argument ${unknown.join(" ")}\nusage: tsx scripts/build-client.ts [--if-stale]`);
  process.exit(2);
}

/** Newest modification time among the client's sources, its build settings and the generated files it copies. */
async function newestInput(): Promise<number> {
  const times: number[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "dist" && entry.name !== "node_modules") await walk(file);
      } else {
        times.push((await stat(file)).mtimeMs);
      }
    }
  };
  await walk(clientDir);
  for (const file of generatedFiles) times.push((await stat(path.join(root, "generated", file))).mtimeMs);
  times.push((await stat(path.join(root, "tsconfig.json"))).mtimeMs);
  return Math.max(...times);
}

if (process.argv.includes("--if-stale")) {
  const built = await stat(stamp).then((s) => s.mtimeMs, () => undefined);
  if (built !== undefined && built >= (await newestInput())) process.exit(0);
}

await rm(dist, { recursive: true, force: true });
try {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  await run(process.execPath, [tsc, "-p", path.join(clientDir, "tsconfig.build.json")], { cwd: clientDir });
} catch (err) {
  const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
  process.stderr.write(`${stdout}${stderr}build-client: tsc failed\n`);
  process.exit(1);
}
await mkdir(path.join(dist, "generated"), { recursive: true });
for (const file of generatedFiles) {
  await copyFile(path.join(root, "generated", file), path.join(dist, "generated", file));
}
// Written last: a build that stopped half-way is stale.
await writeFile(stamp, `${new Date().toISOString()}\n`);
console.log(`build-client: ${path.relative(root, dist)}/ written (lib, generated)`);
