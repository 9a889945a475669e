/**
 * `npm run build`: the tool package. Builds the client workspace first when stale (the tool imports
 * `@meta-media-openapi/client` by name and compiles against its declarations; the tool's tarball carries no copy of
 * it), then compiles server/ (with the emulator, `meta-media-openapi/emulator`), spec-model/, conformance/ and cli/ to
 * JavaScript and declarations in dist/ (tsc rewrites the `.ts` import specifiers), then lays dist/ out as a package
 * root of its own, so code that finds files relative to itself (`../generated/openapi.json` and the package root from
 * spec-model/) finds them there too. It renders the API docs into dist/api-docs/ last: the installed tool serves them
 * as they are and never has to write inside its own folder (a read-only install works).
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildApiDocs } from "../server/api-docs/api-docs-build.ts";
import { bundleFileNames } from "../spec-model/spec-bundles.ts";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const cliEntry = path.join(dist, "cli", "meta-media-openapi.js");

try {
  // Only when stale: the tool compiles against the client's declarations, and the client's own tarball is built by
  // its `prepack` (`npm pack --workspaces --include-workspace-root` runs both: the client would be built twice).
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  await run(process.execPath, [tsx, "scripts/build-client.ts", "--if-stale"], { cwd: root });
} catch (err) {
  const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
  process.stderr.write(`${stdout}${stderr}build: the client package did not build\n`);
  process.exit(1);
}

await rm(dist, { recursive: true, force: true });
try {
  await run(
    process.execPath,
    [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    { cwd: root },
  );
} catch (err) {
  const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
  process.stderr.write(`${stdout}${stderr}`);
  process.stderr.write("build: tsc failed\n");
  process.exit(1);
}

// tsc emits no copy of a declaration file or of JSON read at
// run time: the bundles and the types are copied as they are.
await mkdir(path.join(dist, "generated"), { recursive: true });
for (const file of [...Object.values(bundleFileNames), "openapi.d.ts"]) {
  await copyFile(path.join(root, "generated", file), path.join(dist, "generated", file));
}
// Redoc's rendering options, read from the package root by the API docs build.
await copyFile(path.join(root, "redocly.yaml"), path.join(dist, "redocly.yaml"));
// dist/ is the package root for the compiled code: ES modules, and the version the CLI reports.
const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
};
const distManifest = { name: `${manifest.name}-dist`, private: true, version: manifest.version, type: "module" };
await writeFile(path.join(dist, "package.json"), `${JSON.stringify(distManifest, null, 2)}\n`);

// The command-line entry runs as a program: it needs its interpreter line and the execute bit.
const cli = await readFile(cliEntry, "utf8").catch(() => undefined);
if (cli !== undefined) {
  if (!cli.startsWith("#!")) await writeFile(cliEntry, `#!/usr/bin/env node\n${cli}`);
  await chmod(cliEntry, 0o755);
}
// Rendered from dist/'s own copies of the bundles, so the stamp matches what the installed package reads.
const apiDocsDir = path.join(dist, "api-docs");
await mkdir(apiDocsDir, { recursive: true });
try {
  await buildApiDocs({ apiDocsDir, bundlePath: path.join(dist, "generated", bundleFileNames.all) });
} catch (err) {
  process.stderr.write(`build: ${(err as Error).message}\n`);
  process.exit(1);
}

const parts = ["server", "emulator", "conformance", ...(cli === undefined ? [] : ["cli"]), "api-docs"];
console.log(`build: ${path.relative(root, dist)}/ written (${parts.join(", ")})`);
