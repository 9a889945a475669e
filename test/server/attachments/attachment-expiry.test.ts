/**
 * Expired attachments lose their bytes (the record stays: the id still answers 2018074, sent messages still name it):
 * at start, and in the background after uploads at most once an hour of clock time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createAppFromConfig } from "../../../server/app.ts";
import {
  EXPIRY_SWEEP_INTERVAL_MS,
  removeExpiredAttachmentBlobs,
} from "../../../server/attachments/attachment-expiry.ts";
import { ATTACHMENT_TTL_MS, AttachmentStore } from "../../../server/attachments/attachment-store.ts";
import { loadConfig } from "../../../server/config.ts";
import { createBlobStore, type BlobStore } from "../../../server/storage/blob-store.ts";
import { openDatabase } from "../../../server/storage/database.ts";
import { SqliteAttachmentRecords } from "../../../server/storage/sqlite/attachment-records.ts";
import * as samples from "../../../conformance/media-files.ts";
import { until } from "../../support/until.ts";
import {
  createMessengerTestApp,
  FakeClock,
  json,
  PAGE_ID,
  TOKEN,
  uploadForm,
  type MessengerTestApp,
} from "../../support/messenger-app.ts";
import { startOrigin } from "../../support/local-origin.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "attachment-expiry-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A database, an attachment store and its blob folder in a temporary directory, on a fake clock. */
async function storage() {
  const dir = tempDir();
  const db = openDatabase(dir);
  cleanups.push(() => db.close());
  const clock = new FakeClock();
  const store = new AttachmentStore(new SqliteAttachmentRecords(db), clock);
  return { clock, store, blobs: await createBlobStore(path.join(dir, "attachments")) };
}

async function storedAttachment(store: AttachmentStore, blobs: BlobStore, isReusable = true) {
  const id = await store.newId();
  const bytes = samples.png();
  async function* body() {
    yield bytes;
  }
  const written = await blobs.write(id, body(), { maxBytes: 1024 * 1024 });
  return store.insert({
    id,
    pageId: PAGE_ID,
    type: "image",
    isReusable,
    blobId: id,
    ...written,
    mimeType: "image/png",
    source: "file",
  });
}

describe("removing expired attachments' files", () => {
  it("removes the bytes of expired attachments only, once, and keeps their records", async () => {
    const { clock, store, blobs } = await storage();
    const old = await storedAttachment(store, blobs);
    const oldSingle = await storedAttachment(store, blobs, false);
    clock.advance(24 * 3600 * 1000);
    const recent = await storedAttachment(store, blobs);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(0);

    clock.advance(ATTACHMENT_TTL_MS - 24 * 3600 * 1000);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(2);
    expect((await blobs.list()).sort()).toEqual([recent.blobId]);
    expect(blobs.usedBytes()).toBe(recent.size);
    expect(await store.get(old.id)).toEqual(old);
    expect(await store.get(oldSingle.id)).toEqual(oldSingle);
    expect(await store.findSendable(old.id, PAGE_ID)).toBeUndefined();
    expect((await store.findSendable(recent.id, PAGE_ID))?.id).toBe(recent.id);
    // Marked: the next sweep has nothing to do.
    expect(await store.expiredBlobIds(10)).toEqual([]);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(0);
  });

  it("keeps the bytes of every attachment a message sent, whatever its age (the spec: they never expire)", async () => {
    const { clock, store, blobs } = await storage();
    const sent = await storedAttachment(store, blobs);
    const unsent = await storedAttachment(store, blobs);
    const sentOnce = await storedAttachment(store, blobs, false);
    await store.recordMessage({ pageId: PAGE_ID, recipientId: "1254459154682919", attachmentId: sent.id });
    await store.recordMessage({ pageId: PAGE_ID, recipientId: "1254459154682919", attachmentId: sentOnce.id });

    clock.advance(ATTACHMENT_TTL_MS);
    expect(await store.expiredBlobIds(10)).toEqual([unsent.blobId]);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(1);
    expect((await blobs.list()).sort()).toEqual([sent.blobId, sentOnce.blobId].sort());
    // Years later, still there; the id itself has expired all the same: it cannot be sent again.
    clock.advance(10 * ATTACHMENT_TTL_MS);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(0);
    expect((await blobs.list()).sort()).toEqual([sent.blobId, sentOnce.blobId].sort());
    expect(await store.findSendable(sent.id, PAGE_ID)).toBeUndefined();
  });

  it("settles a file removed before a crash could mark it", async () => {
    const { clock, store, blobs } = await storage();
    const rec = await storedAttachment(store, blobs);
    await blobs.delete(rec.blobId);
    clock.advance(ATTACHMENT_TTL_MS);
    expect(await removeExpiredAttachmentBlobs(store, blobs)).toBe(1);
    expect(await store.expiredBlobIds(10)).toEqual([]);
  });

  it("adds the column to a database made before it existed", async () => {
    const db = new Database(":memory:");
    cleanups.push(() => db.close());
    db.exec(`
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY, page_id TEXT NOT NULL, type TEXT NOT NULL, is_reusable INTEGER NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, blob_id TEXT NOT NULL, size INTEGER NOT NULL,
        sha256 TEXT NOT NULL, mime_type TEXT, source TEXT NOT NULL
      );
      INSERT INTO attachments VALUES
        ('1234567890123456', '1', 'image', 1, 0, 1000, '1234567890123456', 3, 'x', NULL, 'url');
    `);
    const clock = new FakeClock(2000);
    const store = new AttachmentStore(new SqliteAttachmentRecords(db), clock);
    expect(await store.expiredBlobIds(10)).toEqual(["1234567890123456"]);
    await store.markBlobRemoved("1234567890123456");
    expect(await store.expiredBlobIds(10)).toEqual([]);
    expect((await store.get("1234567890123456"))?.id).toBe("1234567890123456");
  });

  it("runs in the background after an upload, at most once an hour of clock time", async () => {
    const t: MessengerTestApp = await createMessengerTestApp();
    cleanups.push(() => t.close());
    const post = (form: FormData) =>
      t.request(`/v21.0/me/message_attachments?access_token=${TOKEN}`, { method: "POST", body: form });
    const upload = async () => {
      const res = await post(
        uploadForm({ attachment: { type: "image", payload: { is_reusable: true } } }, samples.png(), "image/png"),
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { attachment_id: string }).attachment_id;
    };
    // Done when the file is gone and its record marked (the sweep's last step, after which it ends synchronously).
    const store = new AttachmentStore(t.storage.attachments, t.clock);
    const swept = (blobId: string) => async () =>
      !(await t.storage.attachmentBlobs.list()).includes(blobId) && !(await store.expiredBlobIds(100)).includes(blobId);
    const first = await upload();
    // 90 days later (far more than an hour since the start-up sweep), an upload starts a sweep.
    t.clock.advance(ATTACHMENT_TTL_MS);
    const second = await upload();
    await until(swept(first), "the expired file to be removed");
    expect(await t.storage.attachmentBlobs.list()).toEqual([second]);

    // Half an hour before `second` expires, an upload starts a sweep that finds nothing...
    const minute = 60 * 1000;
    t.clock.advance(ATTACHMENT_TTL_MS - 30 * minute);
    const third = await upload();
    // ...and 31 minutes later `second` has expired, but within the hour of that sweep no new one starts...
    t.clock.advance(31 * minute);
    await upload();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await t.storage.attachmentBlobs.list()).toContain(second);
    // ...until the first upload after the hour.
    t.clock.advance(EXPIRY_SWEEP_INTERVAL_MS - 30 * minute);
    await upload();
    await until(swept(second), "the second expired file to be removed");
    expect(await t.storage.attachmentBlobs.list()).toContain(third);
  });

  it(
    "through the routes: a sent attachment keeps its file past 90 days, " +
      "cannot be sent again by id, an unsent one loses it",
    async () => {
      const png = samples.png();
      const origin = await startOrigin((_req, res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
        res.end(png);
      });
      const t: MessengerTestApp = await createMessengerTestApp();
      cleanups.push(() => t.close());
      cleanups.push(() => void origin.close());
      const api = (edge: string, body: unknown) => t.request(`/v21.0/me/${edge}?access_token=${TOKEN}`, json(body));
      const upload = async () => {
        const res = await t.request(`/v21.0/me/message_attachments?access_token=${TOKEN}`, {
          method: "POST",
          body: uploadForm({ attachment: { type: "image", payload: { is_reusable: true } } }, png, "image/png"),
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { attachment_id: string }).attachment_id;
      };
      const recipient = { id: "1254459154682919" };
      const sendById = (id: string) =>
        api("messages", { recipient, message: { attachment: { type: "image", payload: { attachment_id: id } } } });

      const sent = await upload();
      const unsent = await upload();
      expect((await sendById(sent)).status).toBe(200);
      // Upload-and-send: the attachment it creates is named by its message at once.
      const direct = await api("messages", {
        recipient,
        message: { attachment: { type: "image", payload: { url: `${origin.url}/a.png` } } },
      });
      expect(direct.status).toBe(200);
      const { message_id: directId } = (await direct.json()) as { message_id: string };
      const directMessage = (await new AttachmentStore(t.storage.attachments, t.clock).getMessage(directId))!;

      t.clock.advance(ATTACHMENT_TTL_MS + EXPIRY_SWEEP_INTERVAL_MS);
      await upload(); // starts the sweep
      await until(
        async () => !(await t.storage.attachmentBlobs.list()).includes(unsent),
        "the unsent attachment's file to be removed",
      );
      const kept = await t.storage.attachmentBlobs.list();
      expect(kept).toContain(sent);
      expect(kept).toContain(directMessage.attachmentId);
      // The seed: reusable attachments expire after 90 days and cannot be sent again, even those already in a thread.
      const again = await sendById(sent);
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: { error_subcode: number } }).error.error_subcode).toBe(2018074);
    },
  );

  it("runs when the server starts", async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const config = loadConfig({ DATA_DIR: dir, WA_ADMIN_PASSWORD: "Adm1n!pass" });
    const first = await createAppFromConfig(config, { clock });
    const store = new AttachmentStore(first.storage.attachments, clock);
    const rec = await storedAttachment(store, first.storage.attachmentBlobs);
    await first.close();

    clock.advance(ATTACHMENT_TTL_MS);
    const second = await createAppFromConfig(config, { clock });
    cleanups.push(() => void second.close());
    expect(await second.storage.attachmentBlobs.list()).toEqual([]);
    expect((await new AttachmentStore(second.storage.attachments, clock).get(rec.id))?.id).toBe(rec.id);
  });
});
