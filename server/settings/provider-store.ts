/**
 * Media providers in SQLite. Their secrets must be usable to fetch media by link, so they cannot be hashed; they
 * never leave the server again (reads are masked).
 */
import type Database from "better-sqlite3";
import type { components } from "../../generated/openapi.d.ts";

export type MediaProvider = components["schemas"]["MediaProvider"];
export type MediaProviderMasked = components["schemas"]["MediaProviderMasked"];

/** What a secret reads as. */
export const MASK = "********";

/** A provider with its secrets replaced by the mask. */
export function maskProvider(p: MediaProvider): MediaProviderMasked {
  const config = "bearer" in p.config ? { bearer: MASK } : { basic: { username: p.config.basic.username, password: MASK } };
  return { name: p.name, type: p.type, config } as MediaProviderMasked;
}

/** The media providers table. */
export class ProviderStore {
  constructor(private readonly db: Database.Database) {
    db.exec("CREATE TABLE IF NOT EXISTS media_providers (name TEXT PRIMARY KEY, type TEXT NOT NULL, config TEXT NOT NULL)");
  }

  list(): MediaProvider[] {
    const rows = this.db.prepare("SELECT * FROM media_providers ORDER BY name").all() as Array<{ name: string; type: "www"; config: string }>;
    return rows.map((r) => ({ name: r.name, type: r.type, config: JSON.parse(r.config) as MediaProvider["config"] }));
  }

  /** Creates or replaces by name. */
  put(p: MediaProvider): void {
    this.db
      .prepare("INSERT INTO media_providers (name, type, config) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET type = excluded.type, config = excluded.config")
      .run(p.name, p.type, JSON.stringify(p.config));
  }

  remove(name: string): boolean {
    return this.db.prepare("DELETE FROM media_providers WHERE name = ?").run(name).changes === 1;
  }
}
