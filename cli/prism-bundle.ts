/**
 * The bundle Prism is given. Prism refuses a request whose `Content-Type` none of the operation's request media types
 * matches, and the spec writes the document entry of `uploadMedia` as one concrete type, `application/octet-stream`,
 * standing for every other type (`x-media-range: "*\/*"`, because client generators take a `*\/*` body for JSON).
 * Given the bundle as it is, the mock would refuse the documents the API accepts (`application/pdf`, `text/plain`...);
 * here each entry with an `x-media-range` is keyed by that range again, which Prism understands.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { listOperations, readOpenApiDocument, type OpenApiDocument } from "../spec-model/openapi-document.ts";
import { scopeBundlePath, type BundleScope } from "../spec-model/spec-bundles.ts";

/** The document with every request media type that declares an `x-media-range` keyed by that range (in place). */
export function keyMediaRanges(doc: OpenApiDocument): OpenApiDocument {
  for (const { operation } of listOperations(doc)) {
    const body = operation.requestBody;
    if (!body) continue;
    body.content = Object.fromEntries(
      Object.entries(body.content).map(([key, media]) => {
        const range = media["x-media-range"];
        return [typeof range === "string" ? range : key, media];
      }),
    );
  }
  return doc;
}

/** A bundle written for Prism in a temporary folder, and how to remove it once Prism has stopped. */
export interface PrismBundle {
  path: string;
  remove(): Promise<void>;
}

/** Writes the bundle of a scope, its media ranges keyed for Prism, to a temporary folder of its own. */
export async function writePrismBundle(scope: BundleScope): Promise<PrismBundle> {
  const source = scopeBundlePath(scope);
  const folder = await mkdtemp(path.join(os.tmpdir(), "meta-media-openapi-prism-"));
  const file = path.join(folder, path.basename(source));
  await writeFile(file, JSON.stringify(keyMediaRanges(readOpenApiDocument(source))));
  return { path: file, remove: () => rm(folder, { recursive: true, force: true }) };
}
