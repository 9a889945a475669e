/**
 * `npm run docs`: renders the API reference (index.html, Redoc inlined), openapi.yaml and the per-family YAML twins
 * from the bundles into the cache folder the server reads (`~/.cache/meta-media-openapi/docs-<id>`, or DOCS_DIR).
 * `--if-stale` (used by `npm start`'s prestart) builds only when they are missing or older than the bundles, and is
 * fast otherwise.
 */
import { buildDocs, docsCacheDir, docsStaleReason, resolveDocsDir } from "../server/docs/docs-build.ts";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--if-stale");
if (unknown.length > 0) {
  console.error(`build-docs: unknown argument ${unknown.join(" ")}\nusage: tsx scripts/build-docs.ts [--if-stale]`);
  process.exit(2);
}

const where = await resolveDocsDir();
// A checkout has no shipped docs; should a built package be run from here, a rebuild still goes to the cache.
const docsDir = where.source === "shipped" ? docsCacheDir() : where.docsDir;
try {
  if (args.includes("--if-stale")) {
    if (where.source === "shipped") process.exit(0);
    const reason = await docsStaleReason({ docsDir });
    if (reason === undefined) process.exit(0);
    console.log(`Building the API docs in ${docsDir} (${reason})...`);
  }
  await buildDocs({ docsDir });
  console.log(`API docs written to ${docsDir}/index.html (served at /docs) and ${docsDir}/openapi.yaml`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
