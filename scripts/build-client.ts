/**
 * Builds the client package (`@meta-media-openapi/client`, the `client/` workspace): compiles client/ to ES modules
 * and declarations in client/dist/lib/ and copies the generated types and bundles from generated/ to
 * client/dist/generated/ (the declarations import `../generated/openapi.d.ts`, as the sources do). The copies are
 * never edited: generated/ stays the one source, guarded by `npm run check:generated`.
 *
 * `--if-stale` builds only when a source or generated file is newer than the last build: the repository's own server,
 * tool and examples import the client by its package name, that is from client/dist/. For the same reason a build is
 * written to a folder of its own and swapped in whole: processes importing the client meanwhile (a test run packing
 * the packages) never see a half-written or missing client/dist/.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleFileNames } from "../spec-model/spec-bundles.ts";

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
        if (!["dist", "node_modules"].includes(entry.name) && !entry.name.startsWith(".dist-next-")) await walk(file);
      } else {
        times.push((await stat(file)).mtimeMs);
      }
    }
  };
  await walk(clientDir);
  for (const file of generatedFiles) times.push((await stat(path.join(root, "generated", file))).mtimeMs);
  for (const file of ["tsconfig.json", "scripts/build-client.ts"]) {
    times.push((await stat(path.join(root, file))).mtimeMs);
  }
  return Math.max(...times);
}

if (process.argv.includes("--if-stale")) {
  const built = await stat(stamp).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (built !== undefined && built >= (await newestInput())) process.exit(0);
}

const next = await mkdtemp(path.join(clientDir, ".dist-next-"));
try {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const config = path.join(clientDir, "tsconfig.build.json");
  await run(process.execPath, [tsc, "-p", config, "--outDir", path.join(next, "lib")], { cwd: clientDir });
} catch (err) {
  const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
  await rm(next, { recursive: true, force: true });
  process.stderr.write(`${stdout}${stderr}build-client: tsc failed\n`);
  process.exit(1);
}
await mkdir(path.join(next, "generated"));
for (const file of generatedFiles) {
  await copyFile(path.join(root, "generated", file), path.join(next, "generated", file));
}
await writeFile(path.join(next, "build-stamp"), `${new Date().toISOString()}\n`);
// Two renames: the old build moves aside, the new one takes its place; the old one is removed after.
const previous = `${next}-previous`;
const hadDist = await rename(dist, previous).then(
  () => true,
  () => false,
);
await rename(next, dist);
if (hadDist) await rm(previous, { recursive: true, force: true });
console.log(`build-client: ${path.relative(root, dist)}/ written (lib, generated)`);
