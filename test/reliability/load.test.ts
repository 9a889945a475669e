/**
 * Load: 50 concurrent clients mix uploads, downloads, deletes and settings reads against the reference server (its
 * own process) for 10 s. No network error, no 5xx, no unexpected status, every downloaded byte checked (sha256).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildServer } from "../support/child-server.ts";
import { loginAdmin, startReferenceServer } from "../support/reference-server.ts";
import { mediaRecordIds, mediaTempFiles, pdfBody, sha256 } from "../support/data-dir.ts";

const CLIENTS = 50;
const DURATION_MS = 10_000;

let dataDir: string;
let server: ChildServer;
let token: string;
// Keep-alive connections as a real client pool would use them; one per client at most.
const dispatcher = new Agent({ connections: CLIENTS, keepAliveTimeout: 30_000 });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "reliability-load-"));
  server = await startReferenceServer({ dataDir });
  token = await loginAdmin(server.url);
});

afterAll(async () => {
  await dispatcher.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

type Op = "upload" | "download" | "delete" | "settings";

interface Tally {
  ops: Record<Op, number>;
  problems: string[];
  alive: Map<string, string>;
}

async function request(url: string, init: RequestInit & { dispatcher?: Agent }): Promise<Response> {
  return fetch(url, { ...init, dispatcher } as RequestInit);
}

/** One client: a random mix of operations on its own media (so its expectations never race with another client). */
async function client(number: number, until: number, tally: Tally): Promise<void> {
  const auth = { Authorization: `Bearer ${token}` };
  const mine: Array<{ id: string; sha: string }> = [];
  const random = Math.random;
  const fail = (what: string) => {
    if (tally.problems.length < 20) tally.problems.push(`client ${number}: ${what}`);
  };
  while (Date.now() < until) {
    const roll = random();
    const op: Op =
      mine.length === 0 || roll < 0.35 ? "upload" : roll < 0.7 ? "download" : roll < 0.85 ? "delete" : "settings";
    tally.ops[op] += 1;
    try {
      if (op === "upload") {
        const body = pdfBody(1024 + Math.floor(random() * 256 * 1024));
        const res = await request(`${server.url}/v1/media`, {
          method: "POST",
          headers: { ...auth, "Content-Type": "application/pdf" },
          body: new Uint8Array(body),
        });
        const text = await res.text();
        if (res.status !== 201) fail(`upload answered ${res.status}: ${text.slice(0, 200)}`);
        else {
          const id = (JSON.parse(text) as { media: Array<{ id: string }> }).media[0]!.id;
          mine.push({ id, sha: sha256(body) });
          tally.alive.set(id, sha256(body));
        }
      } else if (op === "download") {
        const item = mine[Math.floor(random() * mine.length)]!;
        const res = await request(`${server.url}/v1/media/${item.id}`, { headers: auth });
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (res.status !== 200) fail(`download ${item.id} answered ${res.status}`);
        else if (sha256(bytes) !== item.sha) fail(`download ${item.id}: corrupted bytes (${bytes.length} bytes)`);
      } else if (op === "delete") {
        const [item] = mine.splice(Math.floor(random() * mine.length), 1);
        const res = await request(`${server.url}/v1/media/${item!.id}`, { method: "DELETE", headers: auth });
        await res.arrayBuffer();
        if (res.status !== 200) fail(`delete ${item!.id} answered ${res.status}`);
        tally.alive.delete(item!.id);
        const gone = await request(`${server.url}/v1/media/${item!.id}`, { headers: auth });
        await gone.arrayBuffer();
        if (gone.status !== 404) fail(`download after delete of ${item!.id} answered ${gone.status}`);
      } else {
        const res = await request(`${server.url}/v1/settings/application`, { headers: auth });
        const body = (await res.json()) as { settings?: { application?: unknown } };
        if (res.status !== 200 || !body.settings?.application) fail(`settings read answered ${res.status}`);
      }
    } catch (err) {
      fail(`${op}: network error ${(err as Error).message} ${String((err as Error).cause ?? "")}`);
    }
  }
}

describe("50 concurrent clients for 10 s", () => {
  it("see no network error, no 5xx and no corrupted byte", async () => {
    const tally: Tally = { ops: { upload: 0, download: 0, delete: 0, settings: 0 }, problems: [], alive: new Map() };
    const until = Date.now() + DURATION_MS;
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i + 1, until, tally)));

    expect(tally.problems).toEqual([]);
    // Every kind of operation really happened, many times.
    for (const op of ["upload", "download", "delete", "settings"] as const)
      expect(tally.ops[op]).toBeGreaterThan(CLIENTS);
    // What survives on disk is exactly what the clients believe is there.
    expect(mediaRecordIds(dataDir)).toEqual([...tally.alive.keys()].sort());
    expect(mediaTempFiles(dataDir)).toEqual([]);
  }, 60_000);
});
