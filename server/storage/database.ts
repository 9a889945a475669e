/** The SQLite database holding every record of the server (users, tokens, media, settings, providers, attachments). */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * Opens (creating when needed) `<dataDir>/server.sqlite` in WAL
 * mode with full syncs: a reply means the record is on disk.
 */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, "server.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}
