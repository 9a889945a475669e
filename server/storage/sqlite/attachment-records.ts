/** Records of uploaded attachments and of the messages that carried them, in SQLite. */
import type Database from "better-sqlite3";
import type { AttachmentRecord, AttachmentRecords, AttachmentType, MessageRecord } from "../records.ts";

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

interface MessageRow {
  id: string;
  page_id: string;
  recipient_id: string;
  attachment_id: string;
  created_at: number;
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

/** The `attachments` and `messages` tables; creates them on construction. */
export class SqliteAttachmentRecords implements AttachmentRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
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
    if (!columns.includes("blob_removed")) {
      db.exec("ALTER TABLE attachments ADD COLUMN blob_removed INTEGER NOT NULL DEFAULT 0");
    }
    db.exec("CREATE INDEX IF NOT EXISTS attachments_expiring ON attachments (expires_at) WHERE blob_removed = 0");
    // The expiry sweep asks, for each expired attachment, whether a message names it.
    db.exec("CREATE INDEX IF NOT EXISTS messages_attachment ON messages (attachment_id)");
    this.stmts = {
      // Sent attachments never expire (spec: the `Message attachments` tag): a recorded message keeps its bytes.
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
        `INSERT INTO attachments
           (id, page_id, type, is_reusable, created_at, expires_at, blob_id, size, sha256, mime_type, source)
         VALUES (@id, @page_id, @type, @is_reusable, @created_at, @expires_at, @blob_id, @size, @sha256, @mime_type,
           @source)`,
      ),
      get: db.prepare<[string], AttachmentRow>("SELECT * FROM attachments WHERE id = ?"),
      blobIds: db.prepare<[], string>("SELECT blob_id FROM attachments").pluck(),
      insertMessage: db.prepare(
        `INSERT INTO messages (id, page_id, recipient_id, attachment_id, created_at)
         VALUES (@id, @page_id, @recipient_id, @attachment_id, @created_at)`,
      ),
      getMessage: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE id = ?"),
    };
  }

  async exists(id: string): Promise<boolean> {
    return this.stmts.exists.get(id) !== undefined;
  }

  async insert(rec: AttachmentRecord): Promise<void> {
    this.stmts.insert.run({
      id: rec.id,
      page_id: rec.pageId,
      type: rec.type,
      is_reusable: rec.isReusable ? 1 : 0,
      created_at: rec.createdAt.getTime(),
      expires_at: rec.expiresAt.getTime(),
      blob_id: rec.blobId,
      size: rec.size,
      sha256: rec.sha256,
      mime_type: rec.mimeType,
      source: rec.source,
    });
  }

  async get(id: string): Promise<AttachmentRecord | undefined> {
    const row = this.stmts.get.get(id);
    return row ? toRecord(row) : undefined;
  }

  async existingBlobIds(blobIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(blobIds);
    const found = new Set<string>();
    // One pass over the column: blob_id has no index, so a lookup per id would scan the table each time.
    for (const blobId of this.stmts.blobIds.iterate()) if (wanted.has(blobId)) found.add(blobId);
    return found;
  }

  async expiredBlobIds(now: number, limit: number): Promise<string[]> {
    return this.stmts.expiredBlobIds.all(now, limit);
  }

  async markBlobRemoved(blobId: string): Promise<void> {
    this.stmts.markBlobRemoved.run(blobId);
  }

  async insertMessage(msg: MessageRecord): Promise<void> {
    this.stmts.insertMessage.run({
      id: msg.id,
      page_id: msg.pageId,
      recipient_id: msg.recipientId,
      attachment_id: msg.attachmentId,
      created_at: msg.createdAt.getTime(),
    });
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const row = this.stmts.getMessage.get(id);
    return (
      row && {
        id: row.id,
        pageId: row.page_id,
        recipientId: row.recipient_id,
        attachmentId: row.attachment_id,
        createdAt: new Date(row.created_at),
      }
    );
  }
}
