// The attachment store's rules over the records of memory and SQLite (PostgreSQL:
// test/server/storage/postgres/storage.postgres.ts), and what only SQLite has to show: tables created idempotently,
// records kept across connections.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttachmentStore } from "../../../server/attachments/attachment-store.ts";
import { SqliteAttachmentRecords } from "../../../server/storage/sqlite/attachment-records.ts";
import { localAdapters } from "../../support/storage-adapters.ts";
import { attachmentStoreContract } from "../../support/attachment-store-contract.ts";
import { FakeClock } from "../../support/messenger-app.ts";

for (const [name, open] of localAdapters) attachmentStoreContract(name, open);

describe("SQLite attachment records", () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(":memory:");
  });
  afterEach(() => db.close());

  it("creates their tables idempotently and keep records across instances", async () => {
    const clock = new FakeClock();
    const store = new AttachmentStore(new SqliteAttachmentRecords(db), clock);
    const id = await store.newId();
    const rec = await store.insert({
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
    expect(await new AttachmentStore(new SqliteAttachmentRecords(db), clock).get(rec.id)).toEqual(rec);
  });
});
