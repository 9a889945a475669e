/** Spectral's OpenAPI ruleset (`.spectral.yaml`: `spectral:oas`, one rule replaced for 3.1 roles) finds nothing. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bundleFileNames } from "../../spec-model/spec-bundles.ts";

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");
const spectral = path.join(repo, "node_modules", ".bin", "spectral");

interface SpectralResult {
  code: string;
  message: string;
  severity: number;
  path: string[];
}

/** Spectral's findings on a file, at every severity (error, warning, information, hint). */
async function lint(file: string): Promise<SpectralResult[]> {
  const args = [
    "lint",
    file,
    "--ruleset",
    path.join(repo, ".spectral.yaml"),
    "--format",
    "json",
    "--quiet",
    "--fail-severity",
    "hint",
  ];
  // Findings make the exit code non-zero; the JSON report is on stdout either way.
  const { stdout } = await exec(spectral, args, { cwd: repo, maxBuffer: 16 * 1024 * 1024 }).catch(
    (err: { stdout?: string; stderr?: string }) => {
      if (!err.stdout?.trim().startsWith("[")) throw new Error(`spectral failed: ${err.stderr ?? ""}`);
      return { stdout: err.stdout };
    },
  );
  return JSON.parse(stdout) as SpectralResult[];
}

describe("Spectral spectral:oas", () => {
  it.each(Object.values(bundleFileNames))(
    "generated/%s: no error, warning, information or hint",
    { timeout: 60_000 },
    async (name) => {
      const findings = (await lint(path.join(repo, "generated", name))).map(
        (r) => `${r.code} at ${r.path.join(".")}: ${r.message}`,
      );
      expect(findings).toEqual([]);
    },
  );

  it("reports what it finds (a description without info.contact warns)", { timeout: 60_000 }, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), "spectral-"));
    try {
      const doc = JSON.parse(await readFile(path.join(repo, "generated", bundleFileNames.whatsapp), "utf8")) as {
        info: Record<string, unknown>;
      };
      delete doc.info.contact;
      const file = path.join(tmp, "no-contact.json");
      await writeFile(file, JSON.stringify(doc));
      expect((await lint(file)).map((r) => r.code)).toEqual(["info-contact"]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
