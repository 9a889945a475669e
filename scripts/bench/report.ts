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

/** Everything one run measured; a missing server (not startable) is `undefined`. */
export interface BenchResults {
  machine: MachineInfo;
  options: Record<string, unknown>;
  settings: { reference?: SettingsFigures; raw?: SettingsFigures; prism?: SettingsFigures };
  media: Array<{
    sizeMiB: number;
    upload: { reference?: MediaFigures; raw?: MediaFigures };
    download: { reference?: MediaFigures; raw?: MediaFigures };
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

/** The result table, in Markdown (readable as plain text too). */
export function renderTable(r: BenchResults): string {
  const rows: string[][] = [];
  const s = r.settings;
  const vsRaw = ratio(s.reference?.load.requestsPerSecond, s.raw?.load.requestsPerSecond);
  const vsPrism = ratio(s.reference?.load.requestsPerSecond, s.prism?.load.requestsPerSecond);
  rows.push([
    "GET /v1/settings/application, req/s",
    fmt(s.reference?.load.requestsPerSecond),
    fmt(s.raw?.load.requestsPerSecond),
    fmt(s.prism?.load.requestsPerSecond),
    `${fmt(vsRaw, 2)}x raw, ${fmt(vsPrism, 1)}x Prism`,
    `>= ${TARGETS.settingsVsRaw}x raw, >= ${TARGETS.settingsVsPrism}x Prism`,
    `raw: ${verdict(vsRaw, (v) => v >= TARGETS.settingsVsRaw)}, ` +
      `Prism: ${verdict(vsPrism, (v) => v >= TARGETS.settingsVsPrism)}`,
  ]);
  rows.push([
    "GET /v1/settings/application, p99 ms",
    fmt(s.reference?.load.latencyMs.p99, 1),
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
      rows.push([
        `${label} ${m.sizeMiB} MiB, MiB/s`,
        fmt(phase.reference?.mibPerSecond),
        fmt(phase.raw?.mibPerSecond),
        "",
        `${fmt(thr, 2)}x raw`,
        `>= ${TARGETS.mediaVsRaw}x raw`,
        verdict(thr, (v) => v >= TARGETS.mediaVsRaw),
      ]);
      const isBigUpload = label.startsWith("POST") && m.sizeMiB >= 100;
      const growth = phase.reference?.rss.growthMiB;
      rows.push([
        `${label} ${m.sizeMiB} MiB, peak RSS MiB (growth)`,
        phase.reference ? `${fmt(phase.reference.rss.peakMiB)} (+${fmt(phase.reference.rss.growthMiB)})` : "n/a",
        phase.raw ? `${fmt(phase.raw.rss.peakMiB)} (+${fmt(phase.raw.rss.growthMiB)})` : "n/a",
        "",
        "",
        isBigUpload ? `growth < ${TARGETS.rssGrowth100MiB} MiB` : "",
        isBigUpload ? verdict(growth, (v) => v < TARGETS.rssGrowth100MiB) : "",
      ]);
    }
  }
  const header = [
    "measurement",
    "reference server",
    "raw node:http",
    "Prism mock",
    "reference / baseline",
    "target",
    "met",
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
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
  const range = (phase: "upload" | "download") => {
    const ratios = r.media
      .map((m) => ratio(m[phase].reference?.mibPerSecond, m[phase].raw?.mibPerSecond))
      .filter((v): v is number => v !== undefined);
    if (ratios.length === 0) return "n/a";
    const [low, high] = [Math.min(...ratios), Math.max(...ratios)];
    return low === high ? `${fmt(low, 2)}x` : `${fmt(low, 2)}x to ${fmt(high, 2)}x`;
  };
  const sizes = r.media.map((m) => m.sizeMiB).join(", ");
  const growths = r.media.flatMap((m) => [m.upload.reference?.rss.growthMiB, m.download.reference?.rss.growthMiB]);
  const known = growths.filter((v): v is number => v !== undefined);
  const growth = known.length ? `+${fmt(Math.max(...known))} MiB` : "n/a";
  return (
    `Latest run (${r.machine.date}, ${r.machine.cpus} cores, Node ${r.machine.node}): settings read ` +
    `${fmt(vsRaw, 2)}x raw \`node:http\` and ${fmt(vsPrism, 1)}x Prism; ` +
    `media (${sizes} MiB) uploads ${range("upload")} raw, downloads ${range("download")} raw; ` +
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
