/** The spec pipeline: bundle the hand-written spec with Redocly, then derive the TypeScript types from the bundle. */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const specEntry = path.join(repoRoot, "spec", "openapi.yaml");
export const generatedDir = path.join(repoRoot, "generated");
export const generatedFiles = ["openapi.json", "openapi.d.ts"] as const;

/** Environment for Redocly CLI: no telemetry or update checks (the machines have no network but the registries). */
export const redoclyEnv = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
};

const redoclyBin = path.join(repoRoot, "node_modules", ".bin", "redocly");

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const HEADER = "/**\n * Generated from spec/ by `npm run generate` (openapi-typescript). Do not edit by hand.\n */\n\n";

/** Bundles `spec/` into `<outDir>/openapi.json` and writes `<outDir>/openapi.d.ts` from it. */
export async function generate(outDir: string, entry = specEntry): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const bundlePath = path.join(outDir, "openapi.json");
  await run(redoclyBin, ["bundle", entry, "--output", bundlePath, "--ext", "json"], {
    env: redoclyEnv,
    cwd: repoRoot,
  });
  // Re-serialise so the committed bundle has a stable, reviewable layout whatever Redocly's defaults.
  const bundle = JSON.parse(await readFile(bundlePath, "utf8"));
  await writeFile(bundlePath, JSON.stringify(bundle, null, 2) + "\n");

  const ast = await openapiTS(bundle, {
    // A default in a request schema means the client may leave the field out; it must not become required.
    defaultNonNullable: false,
    transform(schemaObject) {
      // Binary bodies (uploads, downloads, multipart files) are Blobs for TypeScript users.
      if ("format" in schemaObject && schemaObject.format === "binary") {
        const types = Array.isArray(schemaObject.type) ? schemaObject.type : [schemaObject.type];
        return types.includes("null") ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
      }
      return undefined;
    },
  });
  await writeFile(path.join(outDir, "openapi.d.ts"), HEADER + astToString(ast));
}
