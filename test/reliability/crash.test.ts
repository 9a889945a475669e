/**
 * Crash safety: the reference server (`server/main.ts`, its own process) is killed with SIGKILL while uploads are
 * part-way through their bodies, then restarted on the same data directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ChildServer } from "../support/child-server.ts";
import { loginAdmin, startReferenceServer } from "../support/reference-server.ts";
import {
  blobFileSha256,
  mediaBlobFiles,
  mediaRecordIds,
  mediaTempFiles,
  pdfBody,
  sha256,
} from "../support/data-dir.ts";
import { pacedUpload, type PacedUpload } from "../support/paced-upload.ts";

const MiB = 1024 * 1024;
const started: ChildServer[] = [];
const dirs: string[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "reliability-crash-"));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<{ server: ChildServer; token: string }> {
  const server = await startReferenceServer({ dataDir });
  started.push(server);
  return { server, token: await loginAdmin(server.url) };
}

async function sigkill(server: ChildServer): Promise<void> {
  server.child.kill("SIGKILL");
  const { signal } = await server.exited;
  expect(signal).toBe("SIGKILL");
}

async function download(baseUrl: string, token: string, id: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${baseUrl}/v1/media/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop("SIGKILL")));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("SIGKILL during uploads", () => {
  it("keeps every acknowledged upload byte-identical, " +
    "shows nothing partial, and leaves no temporary file", async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);

    // 20 distinct bodies of 2-3 MiB, each sent in 128 KiB pieces 80 ms apart (about 1.3-2 s per body), started
    // 60 ms apart: all 20 are under way before the 8th acknowledgement, and the later ones are still mid-body.
    const bodies = Array.from({ length: 20 }, (_, i) => pdfBody(2 * MiB + ((i * 53_077) % MiB)));
    const uploads: PacedUpload[] = [];
    const shaOf = new Map<PacedUpload, string>();
    let killedWith: { acked: number; midBody: number } | undefined;
    const killAfter = 8;
    const onAck = () => {
      const acked = uploads.filter((u) => u.id).length;
      if (acked >= killAfter && !killedWith) {
        // Decided and done synchronously in the reply handler: no other upload progresses in between.
        killedWith = { acked, midBody: uploads.filter((u) => !u.bodySent && !u.id && !u.failure).length };
        first.server.child.kill("SIGKILL");
      }
    };
    const timers: NodeJS.Timeout[] = [];
    await new Promise<void>((resolve) => {
      bodies.forEach((body, i) => {
        timers.push(
          setTimeout(() => {
            if (!killedWith) {
              const upload = pacedUpload(first.server.url, first.token, body, {
                chunkBytes: 128 * 1024,
                pauseMs: 80,
                contentType: "application/pdf",
                onAck,
              });
              uploads.push(upload);
              shaOf.set(upload, sha256(body));
            }
            if (i === bodies.length - 1) resolve();
          }, i * 60),
        );
      });
    });
    await Promise.all(uploads.map((u) => u.done));
    timers.forEach(clearTimeout);
    if (!killedWith) first.server.child.kill("SIGKILL");
    const { signal } = await first.server.exited;
    expect(signal).toBe("SIGKILL");

    // The scenario really had uploads in flight: acknowledged ones, and others still sending their body.
    expect(killedWith, "the kill happened after the 8th acknowledgement").toBeDefined();
    expect(uploads.length).toBe(20);
    expect(killedWith!.midBody).toBeGreaterThan(0);
    const acked = uploads.filter((u) => u.id);
    const notAcked = uploads.filter((u) => !u.id);
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);
    expect(notAcked.length).toBeGreaterThan(0);
    // Uploads whose body was complete on the wire may have been stored even though the reply was lost to the kill:
    // they must then be whole. Uploads that had not sent their whole body must not exist in any form.
    const completeUnackedShas = new Set(notAcked.filter((u) => u.bodySent).map((u) => shaOf.get(u)!));
    const ackedShas = new Set(acked.map((u) => shaOf.get(u)!));

    const second = await start(dataDir);
    for (const upload of acked) {
      const { status, bytes } = await download(second.server.url, second.token, upload.id!);
      expect(status, `acknowledged upload ${upload.id}`).toBe(200);
      expect(sha256(bytes)).toBe(shaOf.get(upload));
    }

    const records = mediaRecordIds(dataDir);
    const ackedIds = new Set(acked.map((u) => u.id!));
    for (const id of ackedIds) expect(records).toContain(id);
    for (const id of records.filter((r) => !ackedIds.has(r))) {
      const { status, bytes } = await download(second.server.url, second.token, id);
      expect(status).toBe(200);
      expect(completeUnackedShas.has(sha256(bytes)), `record ${id} holds a body that was never completely sent`).toBe(
        true,
      );
    }
    expect(records.length).toBeLessThanOrEqual(acked.length + completeUnackedShas.size);

    // Blob files in the folder itself: every record has one, and every file (even one whose record was never
    // committed) holds a complete body, never a prefix.
    const files = mediaBlobFiles(dataDir);
    for (const id of records) expect(files).toContain(id);
    for (const name of files) {
      const digest = blobFileSha256(dataDir, name);
      expect(ackedShas.has(digest) || completeUnackedShas.has(digest), `blob file ${name} is not a complete body`).toBe(
        true,
      );
    }
    expect(mediaTempFiles(dataDir)).toEqual([]);
  }, 60_000);
});

describe("SIGKILL after a settings change", () => {
  it("keeps an acknowledged PATCH /v1/settings/application", async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    const heartbeat = 6 + Math.floor(Math.random() * 50);
    const patch = {
      heartbeat_interval: heartbeat,
      sent_status: true,
      log_level: "error",
      media: { auto_download: ["image", "audio"] },
    };
    const res = await fetch(`${first.server.url}/v1/settings/application`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${first.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(patch),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await res.arrayBuffer();
    await sigkill(first.server);

    const second = await start(dataDir);
    const after = await fetch(`${second.server.url}/v1/settings/application`, {
      headers: { Authorization: `Bearer ${second.token}` },
    });
    expect(after.status).toBe(200);
    const { settings } = (await after.json()) as { settings: { application: Record<string, unknown> } };
    expect(settings.application).toMatchObject(patch);
  }, 30_000);
});
