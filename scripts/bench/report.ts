/** Turns benchmark measurements into the printed table, the JSON file, docs/benchmarks.md and the README headline. */
import { readFile, writeFile } from "node:fs/promises";
import type { LoadResult } from "./load.ts";
import type { RssPhase } from "./rss-sampler.ts";

/** The machine a run happened on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
}

/** One server's figures for the settings read. */
export interface SettingsFigures {
  /** The best round. */
  load: LoadResult;
  rounds?: LoadResult[];
}

/** One server's figures for one media phase (upload or download of one size). */
export interface MediaFigures {
  load: LoadResult;
  mibPerSecond: number;
  rss: RssPhase;
  /** Every round (the summary takes the best throughput and the worst RSS). */
  rounds?: Array<Omit<MediaFigures, "rounds">>;
}

/**
 * Everything one run measured; a missing server (not startable) is `undefined`. `reference` is the reference server
 * on SQLite (`npm start`), `postgres` the same server on PostgreSQL (DATABASE_URL; absent when no PostgreSQL).
 */
export interface BenchResults {
  machine: MachineInfo;
  options: Record<string, unknown>;
  settings: { reference?: SettingsFigures; postgres?: SettingsFigures; raw?: SettingsFigures; prism?: SettingsFigures };
  media: Array<{
    sizeMiB: number;
    upload: { reference?: MediaFigures; postgres?: MediaFigures; raw?: MediaFigures };
    download: { reference?: MediaFigures; postgres?: MediaFigures; raw?: MediaFigures };
  }>;
  /** Problems seen while measuring (a server that did not start, non-2xx replies, errors). */
  notes: string[];
}

/** The goals from the issue; they are reported, never asserted. */
export const TARGETS = {
  settingsVsRaw: 0.6,
  settingsVsPrism: 15,
  mediaVsRaw: 0.8,
  rssGrowth100MiB: 32,
} as const;

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? "n/a"
    : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
const verdict = (value: number | undefined, ok: (v: number) => boolean) =>
  value === undefined ? "n/a" : ok(value) ? "yes" : "**no**";

/** "PostgreSQL 0.42x raw (0.61x SQLite)", or nothing when the run had no PostgreSQL column. */
function postgresRatios(postgres: number | undefined, sqlite: number | undefined, raw: number | undefined): string {
  if (postgres === undefined) return "";
  return `; PostgreSQL ${fmt(ratio(postgres, raw), 2)}x raw (${fmt(ratio(postgres, sqlite), 2)}x SQLite)`;
}

/** The result table, in Markdown (readable as plain text too); the PostgreSQL column only when it was measured. */
export function renderTable(r: BenchResults): string {
  const rows: string[][] = [];
  const s = r.settings;
  const withPostgres = s.postgres !== undefined || r.media.some((m) => m.upload.postgres || m.download.postgres);
  const vsRaw = ratio(s.reference?.load.requestsPerSecond, s.raw?.load.requestsPerSecond);
  const vsPrism = ratio(s.reference?.load.requestsPerSecond, s.prism?.load.requestsPerSecond);
  const pgSettings = postgresRatios(
    s.postgres?.load.requestsPerSecond,
    s.reference?.load.requestsPerSecond,
    s.raw?.load.requestsPerSecond,
  );
  rows.push([
    "GET /v1/settings/application, req/s",
    fmt(s.reference?.load.requestsPerSecond),
    fmt(s.postgres?.load.requestsPerSecond),
    fmt(s.raw?.load.requestsPerSecond),
    fmt(s.prism?.load.requestsPerSecond),
    `${fmt(vsRaw, 2)}x raw, ${fmt(vsPrism, 1)}x Prism${pgSettings}`,
    `>= ${TARGETS.settingsVsRaw}x raw, >= ${TARGETS.settingsVsPrism}x Prism`,
    `raw: ${verdict(vsRaw, (v) => v >= TARGETS.settingsVsRaw)}, ` +
      `Prism: ${verdict(vsPrism, (v) => v >= TARGETS.settingsVsPrism)}`,
  ]);
  rows.push([
    "GET /v1/settings/application, p99 ms",
    fmt(s.reference?.load.latencyMs.p99, 1),
    fmt(s.postgres?.load.latencyMs.p99, 1),
    fmt(s.raw?.load.latencyMs.p99, 1),
    fmt(s.prism?.load.latencyMs.p99, 1),
    `${fmt(ratio(s.reference?.load.latencyMs.p99, s.raw?.load.latencyMs.p99), 2)}x raw`,
    "",
    "",
  ]);
  for (const m of r.media) {
    for (const [label, phase] of [
      ["POST /v1/media", m.upload],
      ["GET /v1/media/{id}", m.download],
    ] as const) {
      const thr = ratio(phase.reference?.mibPerSecond, phase.raw?.mibPerSecond);
      const pg = postgresRatios(phase.postgres?.mibPerSecond, phase.reference?.mibPerSecond, phase.raw?.mibPerSecond);
      rows.push([
        `${label} ${m.sizeMiB} MiB, MiB/s`,
        fmt(phase.reference?.mibPerSecond),
        fmt(phase.postgres?.mibPerSecond),
        fmt(phase.raw?.mibPerSecond),
        "",
        `${fmt(thr, 2)}x raw${pg}`,
        `>= ${TARGETS.mediaVsRaw}x raw`,
        verdict(thr, (v) => v >= TARGETS.mediaVsRaw),
      ]);
      const isBigUpload = label.startsWith("POST") && m.sizeMiB >= 100;
      const growth = Math.max(phase.reference?.rss.growthMiB ?? 0, phase.postgres?.rss.growthMiB ?? 0);
      const rss = (f: MediaFigures | undefined) => (f ? `${fmt(f.rss.peakMiB)} (+${fmt(f.rss.growthMiB)})` : "n/a");
      rows.push([
        `${label} ${m.sizeMiB} MiB, peak RSS MiB (growth)`,
        rss(phase.reference),
        rss(phase.postgres),
        rss(phase.raw),
        "",
        "",
        isBigUpload ? `growth < ${TARGETS.rssGrowth100MiB} MiB` : "",
        isBigUpload ? verdict(growth, (v) => v < TARGETS.rssGrowth100MiB) : "",
      ]);
    }
  }
  const header = [
    "measurement",
    withPostgres ? "reference server (SQLite)" : "reference server",
    "reference server (PostgreSQL)",
    "raw node:http",
    "Prism mock",
    "reference / baseline",
    "target",
    "met",
  ];
  // Without PostgreSQL figures the table keeps its former shape (no empty column).
  const keep = (cells: string[]) => (withPostgres ? cells : cells.filter((_, i) => i !== 2));
  const line = (cells: string[]) => `| ${keep(cells).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One line describing the machine, for docs/benchmarks.md. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cpus} cores (${m.cpuModel}), ${fmt(m.memoryGiB)} GiB memory, Node ${m.node}, ${m.os}, ${m.date}`;
}

/** Writes the JSON results. */
export async function writeJson(file: string, r: BenchResults): Promise<void> {
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}

/** The README's one-line summary of a run: settings ratios, the ranges of the media ratios, the worst RSS growth. */
export function renderHeadline(r: BenchResults): string {
  const s = r.settings;
  const vsRaw = ratio(s.reference?.load.requestsPerSecond, s.raw?.load.requestsPerSecond);
  const vsPrism = ratio(s.reference?.load.requestsPerSecond, s.prism?.load.requestsPerSecond);
  const range = (phase: "upload" | "download", kind: "reference" | "postgres" = "reference") => {
    const ratios = r.media
      .map((m) => ratio(m[phase][kind]?.mibPerSecond, m[phase].raw?.mibPerSecond))
      .filter((v): v is number => v !== undefined);
    if (ratios.length === 0) return "n/a";
    const [low, high] = [Math.min(...ratios), Math.max(...ratios)];
    return low === high ? `${fmt(low, 2)}x` : `${fmt(low, 2)}x to ${fmt(high, 2)}x`;
  };
  const sizes = r.media.map((m) => m.sizeMiB).join(", ");
  const growths = r.media.flatMap((m) =>
    (["reference", "postgres"] as const).flatMap((kind) => [
      m.upload[kind]?.rss.growthMiB,
      m.download[kind]?.rss.growthMiB,
    ]),
  );
  const known = growths.filter((v): v is number => v !== undefined);
  const growth = known.length ? `+${fmt(Math.max(...known))} MiB` : "n/a";
  const pgVsRaw = ratio(s.postgres?.load.requestsPerSecond, s.raw?.load.requestsPerSecond);
  const postgres = s.postgres
    ? `; on PostgreSQL settings read ${fmt(pgVsRaw, 2)}x raw, ` +
      `uploads ${range("upload", "postgres")} raw, downloads ${range("download", "postgres")} raw`
    : "";
  return (
    `Latest run (${r.machine.date}, ${r.machine.cpus} cores, Node ${r.machine.node}): settings read ` +
    `${fmt(vsRaw, 2)}x raw \`node:http\` and ${fmt(vsPrism, 1)}x Prism; ` +
    `media (${sizes} MiB) uploads ${range("upload")} raw, downloads ${range("download")} raw${postgres}; ` +
    `peak RSS growth at most ${growth}.`
  );
}

/**
 * Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in a Markdown file, keeping the rest:
 * `latest` (the table) in docs/benchmarks.md, `headline` in the README.
 */
export async function replaceBenchBlock(file: string, name: string, body: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${file} has no ${open} ... ${close} block`);
  await writeFile(file, `${text.slice(0, start + open.length)}\n${body.trim()}\n${text.slice(end)}`);
}
