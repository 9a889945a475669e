/**
 * Builds the client package (`@meta-media-openapi/client`, the `client/` workspace): compiles client/ to ES modules
 * and declarations in client/dist/lib/ and copies the generated types and bundles from generated/ to
 * client/dist/generated/ (the declarations import `../generated/openapi.d.ts`, as the sources do). The copies are
 * never edited: generated/ stays the one source, guarded by `npm run check:generated`.
 *
 * `--if-stale` builds only when a source or generated file is newer than the last build: the repository's own server,
 * tool and examples import the client by its package name, that is from client/dist/. For the same reason a build is
 * written to a folder of its own and swapped in whole: processes importing the client meanwhile (a test run packing
 * the packages) never see a half-written client/dist/; and a build that changes no file (packing a checkout whose
 * client is built) leaves client/dist/ in place, so they see no swap at all.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
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

/** The files under `folder` (relative paths, sorted), without the build stamp; undefined when it does not exist. */
async function filesUnder(folder: string): Promise<string[] | undefined> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => undefined);
  if (!entries) return undefined;
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .filter((file) => file !== "build-stamp")
    .sort();
}

/** Whether two builds hold the same files with the same bytes (the stamp aside). */
async function sameFiles(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([filesUnder(a), filesUnder(b)]);
  if (!left || !right || left.join("\n") !== right.join("\n")) return false;
  for (const file of left) {
    const [x, y] = await Promise.all([readFile(path.join(a, file)), readFile(path.join(b, file))]);
    if (!x.equals(y)) return false;
  }
  return true;
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
const builtAt = `${new Date().toISOString()}\n`;
if (await sameFiles(next, dist)) {
  // Nothing changed: the build in place stays (processes reading it see no swap), its stamp says it is current.
  await rm(next, { recursive: true, force: true });
  const stampNext = `${stamp}.next`;
  await writeFile(stampNext, builtAt);
  await rename(stampNext, stamp);
  console.log(`build-client: ${path.relative(root, dist)}/ rebuilt, unchanged`);
  process.exit(0);
}
await writeFile(path.join(next, "build-stamp"), builtAt);
// Two renames: the old build moves aside, the new one takes its place; the old one is removed after.
const previous = `${next}-previous`;
const hadDist = await rename(dist, previous).then(
  () => true,
  () => false,
);
await rename(next, dist);
if (hadDist) await rm(previous, { recursive: true, force: true });
console.log(`build-client: ${path.relative(root, dist)}/ written (lib, generated)`);
