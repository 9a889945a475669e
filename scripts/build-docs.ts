/**
 * `npm run docs`: renders the API reference (docs/index.html, Redoc inlined) and openapi.yaml from the bundle into
 * `.docs/` (or DOCS_DIR). `--if-stale` (used by `npm start`'s prestart) builds only when they are missing or older than
 * the bundle, and is fast otherwise.
 */
import { buildDocs, docsStaleReason, resolveDocsDir } from "../server/docs/docs-build.ts";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--if-stale");
if (unknown.length > 0) {
  console.error(`build-docs: unknown argument ${unknown.join(" ")}\nusage: tsx scripts/build-docs.ts [--if-stale]`);
  process.exit(2);
}

const docsDir = resolveDocsDir();
try {
  if (args.includes("--if-stale")) {
    const reason = await docsStaleReason({ docsDir });
    if (reason === undefined) process.exit(0);
    console.log(`Building the API docs (${reason})...`);
  }
  await buildDocs({ docsDir });
  console.log(`API docs written to ${docsDir}/index.html (served at /docs) and ${docsDir}/openapi.yaml`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
