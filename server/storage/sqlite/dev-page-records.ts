/** The generated Messenger development page in SQLite: one row, its id and the sha256 of its token. */
import type Database from "better-sqlite3";
import type { DevPageRecord, DevPageRecords } from "../records.ts";

/** The `dev_page` table. */
export class SqliteDevPageRecords implements DevPageRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS dev_page (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        page_id TEXT NOT NULL,
        token_sha256 BLOB NOT NULL
      );
    `);
    this.stmts = {
      insert: db.prepare<[string, Buffer]>(
        "INSERT INTO dev_page (one, page_id, token_sha256) VALUES (1, ?, ?) ON CONFLICT(one) DO NOTHING",
      ),
      read: db.prepare<[], { page_id: string; token_sha256: Buffer }>(
        "SELECT page_id, token_sha256 FROM dev_page WHERE one = 1",
      ),
    };
  }

  async recordOnce(candidate: DevPageRecord): Promise<DevPageRecord> {
    this.stmts.insert.run(candidate.pageId, candidate.tokenSha256);
    const row = this.stmts.read.get()!;
    return { pageId: row.page_id, tokenSha256: row.token_sha256 };
  }
}
