/** Records of uploaded attachments and of the messages that carried them, in PostgreSQL. */
import type { Pool } from "pg";
import type { AttachmentRecord, AttachmentRecords, AttachmentType, MessageRecord } from "../records.ts";

interface AttachmentRow {
  id: string;
  page_id: string;
  type: AttachmentType;
  is_reusable: boolean;
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

const EXISTS = { name: "attachments-exists", text: "SELECT 1 FROM attachments WHERE id = $1" };
const INSERT = {
  name: "attachments-insert",
  text: `INSERT INTO attachments
           (id, page_id, type, is_reusable, created_at, expires_at, blob_id, size, sha256, mime_type, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
};
const GET = { name: "attachments-get", text: "SELECT * FROM attachments WHERE id = $1" };
const EXISTING_BLOBS = {
  name: "attachments-existing-blobs",
  text: "SELECT DISTINCT blob_id FROM attachments WHERE blob_id = ANY($1::text[])",
};
// Sent attachments never expire (spec: the `Message attachments` tag): a recorded message keeps its bytes.
const EXPIRED = {
  name: "attachments-expired",
  text: `SELECT blob_id FROM attachments a WHERE NOT blob_removed AND expires_at <= $1
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)
         ORDER BY expires_at LIMIT $2`,
};
const MARK_REMOVED = {
  name: "attachments-mark-removed",
  text: "UPDATE attachments SET blob_removed = TRUE WHERE blob_id = $1",
};
const INSERT_MESSAGE = {
  name: "messages-insert",
  text: `INSERT INTO messages (id, page_id, recipient_id, attachment_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
};
const GET_MESSAGE = { name: "messages-get", text: "SELECT * FROM messages WHERE id = $1" };

function toRecord(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id,
    pageId: row.page_id,
    type: row.type,
    isReusable: row.is_reusable,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    blobId: row.blob_id,
    size: row.size,
    sha256: row.sha256,
    mimeType: row.mime_type,
    source: row.source,
  };
}

/** The `attachments` and `messages` tables. */
export class PostgresAttachmentRecords implements AttachmentRecords {
  constructor(private readonly pool: Pool) {}

  async exists(id: string): Promise<boolean> {
    return (await this.pool.query({ ...EXISTS, values: [id] })).rowCount === 1;
  }

  async insert(rec: AttachmentRecord): Promise<void> {
    await this.pool.query({
      ...INSERT,
      values: [
        rec.id,
        rec.pageId,
        rec.type,
        rec.isReusable,
        rec.createdAt.getTime(),
        rec.expiresAt.getTime(),
        rec.blobId,
        rec.size,
        rec.sha256,
        rec.mimeType,
        rec.source,
      ],
    });
  }

  async get(id: string): Promise<AttachmentRecord | undefined> {
    const row = (await this.pool.query<AttachmentRow>({ ...GET, values: [id] })).rows[0];
    return row ? toRecord(row) : undefined;
  }

  async existingBlobIds(blobIds: readonly string[]): Promise<Set<string>> {
    if (blobIds.length === 0) return new Set();
    const rows = (await this.pool.query<{ blob_id: string }>({ ...EXISTING_BLOBS, values: [blobIds] })).rows;
    return new Set(rows.map((row) => row.blob_id));
  }

  async expiredBlobIds(now: number, limit: number): Promise<string[]> {
    const rows = (await this.pool.query<{ blob_id: string }>({ ...EXPIRED, values: [now, limit] })).rows;
    return rows.map((row) => row.blob_id);
  }

  async markBlobRemoved(blobId: string): Promise<void> {
    await this.pool.query({ ...MARK_REMOVED, values: [blobId] });
  }

  async insertMessage(msg: MessageRecord): Promise<void> {
    await this.pool.query({
      ...INSERT_MESSAGE,
      values: [msg.id, msg.pageId, msg.recipientId, msg.attachmentId, msg.createdAt.getTime()],
    });
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const row = (await this.pool.query<MessageRow>({ ...GET_MESSAGE, values: [id] })).rows[0];
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
