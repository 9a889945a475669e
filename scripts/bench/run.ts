/**
 * `npm run bench`: measures the reference server against baselines run on the same machine in the same run, on
 * loopback only, every phase bounded in time (and upload phases also in request count, to bound disk use).
 *   (a) GET /v1/settings/application with an admin token: reference vs raw node:http vs Prism mock; req/s and p99.
 *   (b) POST /v1/media and GET /v1/media/{id} with 1, 16 and 100 MiB bodies: reference vs raw node:http; MiB/s
 *       and each server's peak RSS (fresh server process per size, RSS growth measured from its idle state).
 *   The reference server is measured twice side by side: on SQLite (`npm start`) and on PostgreSQL (DATABASE_URL,
 *   a fresh database per server on a throwaway cluster of Debian's binaries, test/support/postgres-cluster.ts, or on
 *   --postgres-url), so the cost of a shared database shows as a ratio to SQLite and to raw.
 * Each server is its own child process; load comes from autocannon in yet another process.
 * Options: --duration <s> (seconds of each settings phase, default 5), --warmup <s> (default 1), --media-mib <n>
 * (MiB each media phase moves, default 512: count-based so a big body is never cut off mid-way; each phase is
 * also capped at 60 s), --quick (2 s settings phases, 256 MiB media phases), --connections <n> (settings read,
 * default 10), --rounds <n> (servers take turns n times; best throughput and worst RSS reported; default 2, quick 1),
 * --sizes 1,16,100, --out <file> (default bench-results/latest.json), --write-docs (copy the table into
 * docs/benchmarks.md and the headline into the README), --no-prism, --reference-entry <file> (another build of the
 * server to measure, e.g. a patched copy, default server/main.ts), --postgres-url <url> (a PostgreSQL server whose
 * user may create databases, instead of a throwaway cluster), --no-postgres (SQLite only).
 */
import { randomBytes } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startPrism, type RunningPrism } from "../../conformance/prism-process.ts";
import {
  createDatabase,
  postgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from "../../test/support/postgres-cluster.ts";
import { repoRoot, startChildServer, type ChildServer } from "../../test/support/child-server.ts";
import { runLoad, type LoadResult, type LoadSpec } from "./load.ts";
import { loginAdmin, startReferenceServer } from "../../test/support/reference-server.ts";
import {
  describeMachine,
  renderHeadline,
  renderTable,
  replaceBenchBlock,
  writeJson,
  type BenchResults,
  type MediaFigures,
} from "./report.ts";
import { watchRss } from "./rss-sampler.ts";

const MiB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    quick: { type: "boolean", default: false },
    connections: { type: "string", default: "10" },
    sizes: { type: "string", default: "1,16,100" },
    "media-mib": { type: "string" },
    rounds: { type: "string" },
    "reference-entry": { type: "string", default: "server/main.ts" },
    out: { type: "string", default: "bench-results/latest.json" },
    "write-docs": { type: "boolean", default: false },
    "no-prism": { type: "boolean", default: false },
    "postgres-url": { type: "string" },
    "no-postgres": { type: "boolean", default: false },
  },
});
const quick = values.quick;
const durationSeconds = Number(values.duration ?? (quick ? 2 : 5));
const warmupSeconds = Number(values.warmup ?? (quick ? 0.5 : 1));
const connections = Number(values.connections);
const sizesMiB = values.sizes.split(",").map(Number);
/** Bytes each media phase moves (at least 3 requests); bounds disk use and makes phases comparable. */
const mediaPhaseBytes = Number(values["media-mib"] ?? (quick ? 256 : 512)) * MiB;
const mediaPhaseCapSeconds = 60;
const rounds = Number(values.rounds ?? (quick ? 1 : 2));
if (
  ![durationSeconds, connections, mediaPhaseBytes, rounds, ...sizesMiB].every((n) => Number.isFinite(n) && n > 0) ||
  !(warmupSeconds >= 0)
) {
  throw new Error(
    "--duration, --connections, --media-mib, --rounds and --sizes take positive numbers, --warmup zero or more",
  );
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
  memoryGiB: os.totalmem() / 1024 ** 3,
  node: process.version,
  os: `${os.type()} ${os.release()}`,
  date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
};
const results: BenchResults = {
  machine,
  options: {
    referenceEntry: values["reference-entry"],
    durationSeconds,
    warmupSeconds,
    connections,
    sizesMiB,
    quick,
    rounds,
    mediaPhaseBytes,
    mediaPhaseCapSeconds,
  },
  settings: {},
  media: [],
  notes: [],
};
const note = (text: string) => {
  results.notes.push(text);
  console.log(`  note: ${text}`);
};

const root = await mkdtemp(path.join(os.tmpdir(), "bench-"));
const children: ChildServer[] = [];
let prism: RunningPrism | undefined;
let postgres: PostgresCluster | undefined;
const cleanUp = async () => {
  await Promise.all(children.map((c) => c.stop()));
  await prism?.stop();
  await postgres?.stop();
  await rm(root, { recursive: true, force: true });
};
process.on("SIGINT", () => void cleanUp().then(() => process.exit(130)));

function checkLoad(label: string, load: LoadResult): void {
  if (load.non2xx || load.errors || load.timeouts) {
    const statuses = JSON.stringify(load.statusCodes);
    note(`${label}: ${load.non2xx} non-2xx (${statuses}), ${load.errors} errors, ${load.timeouts} timeouts`);
  }
}

async function measure(
  label: string,
  spec: Omit<LoadSpec, "durationSeconds" | "timeoutSeconds">,
  warm: boolean,
): Promise<LoadResult> {
  if (warm && warmupSeconds > 0) await runLoad({ ...spec, durationSeconds: warmupSeconds, timeoutSeconds: 30 });
  const load = await runLoad({ ...spec, durationSeconds, timeoutSeconds: 60 });
  checkLoad(label, load);
  console.log(
    `  ${label}: ${load.ok2xx} ok in ${load.elapsedSeconds.toFixed(1)} s, ` +
      `${load.requestsPerSecond.toFixed(0)} req/s, p99 ${load.latencyMs.p99} ms`,
  );
  return load;
}

/** Which storage a reference server runs on. */
type Storage = "sqlite" | "postgres";

async function startReference(
  name: string,
  storage: Storage = "sqlite",
): Promise<{ server: ChildServer; token: string } | undefined> {
  const dataDir = path.join(root, name);
  try {
    // A fresh database per server, as a fresh data directory is for SQLite; the blobs go to the data directory.
    const database =
      storage === "postgres"
        ? { DATABASE_URL: await createDatabase(postgres!.adminUrl, "bench"), MEDIA_DIR: dataDir }
        : {};
    // The node's upload cap is raised above the 100 MiB document limit so the per-type limit is the one that applies.
    const server = await startReferenceServer({
      dataDir,
      entry: values["reference-entry"],
      env: { WA_MEDIA_MAX_BYTES: String(128 * MiB), ...database },
    });
    children.push(server);
    return { server, token: await loginAdmin(server.url) };
  } catch (err) {
    note(`reference server unavailable (${name}): ${(err as Error).message.split("\n").slice(0, 6).join(" / ")}`);
    return undefined;
  }
}

async function startRaw(name: string, token: string, settingsFile: string): Promise<ChildServer> {
  const server = await startChildServer("scripts/bench/raw-server.ts", {
    env: {
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: path.join(root, name),
      BENCH_TOKEN: token,
      SETTINGS_FILE: settingsFile,
    },
  });
  children.push(server);
  return server;
}

async function stopChild(server: ChildServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  children.splice(children.indexOf(server), 1);
}

/** The settings document served by the raw baseline: the reference server's own reply, else the spec's example. */
async function settingsDocument(ref: { server: ChildServer; token: string } | undefined): Promise<unknown> {
  if (ref) {
    const res = await fetch(`${ref.server.url}/v1/settings/application`, {
      headers: { Authorization: `Bearer ${ref.token}` },
    });
    const body = (await res.json()) as { settings?: { application?: unknown } };
    if (res.status === 200 && body.settings?.application) return body.settings.application;
    note(`reference GET /v1/settings/application answered ${res.status}; the raw baseline serves the spec example`);
  }
  const bundle = JSON.parse(readFileSync(path.join(repoRoot, "generated/openapi.json"), "utf8"));
  return bundle.components.examples.SettingsDefaults.value.settings.application;
}

async function benchSettings(): Promise<void> {
  console.log(
    `settings read: ${connections} connections, ${rounds} round(s) of ${durationSeconds} s per server ` +
      `(after ${warmupSeconds} s warm-up)`,
  );
  const ref = await startReference("settings-reference");
  const pg = postgres ? await startReference("settings-postgres", "postgres") : undefined;
  const rawToken = randomBytes(32).toString("base64url");
  const settingsFile = path.join(root, "settings.json");
  await writeFile(settingsFile, JSON.stringify(await settingsDocument(ref)));
  const raw = await startRaw("settings-raw", rawToken, settingsFile);
  if (!values["no-prism"]) prism = await startPrism();
  const spec = (url: string, token: string) => ({
    url: `${url}/v1/settings/application`,
    method: "GET" as const,
    headers: { Authorization: `Bearer ${token}` },
    connections,
  });
  const targets: Array<[keyof BenchResults["settings"], string, ReturnType<typeof spec>]> = [
    ["raw", "raw node:http", spec(raw.url, rawToken)],
    ...(ref
      ? [
          ["reference", "reference", spec(ref.server.url, ref.token)] as [
            keyof BenchResults["settings"],
            string,
            ReturnType<typeof spec>,
          ],
        ]
      : []),
    ...(pg
      ? [
          ["postgres", "reference on PostgreSQL", spec(pg.server.url, pg.token)] as [
            keyof BenchResults["settings"],
            string,
            ReturnType<typeof spec>,
          ],
        ]
      : []),
    ...(prism
      ? [
          ["prism", "Prism mock", spec(prism.url, rawToken)] as [
            keyof BenchResults["settings"],
            string,
            ReturnType<typeof spec>,
          ],
        ]
      : []),
  ];
  const runs = new Map<string, LoadResult[]>();
  // Servers take turns round after round, so a burst of load from elsewhere on the machine hits them all alike.
  for (let round = 1; round <= rounds; round++) {
    for (const [key, label, load] of targets) {
      runs.set(key, [...(runs.get(key) ?? []), await measure(`${label} (round ${round})`, load, round === 1)]);
    }
  }
  for (const [key] of targets) {
    const all = runs.get(key)!;
    const best = all.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    results.settings[key] = { load: best, rounds: all };
  }
  await stopChild(raw);
  await stopChild(ref?.server);
  await stopChild(pg?.server);
  await prism?.stop();
  prism = undefined;
}

/** A body that sniffs as a PDF (so `application/pdf` passes the magic-byte check) followed by random bytes. */
async function makeBody(file: string, size: number): Promise<void> {
  const body = randomBytes(size);
  Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1").copy(body);
  await writeFile(file, body);
}

/** Uploads a file with a streamed request and returns the media id. */
function uploadOnce(url: string, token: string, file: string, size: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/media`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/pdf", "Content-Length": size },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        const id =
          res.statusCode === 201 ? (JSON.parse(text) as { media?: Array<{ id?: string }> }).media?.[0]?.id : undefined;
        if (id) resolve(id);
        else reject(new Error(`upload answered ${res.statusCode}: ${text.slice(0, 300)}`));
      });
    });
    createReadStream(file).pipe(req);
  });
}

async function benchMediaSize(sizeMiB: number, smallBody: string): Promise<void> {
  const size = Math.round(sizeMiB * MiB);
  const bodyFile = path.join(root, `body-${sizeMiB}.pdf`);
  await makeBody(bodyFile, size);
  const mediaConnections = sizeMiB >= 100 ? 1 : 2;
  const requests = Math.max(3, mediaConnections, Math.round(mediaPhaseBytes / size));
  console.log(
    `media ${sizeMiB} MiB: ${mediaConnections} connection(s), ` +
      `${requests} uploads then ${requests} downloads per server`,
  );
  const entry: BenchResults["media"][number] = { sizeMiB, upload: {}, download: {} };
  const runs = {
    upload: { raw: [] as MediaFigures[], reference: [] as MediaFigures[], postgres: [] as MediaFigures[] },
    download: { raw: [] as MediaFigures[], reference: [] as MediaFigures[], postgres: [] as MediaFigures[] },
  };
  const kinds = postgres ? (["raw", "reference", "postgres"] as const) : (["raw", "reference"] as const);
  for (let round = 1; round <= rounds; round++)
    for (const kind of kinds) {
      let server: ChildServer | undefined;
      let token: string;
      const name = `media-${sizeMiB}-${kind}-${round}`;
      if (kind === "raw") {
        token = randomBytes(32).toString("base64url");
        server = await startRaw(name, token, path.join(root, "settings.json"));
      } else {
        const ref = await startReference(name, kind === "postgres" ? "postgres" : "sqlite");
        if (!ref) continue;
        ({ server, token } = ref);
      }
      const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/pdf" };
      const upload = { url: `${server.url}/v1/media`, method: "POST" as const, headers, connections: mediaConnections };
      // Warm-ups use the 1 MiB body, so the idle RSS the growth is measured from is not inflated by a big body.
      const smallId = await uploadOnce(server.url, token, smallBody, MiB);
      if (warmupSeconds > 0) {
        await runLoad({
          ...upload,
          bodyFile: smallBody,
          durationSeconds: warmupSeconds,
          maxRequests: 20,
          timeoutSeconds: 30,
        });
        await runLoad({
          url: `${server.url}/v1/media/${smallId}`,
          method: "GET",
          headers: { Authorization: headers.Authorization },
          connections: mediaConnections,
          durationSeconds: warmupSeconds,
          maxRequests: 20,
          timeoutSeconds: 30,
        });
      }
      const phase = async (label: string, spec: LoadSpec): Promise<MediaFigures> => {
        const rss = watchRss(server!.pid);
        const load = await runLoad(spec);
        const memory = rss.stop();
        checkLoad(label, load);
        const mibPerSecond = load.elapsedSeconds > 0 ? (load.ok2xx * size) / MiB / load.elapsedSeconds : 0;
        console.log(
          `  ${label}: ${load.ok2xx} ok in ${load.elapsedSeconds.toFixed(1)} s, ${mibPerSecond.toFixed(0)} MiB/s, ` +
            `peak RSS ${memory.peakMiB.toFixed(0)} MiB (+${memory.growthMiB.toFixed(0)})`,
        );
        return { load, mibPerSecond, rss: memory };
      };
      runs.upload[kind].push(
        await phase(`${kind} upload (round ${round})`, {
          ...upload,
          bodyFile,
          durationSeconds: mediaPhaseCapSeconds,
          maxRequests: requests,
          timeoutSeconds: 60,
        }),
      );
      const id = await uploadOnce(server.url, token, bodyFile, size);
      runs.download[kind].push(
        await phase(`${kind} download (round ${round})`, {
          url: `${server.url}/v1/media/${id}`,
          method: "GET",
          headers: { Authorization: headers.Authorization },
          connections: mediaConnections,
          durationSeconds: mediaPhaseCapSeconds,
          maxRequests: requests,
          timeoutSeconds: 60,
        }),
      );
      await stopChild(server);
      await rm(path.join(root, name), { recursive: true, force: true });
    }
  // Throughput: the best round (least disturbed by other load on the machine). Memory: the worst round.
  for (const direction of ["upload", "download"] as const) {
    for (const kind of kinds) {
      const all = runs[direction][kind];
      if (all.length === 0) continue;
      const best = all.reduce((a, b) => (b.mibPerSecond > a.mibPerSecond ? b : a));
      const worstRss = all.reduce((a, b) => (b.rss.growthMiB > a.rss.growthMiB ? b : a)).rss;
      entry[direction][kind] = {
        load: best.load,
        mibPerSecond: best.mibPerSecond,
        rss: worstRss,
        rounds: all.map(({ rounds: _, ...r }) => r),
      };
    }
  }
  await rm(bodyFile, { force: true });
  results.media.push(entry);
}

/** The PostgreSQL column: a server given by URL, a throwaway cluster, or none (noted) when neither is possible. */
async function preparePostgres(): Promise<void> {
  if (values["no-postgres"]) return;
  const url = values["postgres-url"];
  if (url) {
    postgres = { adminUrl: url, stop: async () => undefined };
    return;
  }
  if (!postgresBinaries()) {
    note("no PostgreSQL column: install Debian's postgresql (apt-get install -y postgresql) or pass --postgres-url");
    return;
  }
  postgres = await startPostgresCluster();
}

/** The PostgreSQL server's figures as ratios to SQLite's, for the notes (the table has them against raw). */
function postgresNote(): void {
  if (!postgres) return;
  const r = (pg: number | undefined, sqlite: number | undefined) =>
    pg !== undefined && sqlite ? `${(pg / sqlite).toFixed(2)}x` : "n/a";
  const s = results.settings;
  const parts = [`settings read ${r(s.postgres?.load.requestsPerSecond, s.reference?.load.requestsPerSecond)}`];
  for (const m of results.media) {
    parts.push(
      `${m.sizeMiB} MiB upload ${r(m.upload.postgres?.mibPerSecond, m.upload.reference?.mibPerSecond)}, ` +
        `download ${r(m.download.postgres?.mibPerSecond, m.download.reference?.mibPerSecond)}`,
    );
  }
  note(`PostgreSQL / SQLite (the same server, DATABASE_URL on a local cluster): ${parts.join("; ")}`);
}

try {
  console.log(`bench on ${describeMachine(machine)}`);
  await preparePostgres();
  await benchSettings();
  const smallBody = path.join(root, "warmup-1MiB.pdf");
  await makeBody(smallBody, MiB);
  for (const sizeMiB of sizesMiB) await benchMediaSize(sizeMiB, smallBody);
  postgresNote();
} finally {
  await cleanUp();
}

const table = renderTable(results);
console.log(`\n${table}\n`);
for (const text of results.notes) console.log(`note: ${text}`);
const out = path.resolve(repoRoot, values.out);
await mkdir(path.dirname(out), { recursive: true });
await writeJson(out, results);
console.log(`results written to ${path.relative(repoRoot, out)}`);
if (values["write-docs"]) {
  const notes = results.notes.length ? `\n\nNotes from this run: ${results.notes.join("; ")}.` : "";
  const measured = `Measured on ${describeMachine(machine)} (\`npm run bench\`, ${rounds} rounds):`;
  await replaceBenchBlock(path.join(repoRoot, "docs", "benchmarks.md"), "latest", `${measured}\n\n${table}${notes}`);
  await replaceBenchBlock(path.join(repoRoot, "README.md"), "headline", renderHeadline(results));
  console.log("docs/benchmarks.md table and README headline updated");
}
