/** Turns benchmark measurements into the printed table, the JSON file and the README section. */
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
  n === undefined || !Number.isFinite(n) ? "n/a" : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
const verdict = (value: number | undefined, ok: (v: number) => boolean) => (value === undefined ? "n/a" : ok(value) ? "yes" : "**no**");

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
  const header = ["measurement", "reference server", "raw node:http", "Prism mock", "reference / baseline", "target", "met"];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One line describing the machine, for the README. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cpus} cores (${m.cpuModel}), ${fmt(m.memoryGiB)} GiB memory, Node ${m.node}, ${m.os}, ${m.date}`;
}

/** Writes the JSON results. */
export async function writeJson(file: string, r: BenchResults): Promise<void> {
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}

/**
 * Replaces the latest table inside the README's `bench` section: the text between `<!-- bench:latest -->` and
 * `<!-- /bench:latest -->`, which must sit inside `<!-- section:bench -->`. The prose around it is kept.
 */
export async function updateReadmeTable(readmePath: string, body: string): Promise<void> {
  const readme = await readFile(readmePath, "utf8");
  const section = readme.indexOf("<!-- section:bench -->");
  const sectionEnd = readme.indexOf("<!-- /section:bench -->");
  const open = "<!-- bench:latest -->";
  const close = "<!-- /bench:latest -->";
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (section < 0 || start < section || end < start || sectionEnd < end) {
    throw new Error(`${readmePath} has no ${open} ... ${close} block inside its bench section`);
  }
  await writeFile(readmePath, `${readme.slice(0, start + open.length)}\n${body.trim()}\n${readme.slice(end)}`);
}
