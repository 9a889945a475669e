import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ATTACHMENT_TTL_MS, AttachmentStore } from "../../server/attachments/attachment-store.ts";
import { FakeClock } from "./graph-app.ts";

let db: Database.Database;
let clock: FakeClock;
let store: AttachmentStore;

function add(pageId: string, isReusable: boolean) {
  const id = store.newId();
  return store.insert({ id, pageId, type: "image", isReusable, blobId: id, size: 10, sha256: "0".repeat(64), mimeType: "image/png", source: "url" });
}

beforeEach(() => {
  db = new Database(":memory:");
  clock = new FakeClock();
  store = new AttachmentStore(db, clock);
});
afterEach(() => db.close());

describe("attachment store", () => {
  it("hands out distinct 16-digit numeric ids", () => {
    const ids = new Set(Array.from({ length: 200 }, () => add("1", true).id));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{15}$/);
  });

  it("creates its tables idempotently and keeps records across instances", () => {
    const rec = add("1", true);
    const again = new AttachmentStore(db, clock);
    expect(again.get(rec.id)).toEqual(rec);
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
    clock.advance(1);
    expect(store.findSendable(rec.id, "1")).toBeUndefined();
  });

  it("records messages", () => {
    const rec = add("1", true);
    const msg = store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: rec.id });
    expect(msg.id).toMatch(/^m_[A-Za-z0-9_-]{20,}$/);
    expect(store.getMessage(msg.id)).toEqual(msg);
    expect(() => store.recordMessage({ pageId: "1", recipientId: "42", attachmentId: "123" })).toThrow(/FOREIGN KEY/);
  });
});
