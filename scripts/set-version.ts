/**
 * One version for both packages, released together: `npm run version -- X.Y.Z` writes X.Y.Z as the version of the
 * tool (package.json), of the client (client/package.json), as the tool's exact dependency on the client, and in the
 * same places of package-lock.json. Without an argument it copies the tool's version to the others, which is what
 * `npm version <bump>` needs (npm runs this script as its `version` hook, after bumping package.json).
 * test/package/versions.test.ts fails when they differ.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLIENT = "@meta-media-openapi/client";
// Semantic Versioning 2.0.0 (https://semver.org), without a leading "v".
const IDENTIFIERS = "[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*";
const SEMVER = new RegExp(`^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-${IDENTIFIERS})?(\\+${IDENTIFIERS})?$`);

// biome-ignore lint/suspicious/noExplicitAny: package manifests and the lock file are edited as plain JSON
type Json = Record<string, any>;
const readJson = async (file: string): Promise<Json> =>
  JSON.parse(await readFile(path.join(root, file), "utf8")) as Json;
const writeJson = (file: string, value: Json) =>
  writeFile(path.join(root, file), `${JSON.stringify(value, null, 2)}\n`);

const args = process.argv.slice(2);
const tool = await readJson("package.json");
const version = args[0] ?? (tool.version as string);
if (args.length > 1 || !SEMVER.test(version)) {
  console.error(`set-version: "${args.join(" ")}" is not one version\nusage: npm run version -- X.Y.Z (e.g. 1.4.0)`);
  process.exit(2);
}

const client = await readJson("client/package.json");
const lock = await readJson("package-lock.json");
tool.version = version;
tool.dependencies[CLIENT] = version;
client.version = version;
lock.version = version;
lock.packages[""].version = version;
lock.packages[""].dependencies[CLIENT] = version;
lock.packages.client.version = version;
await writeJson("package.json", tool);
await writeJson("client/package.json", client);
await writeJson("package-lock.json", lock);
console.log(`set-version: meta-media-openapi and ${CLIENT} are at ${version}`);
