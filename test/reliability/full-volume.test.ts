/**
 * Full media volume: with WA_MEDIA_VOLUME_MAX_BYTES set, an upload that would pass the quota is refused with 503
 * (1011), leaves nothing behind (no record, no blob, no temporary file), and the server keeps serving.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildServer } from "../support/child-server.ts";
import { loginAdmin, startReferenceServer } from "../support/reference-server.ts";
import {
  mediaBlobBytes,
  mediaBlobFiles,
  mediaRecordIds,
  mediaTempFiles,
  pdfBody,
  sha256,
} from "../support/data-dir.ts";

const MiB = 1024 * 1024;
const QUOTA = 3 * MiB;

let dataDir: string;
let server: ChildServer;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "reliability-volume-"));
  server = await startReferenceServer({ dataDir, env: { WA_MEDIA_VOLUME_MAX_BYTES: String(QUOTA) } });
  token = await loginAdmin(server.url);
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Uploads with a Content-Length, or chunked (length unknown until the end) when `chunked` is set. */
interface UploadReply {
  media?: Array<{ id: string }>;
  errors?: Array<{ code: number }>;
}

async function upload(body: Buffer, chunked = false): Promise<{ status: number; json: UploadReply }> {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < body.length; at += 64 * 1024) controller.enqueue(body.subarray(at, at + 64 * 1024));
      controller.close();
    },
  });
  const res = await fetch(`${server.url}/v1/media`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/pdf" },
    body: chunked ? stream : body,
    ...(chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as UploadReply };
}

function expectNothingLeftBehind(committed: string[]): void {
  expect(mediaRecordIds(dataDir)).toEqual([...committed].sort());
  expect(mediaBlobFiles(dataDir)).toEqual([...committed].sort());
  expect(mediaTempFiles(dataDir)).toEqual([]);
}

describe("media volume quota", () => {
  it("refuses an upload past the quota with 503 (1011), keeps nothing of it, and keeps serving", async () => {
    const first = pdfBody(2 * MiB);
    const stored = await upload(first);
    expect(stored.status).toBe(201);
    const firstId = stored.json.media![0]!.id;

    for (const chunked of [false, true]) {
      const refused = await upload(pdfBody(2 * MiB), chunked);
      expect(refused.status, `chunked: ${chunked}`).toBe(503);
      expect(refused.json.errors?.[0]?.code).toBe(1011);
      expectNothingLeftBehind([firstId]);
    }

    // Still serving: a small upload fits, settings read, and the first media is intact.
    const small = await upload(pdfBody(512 * 1024));
    expect(small.status).toBe(201);
    const settings = await fetch(`${server.url}/v1/settings/application`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(settings.status).toBe(200);
    await settings.arrayBuffer();
    const download = await fetch(`${server.url}/v1/media/${firstId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(download.status).toBe(200);
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(first));
    expectNothingLeftBehind([firstId, small.json.media![0]!.id]);

    // Deleting frees the space again.
    const deleted = await fetch(`${server.url}/v1/media/${firstId}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(200);
    await deleted.arrayBuffer();
    expect((await upload(pdfBody(2 * MiB))).status).toBe(201);
  }, 30_000);

  it("does not let concurrent uploads overshoot the quota together", async () => {
    const before = mediaRecordIds(dataDir);
    const free = QUOTA - mediaBlobBytes(dataDir);
    // Four uploads of 40% of the free space each: two could fit, four cannot.
    const size = Math.ceil(free * 0.4);
    const results = await Promise.all(Array.from({ length: 4 }, () => upload(pdfBody(size), true)));
    for (const r of results) expect([201, 503]).toContain(r.status);
    expect(results.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(2);
    const added = results.filter((r) => r.status === 201).map((r) => r.json.media![0]!.id);
    expectNothingLeftBehind([...before, ...added]);
    expect(mediaBlobBytes(dataDir)).toBeLessThanOrEqual(QUOTA);
  }, 30_000);
});
