/** Records of uploaded attachments and of the messages that carried them, in the server's SQLite database. */
import { randomBytes, randomInt } from "node:crypto";
import type Database from "better-sqlite3";
import type { Clock } from "../clock.ts";

/** The attachment types of the spec (AttachmentType). */
export type AttachmentType = "image" | "video" | "audio" | "file";

/** Attachment ids stop working this long after upload (seed 002). */
export const ATTACHMENT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** One uploaded attachment. */
export interface AttachmentRecord {
  id: string;
  pageId: string;
  type: AttachmentType;
  isReusable: boolean;
  createdAt: Date;
  expiresAt: Date;
  blobId: string;
  size: number;
  sha256: string;
  mimeType: string | null;
  source: "url" | "file";
}

/** One sent message. */
export interface MessageRecord {
  id: string;
  pageId: string;
  recipientId: string;
  attachmentId: string;
  createdAt: Date;
}

interface AttachmentRow {
  id: string;
  page_id: string;
  type: AttachmentType;
  is_reusable: number;
  created_at: number;
  expires_at: number;
  blob_id: string;
  size: number;
  sha256: string;
  mime_type: string | null;
  source: "url" | "file";
}

function toRecord(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id,
    pageId: row.page_id,
    type: row.type,
    isReusable: row.is_reusable === 1,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    blobId: row.blob_id,
    size: row.size,
    sha256: row.sha256,
    mimeType: row.mime_type,
    source: row.source,
  };
}

/** A random numeric id of 16 digits, like Graph's (no leading zero, so it survives a round trip through a number parser's eyes). */
function numericId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 15; i++) id += String(randomInt(0, 10));
  return id;
}

/** The form of the blob ids this store hands out (`newId()`). */
export const ATTACHMENT_BLOB_ID = /^[1-9][0-9]{15}$/;

/** Attachment and message records; creates its tables on construction. */
export class AttachmentStore {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS attachments (
        id TEXT PRIMARY KEY,
        page_id TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('image', 'video', 'audio', 'file')),
        is_reusable INTEGER NOT NULL CHECK (is_reusable IN (0, 1)),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        blob_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        mime_type TEXT,
        source TEXT NOT NULL CHECK (source IN ('url', 'file')),
        blob_removed INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS attachments_page ON attachments (page_id);
      CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY,
        page_id TEXT NOT NULL,
        recipient_id TEXT NOT NULL,
        attachment_id TEXT NOT NULL REFERENCES attachments (id),
        created_at INTEGER NOT NULL
      );
    `);
    // Databases made before expired blobs were removed lack the column that records it.
    const columns = db.prepare<[], string>("SELECT name FROM pragma_table_info('attachments')").pluck().all();
    if (!columns.includes("blob_removed")) db.exec("ALTER TABLE attachments ADD COLUMN blob_removed INTEGER NOT NULL DEFAULT 0");
    db.exec("CREATE INDEX IF NOT EXISTS attachments_expiring ON attachments (expires_at) WHERE blob_removed = 0");
    // The expiry sweep asks, for each expired attachment, whether a message names it.
    db.exec("CREATE INDEX IF NOT EXISTS messages_attachment ON messages (attachment_id)");
    this.stmts = {
      // Attachments in a thread never expire (seed 002): a recorded message keeps the bytes of what it sent.
      expiredBlobIds: db
        .prepare<[number, number], string>(
          `SELECT blob_id FROM attachments a WHERE blob_removed = 0 AND expires_at <= ?
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)
           ORDER BY expires_at LIMIT ?`,
        )
        .pluck(),
      markBlobRemoved: db.prepare<[string]>("UPDATE attachments SET blob_removed = 1 WHERE blob_id = ?"),
      exists: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM attachments WHERE id = ?"),
      insert: db.prepare(
        `INSERT INTO attachments (id, page_id, type, is_reusable, created_at, expires_at, blob_id, size, sha256, mime_type, source)
         VALUES (@id, @page_id, @type, @is_reusable, @created_at, @expires_at, @blob_id, @size, @sha256, @mime_type, @source)`,
      ),
      get: db.prepare<[string], AttachmentRow>("SELECT * FROM attachments WHERE id = ?"),
      blobIds: db.prepare<[], string>("SELECT blob_id FROM attachments").pluck(),
      insertMessage: db.prepare(
        "INSERT INTO messages (id, page_id, recipient_id, attachment_id, created_at) VALUES (@id, @page_id, @recipient_id, @attachment_id, @created_at)",
      ),
      getMessage: db.prepare<[string], { id: string; page_id: string; recipient_id: string; attachment_id: string; created_at: number }>(
        "SELECT * FROM messages WHERE id = ?",
      ),
    };
  }

  /** A fresh attachment id, not used by any record yet. */
  newId(): string {
    for (;;) {
      const id = numericId();
      if (!this.stmts.exists.get(id)) return id;
    }
  }

  /** Records an uploaded attachment, stamped now and expiring after ATTACHMENT_TTL_MS. */
  insert(rec: Omit<AttachmentRecord, "createdAt" | "expiresAt">): AttachmentRecord {
    const now = this.clock.now().getTime();
    this.stmts.insert.run({
      id: rec.id,
      page_id: rec.pageId,
      type: rec.type,
      is_reusable: rec.isReusable ? 1 : 0,
      created_at: now,
      expires_at: now + ATTACHMENT_TTL_MS,
      blob_id: rec.blobId,
      size: rec.size,
      sha256: rec.sha256,
      mime_type: rec.mimeType,
      source: rec.source,
    });
    return { ...rec, createdAt: new Date(now), expiresAt: new Date(now + ATTACHMENT_TTL_MS) };
  }

  /** Those of `ids` that some attachment record uses as its blob. */
  existingBlobIds(ids: readonly string[]): Set<string> {
    const wanted = new Set(ids);
    const found = new Set<string>();
    // One pass over the column: blob_id has no index, so a lookup per id would scan the table each time.
    for (const blobId of this.stmts.blobIds.iterate()) if (wanted.has(blobId)) found.add(blobId);
    return found;
  }

  /** Blob ids of expired attachments that no message sent and whose bytes are still kept, oldest first. */
  expiredBlobIds(limit: number): string[] {
    return this.stmts.expiredBlobIds.all(this.clock.now().getTime(), limit);
  }

  /** Notes that the bytes of the attachment stored as `blobId` are gone (the record stays). */
  markBlobRemoved(blobId: string): void {
    this.stmts.markBlobRemoved.run(blobId);
  }

  /** The record, whatever its state. */
  get(id: string): AttachmentRecord | undefined {
    const row = this.stmts.get.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** The attachment when `pageId` may send it by id: its own, reusable and not expired. */
  findSendable(id: string, pageId: string): AttachmentRecord | undefined {
    const rec = this.get(id);
    if (!rec || rec.pageId !== pageId || !rec.isReusable) return undefined;
    if (this.clock.now().getTime() >= rec.expiresAt.getTime()) return undefined;
    return rec;
  }

  /** Records a sent message and returns it with its new id. */
  recordMessage(msg: { pageId: string; recipientId: string; attachmentId: string }): MessageRecord {
    const now = this.clock.now().getTime();
    const id = `m_${randomBytes(32).toString("base64url")}`;
    this.stmts.insertMessage.run({ id, page_id: msg.pageId, recipient_id: msg.recipientId, attachment_id: msg.attachmentId, created_at: now });
    return { id, ...msg, createdAt: new Date(now) };
  }

  /** A recorded message. */
  getMessage(id: string): MessageRecord | undefined {
    const row = this.stmts.getMessage.get(id);
    return row
      ? { id: row.id, pageId: row.page_id, recipientId: row.recipient_id, attachmentId: row.attachment_id, createdAt: new Date(row.created_at) }
      : undefined;
  }
}
