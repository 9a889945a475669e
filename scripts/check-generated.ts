/**
 * `npm run check:generated`: regenerate into a temporary folder and fail on any difference with generated/,
 * so a spec change committed without `npm run generate` turns the build red.
 * Options: `--spec <entry>` and `--generated <dir>` (used by the test that proves the check fails).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generate, generatedDir, generatedFiles, specEntry } from "./spec-pipeline.ts";

const { values } = parseArgs({
  options: { spec: { type: "string" }, generated: { type: "string" } },
});
const entry = path.resolve(values.spec ?? specEntry);
const committed = path.resolve(values.generated ?? generatedDir);

const tmp = await mkdtemp(path.join(os.tmpdir(), "check-generated-"));
try {
  await generate(tmp, entry);
  const stale: string[] = [];
  for (const file of generatedFiles) {
    const fresh = await readFile(path.join(tmp, file), "utf8");
    const current = await readFile(path.join(committed, file), "utf8").catch(() => null);
    if (current !== fresh) stale.push(file);
  }
  if (stale.length > 0) {
    console.error(
      `generated/ is out of date with spec/: ${stale.join(", ")} differ${stale.length === 1 ? "s" : ""}. ` +
        "Run `npm run generate` and commit the result.",
    );
    process.exitCode = 1;
  } else {
    console.log("generated/ matches spec/");
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
