/**
 * `npx tsx scripts/bench/login-flood.ts`: how long a 1 KB download takes while a flood of wrong logins is in flight
 * (issue #12: password hashing used to share libuv's thread pool with file I/O, and 200 concurrent wrong logins
 * stalled downloads for about 30 s). Starts the reference server in its own process, measures downloads alone, then
 * fires the wrong logins all at once and downloads the same 1 KB every 50 ms until the last login is answered.
 *
 * Options: `--logins N` (default 200); `--raise-limits` sets the failed-login limits far above N, so that every
 * login is hashed (what the hashing fix alone is worth; without it the throttle answers most of them 429 at once);
 * `--reference-entry <file>` runs another server entry (for example an older checkout's server/main.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "undici";
import { loginAdmin, startReferenceServer } from "../../test/support/reference-server.ts";

const { values } = parseArgs({
  options: {
    logins: { type: "string", default: "200" },
    "raise-limits": { type: "boolean", default: false },
    "reference-entry": { type: "string" },
  },
});
const logins = Number(values.logins);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const max = sorted[sorted.length - 1]!;
  const p50 = ms(percentile(sorted, 50));
  const p95 = ms(percentile(sorted, 95));
  return `${sorted.length} downloads, median ${p50}, p95 ${p95}, max ${ms(max)}`;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), "login-flood-"));
const server = await startReferenceServer({
  dataDir,
  ...(values["reference-entry"] ? { entry: values["reference-entry"] } : {}),
  env: values["raise-limits"]
    ? { WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "1000000", WA_LOGIN_MAX_FAILURES_PER_USER: "1000000" }
    : {},
});
try {
  const token = await loginAdmin(server.url);
  const auth = { Authorization: `Bearer ${token}` };
  const up = await fetch(`${server.url}/v1/media`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "text/plain" },
    body: "x".repeat(1024),
  });
  const id = ((await up.json()) as { media: Array<{ id: string }> }).media[0]!.id;
  // Downloads keep a connection of their own (opened in the quiet phase), so that what is measured is the server's
  // answer, not this process queueing the download behind the 200 connections it opens for the logins.
  const downloads = new Agent({ connections: 1 });
  const download = async (): Promise<number> => {
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/media/${id}`, { headers: auth, dispatcher: downloads } as RequestInit);
    const bytes = await res.arrayBuffer();
    if (res.status !== 200 || bytes.byteLength !== 1024) {
      throw new Error(`download answered ${res.status} with ${bytes.byteLength} bytes`);
    }
    return performance.now() - started;
  };

  const quiet: number[] = [];
  for (let i = 0; i < 20; i++) quiet.push(await download());
  console.log(`without logins: ${summary(quiet)}`);

  const statuses = new Map<number, number>();
  let pending = logins;
  const floodStarted = performance.now();
  const flood = Array.from({ length: logins }, (_, i) =>
    fetch(`${server.url}/v1/users/login`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`admin:Wrong-passw0rd-${i}!`).toString("base64")}` },
    })
      .then(async (res) => {
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      })
      .finally(() => pending--),
  );
  const during: number[] = [];
  while (pending > 0) {
    during.push(await download());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(flood);
  const floodMs = performance.now() - floodStarted;
  const answers = [...statuses].map(([status, count]) => `${count} x ${status}`).join(", ");
  const last = `the last answered after ${(floodMs / 1000).toFixed(1)} s`;
  console.log(`during ${logins} concurrent wrong logins (${answers}; ${last}): ${summary(during)}`);
  console.log(
    `  first downloads of the flood, ms: ${during
      .slice(0, 8)
      .map((ms) => ms.toFixed(0))
      .join(", ")}`,
  );
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
