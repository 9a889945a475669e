/** Records of uploaded media (id, type, size, sha256) in SQLite. */
import type Database from "better-sqlite3";
import type { MediaRecord, MediaRecords } from "../records.ts";

interface MediaRow {
  id: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
}

/** The `media` table. */
export class SqliteMediaRecords implements MediaRecords {
  // Prepared once: `get` runs on every download, and preparing costs more than the lookup.
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS media (
        id TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
    this.stmts = {
      insert: db.prepare<[string, string, number, string, number]>(
        "INSERT INTO media (id, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      select: db.prepare<[string], MediaRow>("SELECT * FROM media WHERE id = ?"),
      delete: db.prepare<[string]>("DELETE FROM media WHERE id = ?"),
    };
  }

  async add(record: MediaRecord): Promise<void> {
    const { id, contentType, size, sha256, createdAt } = record;
    this.stmts.insert.run(id, contentType, size, sha256, createdAt.getTime());
  }

  async get(id: string): Promise<MediaRecord | undefined> {
    const row = this.stmts.select.get(id);
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
    return this.stmts.delete.run(id).changes === 1;
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.stmts.select.get(id) !== undefined));
  }
}
