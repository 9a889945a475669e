/** `npm run bench -- --write-docs`: the table lands in docs/benchmarks.md and the headline in the README. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  renderHeadline,
  renderTable,
  replaceBenchBlock,
  type BenchResults,
  type MediaFigures,
} from "../../../scripts/bench/report.ts";
import type { LoadResult } from "../../../scripts/bench/load.ts";

const repo = path.resolve(import.meta.dirname, "../../..");

const load = (requestsPerSecond: number): LoadResult => ({
  requests: 1000,
  ok2xx: 1000,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  statusCodes: { "200": 1000 },
  elapsedSeconds: 1,
  requestsPerSecond,
  latencyMs: { p50: 1, p99: 2, average: 1, max: 3 },
  responseBytesPerSecond: 1,
});
const media = (mibPerSecond: number, growthMiB: number): MediaFigures => ({
  load: load(10),
  mibPerSecond,
  rss: { startMiB: 100, peakMiB: 100 + growthMiB, growthMiB, method: "vmhwm" },
});

describe("benchmark pages", () => {
  it("the headline gives the settings ratios, the media ratio ranges and the worst RSS growth", () => {
    const results: BenchResults = {
      machine: { cpus: 2, cpuModel: "x", memoryGiB: 24, node: "v20.20.2", os: "Linux", date: "2026-12-01 15:05 UTC" },
      options: {},
      settings: { reference: { load: load(690) }, raw: { load: load(1000) }, prism: { load: load(30) } },
      media: [
        {
          sizeMiB: 1,
          upload: { reference: media(73, 5), raw: media(100, 20) },
          download: { reference: media(119, 9), raw: media(100, 1) },
        },
        {
          sizeMiB: 100,
          upload: { reference: media(105, 12), raw: media(100, 30) },
          download: { reference: media(88, 1), raw: media(100, 1) },
        },
      ],
      notes: [],
    };
    expect(renderHeadline(results)).toBe(
      "Latest run (2026-12-01 15:05 UTC, 2 cores, Node v20.20.2): " +
        "settings read 0.69x raw `node:http` and 23.0x Prism; " +
        "media (1, 100 MiB) uploads 0.73x to 1.05x raw, downloads 0.88x to 1.19x raw; peak RSS growth at most +12 MiB.",
    );
  });

  it("adds the PostgreSQL ratios to the headline and a column to the table when the run measured them", () => {
    const results: BenchResults = {
      machine: { cpus: 2, cpuModel: "x", memoryGiB: 24, node: "v20.20.2", os: "Linux", date: "2026-12-03 14:07 UTC" },
      options: {},
      settings: { reference: { load: load(600) }, postgres: { load: load(110) }, raw: { load: load(1000) } },
      media: [
        {
          sizeMiB: 1,
          upload: { reference: media(65, 7), postgres: media(55, 12), raw: media(100, 24) },
          download: { reference: media(71, 3), postgres: media(66, 3), raw: media(100, 3) },
        },
      ],
      notes: [],
    };
    expect(renderHeadline(results)).toBe(
      "Latest run (2026-12-03 14:07 UTC, 2 cores, Node v20.20.2): " +
        "settings read 0.60x raw `node:http` and n/ax Prism; media (1 MiB) uploads 0.65x raw, downloads 0.71x raw; " +
        "on PostgreSQL settings read 0.11x raw, uploads 0.55x raw, downloads 0.66x raw; " +
        "peak RSS growth at most +12 MiB.",
    );
    const table = renderTable(results);
    expect(table.split("\n")[0]).toContain(
      "| reference server (SQLite) | reference server (PostgreSQL) | raw node:http |",
    );
    expect(table).toContain("0.60x raw, n/ax Prism; PostgreSQL 0.11x raw (0.18x SQLite)");
    // Without PostgreSQL figures the table keeps its former columns.
    const { postgres: _pg, ...sqliteOnly } = results.settings;
    const plain = renderTable({ ...results, settings: sqliteOnly, media: [] });
    expect(plain.split("\n")[0]).toBe(
      "| measurement | reference server | raw node:http | Prism mock | reference / baseline | target | met |",
    );
  });

  it("replaces only the marked block, and the README and docs/benchmarks.md carry their markers", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bench-page-"));
    try {
      const file = path.join(dir, "page.md");
      await writeFile(file, "before\n<!-- bench:latest -->\nold\n<!-- /bench:latest -->\nafter\n");
      await replaceBenchBlock(file, "latest", "new table");
      const replaced = "before\n<!-- bench:latest -->\nnew table\n<!-- /bench:latest -->\nafter\n";
      expect(await readFile(file, "utf8")).toBe(replaced);
      await expect(replaceBenchBlock(file, "headline", "x")).rejects.toThrow(/no <!-- bench:headline -->/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const readme = await readFile(path.join(repo, "README.md"), "utf8");
    expect(readme).toMatch(/<!-- bench:headline -->\nLatest run \(.+\n<!-- \/bench:headline -->/);
    const page = await readFile(path.join(repo, "docs", "benchmarks.md"), "utf8");
    expect(page).toMatch(/<!-- bench:latest -->\nMeasured on [\s\S]+\| measurement \|[\s\S]+<!-- \/bench:latest -->/);
  });
});
