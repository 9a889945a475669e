/**
 * SIGKILL of one of two instances (one database, one shared media folder) while uploads are under way on both:
 * every upload either instance acknowledged downloads byte-identical from the survivor, the survivor finishes its own
 * uploads and keeps serving, and no file in the shared folder holds part of a body.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { ChildServer } from "../support/child-server.ts";
import { pdfBody, sha256 } from "../support/data-dir.ts";
import { pacedUpload, type PacedUpload } from "../support/paced-upload.ts";
import { request } from "../support/plain-http-client.ts";
import {
  ADMIN_PASSWORD,
  loginAdmin,
  sharedStorage,
  startInstances,
  type SharedStorage,
} from "../support/postgres-instances.ts";

const MiB = 1024 * 1024;
let shared: SharedStorage | undefined;
let servers: ChildServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  await shared?.remove();
});

async function recordedMedia(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; sha256: string }>("SELECT id, sha256 FROM media");
    return new Map(rows.map((row) => [row.id, row.sha256]));
  } finally {
    await client.end();
  }
}

describe("SIGKILL of one instance during uploads on both", () => {
  it("loses nothing acknowledged, shows nothing partial, and the other keeps serving", async () => {
    shared = await sharedStorage();
    servers = await startInstances(2, shared);
    const [victim, survivor] = servers as [ChildServer, ChildServer];
    const token = await loginAdmin(victim.url, ADMIN_PASSWORD);

    // 24 bodies of 2-3 MiB in 128 KiB pieces 80 ms apart, started 60 ms apart, alternately on each instance.
    const bodies = Array.from({ length: 24 }, (_, i) => pdfBody(2 * MiB + ((i * 53_077) % MiB)));
    const uploads: Array<{ upload: PacedUpload; on: ChildServer; sha: string }> = [];
    let killed: { acked: number; midBody: number } | undefined;
    const onAck = () => {
      const acked = uploads.filter((u) => u.upload.id).length;
      if (acked >= 8 && !killed) {
        const midBody = uploads.filter((u) => u.on === victim && !u.upload.bodySent && !u.upload.id).length;
        killed = { acked, midBody };
        victim.child.kill("SIGKILL");
      }
    };
    await new Promise<void>((resolve) => {
      bodies.forEach((body, i) => {
        setTimeout(() => {
          const on = i % 2 === 0 ? victim : survivor;
          if (!(killed && on === victim)) {
            const upload = pacedUpload(on.url, token, body, {
              chunkBytes: 128 * 1024,
              pauseMs: 80,
              contentType: "application/pdf",
              onAck,
            });
            uploads.push({ upload, on, sha: sha256(body) });
          }
          if (i === bodies.length - 1) resolve();
        }, i * 60);
      });
    });
    await Promise.all(uploads.map((u) => u.upload.done));
    expect(killed, "the kill happened after the 8th acknowledgement").toBeDefined();
    expect(killed!.midBody).toBeGreaterThan(0);
    expect((await victim.exited).signal).toBe("SIGKILL");

    // The survivor finished every upload sent to it.
    const onSurvivor = uploads.filter((u) => u.on === survivor);
    expect(onSurvivor.map((u) => u.upload.failure)).toEqual(onSurvivor.map(() => undefined));
    // Every acknowledged upload, on either instance, is served whole by the survivor.
    const acked = uploads.filter((u) => u.upload.id);
    expect(acked.length).toBeGreaterThan(killed!.acked);
    for (const { upload, sha } of acked) {
      const res = await request(`${survivor.url}/v1/media/${upload.id}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status, `acknowledged upload ${upload.id}`).toBe(200);
      expect(sha256(res.body)).toBe(sha);
    }

    // Records and files: every record names a whole body that was completely sent; every file in the folder (a
    // record's, or one the victim renamed into place before dying) is a whole body, never a prefix.
    const whole = new Set(uploads.filter((u) => u.upload.id || u.upload.bodySent).map((u) => u.sha));
    const records = await recordedMedia(shared.databaseUrl);
    for (const { upload } of acked) expect(records.has(upload.id!)).toBe(true);
    for (const digest of records.values()) expect(whole.has(digest)).toBe(true);
    const folder = path.join(shared.mediaDir, "media");
    const files = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isFile());
    for (const id of records.keys()) expect(files.map((f) => f.name)).toContain(id);
    for (const file of files) {
      expect(whole.has(sha256(readFileSync(path.join(folder, file.name)))), `${file.name} is whole`).toBe(true);
    }

    // And it keeps serving: a new upload, downloaded again.
    const more = pdfBody(MiB);
    const up = await request(`${survivor.url}/v1/media`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/pdf" },
      body: more,
    });
    expect(up.status).toBe(201);
    const id = up.json<{ media: Array<{ id: string }> }>().media[0]!.id;
    const down = await request(`${survivor.url}/v1/media/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(down.body.equals(more)).toBe(true);
  }, 120_000);
});
