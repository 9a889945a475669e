/** Records of uploaded media (id, type, size, sha256) in PostgreSQL. */
import type { Pool } from "pg";
import type { MediaRecord, MediaRecords } from "../records.ts";

interface MediaRow {
  id: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
}

const INSERT = {
  name: "media-insert",
  text: "INSERT INTO media (id, content_type, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5)",
};
const SELECT = { name: "media-select", text: "SELECT * FROM media WHERE id = $1" };
const DELETE = { name: "media-delete", text: "DELETE FROM media WHERE id = $1" };
const EXISTING = { name: "media-existing", text: "SELECT id FROM media WHERE id = ANY($1::text[])" };

/** The `media` table. */
export class PostgresMediaRecords implements MediaRecords {
  constructor(private readonly pool: Pool) {}

  async add(record: MediaRecord): Promise<void> {
    const { id, contentType, size, sha256, createdAt } = record;
    await this.pool.query({ ...INSERT, values: [id, contentType, size, sha256, createdAt.getTime()] });
  }

  async get(id: string): Promise<MediaRecord | undefined> {
    const row = (await this.pool.query<MediaRow>({ ...SELECT, values: [id] })).rows[0];
    return (
      row && {
        id: row.id,
        contentType: row.content_type,
        size: row.size,
        sha256: row.sha256,
        createdAt: new Date(row.created_at),
      }
    );
  }

  async remove(id: string): Promise<boolean> {
    return (await this.pool.query({ ...DELETE, values: [id] })).rowCount === 1;
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.pool.query<{ id: string }>({ ...EXISTING, values: [ids] })).rows;
    return new Set(rows.map((row) => row.id));
  }
}
