/** Records of uploaded media (id, type, size, sha256) in SQLite; the bytes live in the media BlobStore under the same id. */
import type Database from "better-sqlite3";
import type { Clock } from "../clock.ts";

export interface MediaRecord {
  id: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

interface MediaRow {
  id: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
}

/** The form of the ids the media handlers give blobs and records (crypto.randomUUID). */
export const MEDIA_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The media table. */
export class MediaStore {
  // Prepared once: `get` runs on every download, and preparing costs more than the lookup.
  private readonly insertRow: Database.Statement<[string, string, number, string, number]>;
  private readonly selectRow: Database.Statement<[string], MediaRow>;
  private readonly deleteRow: Database.Statement<[string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS media (
        id TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
    this.insertRow = db.prepare("INSERT INTO media (id, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)");
    this.selectRow = db.prepare("SELECT * FROM media WHERE id = ?");
    this.deleteRow = db.prepare("DELETE FROM media WHERE id = ?");
  }

  add(record: Omit<MediaRecord, "createdAt">): MediaRecord {
    const createdAt = this.clock.now();
    this.insertRow.run(record.id, record.contentType, record.size, record.sha256, createdAt.getTime());
    return { ...record, createdAt };
  }

  get(id: string): MediaRecord | undefined {
    const row = this.selectRow.get(id);
    return row && { id: row.id, contentType: row.content_type, size: row.size, sha256: row.sha256, createdAt: new Date(row.created_at) };
  }

  /** Those of `ids` that have a record. */
  existingIds(ids: readonly string[]): Set<string> {
    return new Set(ids.filter((id) => this.selectRow.get(id) !== undefined));
  }

  remove(id: string): boolean {
    return this.deleteRow.run(id).changes === 1;
  }
}
