/** Drives one load phase: spawns the autocannon worker process and returns the figures the report needs. */
import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../test/support/child-server.ts";

/** What one autocannon run does. */
export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** A file whose bytes are sent as the body of every request. */
  bodyFile?: string;
  connections: number;
  durationSeconds: number;
  /** Stop after this many requests even if time remains (bounds disk use of upload phases). */
  maxRequests?: number;
  timeoutSeconds: number;
}

/** The figures of one run. */
export interface LoadResult {
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  elapsedSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; average: number; max: number };
  /** Response bytes read per second (headers included), as autocannon counts them. */
  responseBytesPerSecond: number;
}

/** Runs the load in a separate Node process and parses its result. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const worker = path.join(repoRoot, "scripts/bench/autocannon-worker.ts");
  const child = spawn(process.execPath, ["--import", "tsx", worker, JSON.stringify(spec)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), (spec.durationSeconds + spec.timeoutSeconds + 30) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(killer);
  if (code !== 0) throw new Error(`autocannon worker failed (${code}): ${stderr}`);
  const r = JSON.parse(stdout) as import("autocannon").AutocannonResult & { elapsedToLastResponseMs: number };
  const elapsedSeconds = r.elapsedToLastResponseMs / 1000;
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  const ok2xx = r["2xx"];
  return {
    requests: r.requests.total,
    ok2xx,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    elapsedSeconds,
    requestsPerSecond: elapsedSeconds > 0 ? ok2xx / elapsedSeconds : 0,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, average: r.latency.average, max: r.latency.max },
    responseBytesPerSecond: elapsedSeconds > 0 ? r.throughput.total / elapsedSeconds : 0,
  };
}
