// `npm run check:generated` passes on the committed tree and fails when the spec changes without regeneration.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
const script = path.join(repoRoot, "scripts", "check-generated.ts");

async function check(specEntry: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [script, "--spec", specEntry], { cwd: repoRoot });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: (e.stdout ?? "") + (e.stderr ?? "") };
  }
}

describe("check:generated", () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(os.tmpdir(), "spec-copy-"));
    await cp(path.join(repoRoot, "spec"), copy, { recursive: true });
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it("passes when generated/ matches the spec", async () => {
    const result = await check(path.join(copy, "openapi.yaml"));
    expect(result.output).toContain("generated/ matches spec/");
    expect(result.code).toBe(0);
  }, 60_000);

  it("fails, naming the stale files, when the spec changed without `npm run generate`", async () => {
    const file = path.join(copy, "paths", "v1_media.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("summary: Upload media", "summary: Upload a media file"));
    const result = await check(path.join(copy, "openapi.yaml"));
    expect(result.code).toBe(1);
    // The WhatsApp operation changed: the combined bundle, the WhatsApp bundle and the types, not the Messenger ones.
    expect(result.output).toContain("out of date with spec/: openapi.json, whatsapp.openapi.json, openapi.d.ts differ");
  }, 60_000);
});
