/**
 * The attachment store's rules (ids, lifetimes, who may send what) over any storage's records: memory and SQLite in
 * test/server/attachments/attachment-store.test.ts, PostgreSQL in test/server/storage/postgres/storage.postgres.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ATTACHMENT_TTL_MS, AttachmentStore } from "../../server/attachments/attachment-store.ts";
import type { Storage } from "../../server/storage/storage.ts";
import type { StorageFactory } from "./storage-contract.ts";
import { FakeClock } from "./messenger-app.ts";

/** Runs the attachment store's cases on the records of the storages `open` makes. */
export function attachmentStoreContract(name: string, open: StorageFactory): void {
  describe(`the attachment store on ${name} records`, () => {
    let storage: Storage;
    let clock: FakeClock;
    let store: AttachmentStore;

    async function add(pageId: string, isReusable: boolean) {
      const id = await store.newId();
      const rec = { id, pageId, type: "image" as const, isReusable, blobId: id, size: 10, sha256: "0".repeat(64) };
      return store.insert({ ...rec, mimeType: "image/png", source: "url" });
    }

    beforeEach(async () => {
      storage = await open();
      clock = new FakeClock();
      store = new AttachmentStore(storage.attachments, clock);
    });
    afterEach(async () => {
      await storage.close();
    });

    it("hands out distinct 16-digit numeric ids", async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add((await add("1", true)).id);
      expect(ids.size).toBe(200);
      for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{15}$/);
    });

    it("gives back what it recorded", async () => {
      const rec = await add("1", true);
      expect(await store.get(rec.id)).toEqual(rec);
      expect(await store.existingBlobIds([rec.blobId, "1111111111111111"])).toEqual(new Set([rec.blobId]));
    });

    it("lets only the owning page send a reusable attachment", async () => {
      const reusable = await add("1", true);
      const single = await add("1", false);
      expect((await store.findSendable(reusable.id, "1"))?.id).toBe(reusable.id);
      expect(await store.findSendable(reusable.id, "2")).toBeUndefined();
      expect(await store.findSendable(single.id, "1")).toBeUndefined();
      expect(await store.findSendable("9999999999999999", "1")).toBeUndefined();
    });

    it("expires attachments 90 days after upload", async () => {
      const rec = await add("1", true);
      expect(rec.expiresAt.getTime() - rec.createdAt.getTime()).toBe(ATTACHMENT_TTL_MS);
      clock.advance(ATTACHMENT_TTL_MS - 1);
      expect((await store.findSendable(rec.id, "1"))?.id).toBe(rec.id);
      expect(await store.expiredBlobIds(10)).toEqual([]);
      clock.advance(1);
      expect(await store.findSendable(rec.id, "1")).toBeUndefined();
      expect(await store.expiredBlobIds(10)).toEqual([rec.blobId]);
      await store.markBlobRemoved(rec.blobId);
      expect(await store.expiredBlobIds(10)).toEqual([]);
      expect((await store.get(rec.id))?.id).toBe(rec.id);
    });

    it("records messages, only of recorded attachments", async () => {
      const rec = await add("1", true);
      const msg = await store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: rec.id });
      expect(msg.id).toMatch(/^m_[A-Za-z0-9_-]{20,}$/);
      expect(await store.getMessage(msg.id)).toEqual(msg);
      await expect(store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: "123" })).rejects.toThrow();
    });
  });
}
