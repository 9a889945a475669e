/**
 * `npm run api-docs` (also `npm run docs`): renders the API reference (index.html, Redoc inlined), openapi.yaml and the
 * per-family YAML twins from the bundles into the cache folder the server reads
 * (`~/.cache/meta-media-openapi/api-docs-<id>`, or API_DOCS_DIR).
 * `--if-stale` (used by `npm start`'s prestart) builds only when they are missing or older than the bundles, and is
 * fast otherwise.
 */
import {
  buildApiDocs,
  apiDocsCacheDir,
  apiDocsStaleReason,
  resolveApiDocsDir,
} from "../server/api-docs/api-docs-build.ts";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--if-stale");
if (unknown.length > 0) {
  console.error(
    `build-api-docs: unknown argument ${unknown.join(" ")}\nusage: tsx scripts/build-api-docs.ts [--if-stale]`,
  );
  process.exit(2);
}

const where = await resolveApiDocsDir();
// A checkout has no shipped API docs; should a built package be run from here, a rebuild still goes to the cache.
const apiDocsDir = where.source === "shipped" ? apiDocsCacheDir() : where.apiDocsDir;
try {
  if (args.includes("--if-stale")) {
    if (where.source === "shipped") process.exit(0);
    const reason = await apiDocsStaleReason({ apiDocsDir });
    if (reason === undefined) process.exit(0);
    console.log(`Building the API docs in ${apiDocsDir} (${reason})...`);
  }
  await buildApiDocs({ apiDocsDir });
  console.log(`API docs written to ${apiDocsDir}/index.html (served at /docs) and ${apiDocsDir}/openapi.yaml`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
