/** The application settings document in SQLite: one row, written whole. */
import type Database from "better-sqlite3";
import type { SettingsRecords } from "../records.ts";

/** The `settings` table (one row named `application`). */
export class SqliteSettingsRecords implements SettingsRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.stmts = {
      read: db.prepare<[], { value: string }>("SELECT value FROM settings WHERE name = 'application'"),
      write: db.prepare<[string]>(
        `INSERT INTO settings (name, value) VALUES ('application', ?)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
      ),
      clear: db.prepare("DELETE FROM settings WHERE name = 'application'"),
    };
  }

  async read(): Promise<unknown> {
    const row = this.stmts.read.get();
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  async update(change: (stored: unknown) => unknown): Promise<void> {
    // Synchronous from read to write (better-sqlite3): nothing else runs in between, in this one process.
    const row = this.stmts.read.get();
    const next = change(row ? (JSON.parse(row.value) as unknown) : undefined);
    this.stmts.write.run(JSON.stringify(next));
  }

  async clear(): Promise<void> {
    this.stmts.clear.run();
  }
}
