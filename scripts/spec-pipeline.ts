/**
 * The spec pipeline: bundle the hand-written spec with Redocly, derive the per-family bundles from it (and the
 * Messenger variant for generators), then the TypeScript types from the combined bundle.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import ts from "typescript";
import type { OpenApiDocument } from "../spec-model/openapi-document.ts";
import { apiFamilies, bundleFileNames } from "../spec-model/spec-bundles.ts";
import { familyDocument, multipartUploadDocument } from "./family-bundles.ts";

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const specEntry = path.join(repoRoot, "spec", "openapi.yaml");
export const generatedDir = path.join(repoRoot, "generated");
export const generatedFiles = [...Object.values(bundleFileNames), "openapi.d.ts"] as const;

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

/** Runs `redocly bundle` on one file into `output` (JSON), re-serialised so committed files keep a stable layout. */
async function redoclyBundle(input: string, output: string, extraArgs: string[] = []): Promise<OpenApiDocument> {
  const args = ["bundle", input, "--output", output, "--ext", "json", ...extraArgs];
  await run(redoclyBin, args, { env: redoclyEnv, cwd: repoRoot });
  const bundle = JSON.parse(await readFile(output, "utf8")) as OpenApiDocument;
  await writeFile(output, `${JSON.stringify(bundle, null, 2)}\n`);
  return bundle;
}

/** Writes a derived document, leaving out the components it does not use (Redocly's own pruning). */
async function writePruned(doc: OpenApiDocument, output: string): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), "spec-pipeline-"));
  try {
    const input = path.join(work, path.basename(output));
    await writeFile(input, JSON.stringify(doc));
    await redoclyBundle(input, output, ["--remove-unused-components"]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Bundles `spec/` into `<outDir>/openapi.json`, derives `whatsapp.openapi.json`, `messenger.openapi.json` and
 * `messenger.multipart.openapi.json` from it, and writes `<outDir>/openapi.d.ts`.
 */
export async function generate(outDir: string, entry = specEntry): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const bundle = await redoclyBundle(entry, path.join(outDir, bundleFileNames.all));
  for (const family of apiFamilies) {
    await writePruned(familyDocument(bundle, family), path.join(outDir, bundleFileNames[family]));
  }
  await writePruned(multipartUploadDocument(bundle), path.join(outDir, bundleFileNames.messengerMultipart));

  const ast = await openapiTS(bundle as unknown as OpenAPI3, {
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
