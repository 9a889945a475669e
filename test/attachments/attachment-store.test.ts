// The attachment store's rules (ids, lifetimes, who may send what) over both record adapters: SQLite and memory
// must behave the same.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ATTACHMENT_TTL_MS, AttachmentStore } from "../../server/attachments/attachment-store.ts";
import { MemoryAttachmentRecords } from "../../server/storage/memory/memory-records.ts";
import type { AttachmentRecords } from "../../server/storage/records.ts";
import { SqliteAttachmentRecords } from "../../server/storage/sqlite/attachment-records.ts";
import { FakeClock } from "./graph-app.ts";

let db: Database.Database;
beforeEach(() => {
  db = new Database(":memory:");
});
afterEach(() => db.close());

const adapters: Array<[string, () => AttachmentRecords]> = [
  ["SQLite", () => new SqliteAttachmentRecords(db)],
  ["memory", () => new MemoryAttachmentRecords()],
];

describe.each(adapters)("attachment store on %s records", (_name, records) => {
  let clock: FakeClock;
  let store: AttachmentStore;

  function add(pageId: string, isReusable: boolean) {
    const id = store.newId();
    const rec = { id, pageId, type: "image" as const, isReusable, blobId: id, size: 10, sha256: "0".repeat(64) };
    return store.insert({ ...rec, mimeType: "image/png", source: "url" });
  }

  beforeEach(() => {
    clock = new FakeClock();
    store = new AttachmentStore(records(), clock);
  });

  it("hands out distinct 16-digit numeric ids", () => {
    const ids = new Set(Array.from({ length: 200 }, () => add("1", true).id));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{15}$/);
  });

  it("gives back what it recorded", () => {
    const rec = add("1", true);
    expect(store.get(rec.id)).toEqual(rec);
    expect(store.existingBlobIds([rec.blobId, "1111111111111111"])).toEqual(new Set([rec.blobId]));
  });

  it("lets only the owning page send a reusable attachment", () => {
    const reusable = add("1", true);
    const single = add("1", false);
    expect(store.findSendable(reusable.id, "1")?.id).toBe(reusable.id);
    expect(store.findSendable(reusable.id, "2")).toBeUndefined();
    expect(store.findSendable(single.id, "1")).toBeUndefined();
    expect(store.findSendable("9999999999999999", "1")).toBeUndefined();
  });

  it("expires attachments 90 days after upload", () => {
    const rec = add("1", true);
    expect(rec.expiresAt.getTime() - rec.createdAt.getTime()).toBe(ATTACHMENT_TTL_MS);
    clock.advance(ATTACHMENT_TTL_MS - 1);
    expect(store.findSendable(rec.id, "1")?.id).toBe(rec.id);
    expect(store.expiredBlobIds(10)).toEqual([]);
    clock.advance(1);
    expect(store.findSendable(rec.id, "1")).toBeUndefined();
    expect(store.expiredBlobIds(10)).toEqual([rec.blobId]);
    store.markBlobRemoved(rec.blobId);
    expect(store.expiredBlobIds(10)).toEqual([]);
    expect(store.get(rec.id)?.id).toBe(rec.id);
  });

  it("records messages, only of recorded attachments", () => {
    const rec = add("1", true);
    const msg = store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: rec.id });
    expect(msg.id).toMatch(/^m_[A-Za-z0-9_-]{20,}$/);
    expect(store.getMessage(msg.id)).toEqual(msg);
    expect(() => store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: "123" })).toThrow();
  });
});

describe("SQLite attachment records", () => {
  it("creates their tables idempotently and keep records across instances", () => {
    const clock = new FakeClock();
    const store = new AttachmentStore(new SqliteAttachmentRecords(db), clock);
    const id = store.newId();
    const rec = store.insert({
      id,
      pageId: "1",
      type: "file",
      isReusable: true,
      blobId: id,
      size: 1,
      sha256: "0".repeat(64),
      mimeType: null,
      source: "file",
    });
    expect(new AttachmentStore(new SqliteAttachmentRecords(db), clock).get(rec.id)).toEqual(rec);
  });
});
