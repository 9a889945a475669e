/** Media providers in SQLite, by name. */
import type Database from "better-sqlite3";
import type { MediaProvider, ProviderRecords } from "../records.ts";

/** The `media_providers` table. */
export class SqliteProviderRecords implements ProviderRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(
      "CREATE TABLE IF NOT EXISTS media_providers (name TEXT PRIMARY KEY, type TEXT NOT NULL, config TEXT NOT NULL)",
    );
    this.stmts = {
      list: db.prepare<[], { name: string; type: "www"; config: string }>(
        "SELECT * FROM media_providers ORDER BY name",
      ),
      put: db.prepare<[string, string, string]>(
        `INSERT INTO media_providers (name, type, config) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET type = excluded.type, config = excluded.config`,
      ),
      remove: db.prepare<[string]>("DELETE FROM media_providers WHERE name = ?"),
    };
  }

  async list(): Promise<MediaProvider[]> {
    return this.stmts.list
      .all()
      .map((r) => ({ name: r.name, type: r.type, config: JSON.parse(r.config) as MediaProvider["config"] }));
  }

  async put(provider: MediaProvider): Promise<void> {
    this.stmts.put.run(provider.name, provider.type, JSON.stringify(provider.config));
  }

  async remove(name: string): Promise<boolean> {
    return this.stmts.remove.run(name).changes === 1;
  }
}
