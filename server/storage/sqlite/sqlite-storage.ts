/**
 * The reference server's storage: one SQLite database (`<dataDir>/server.sqlite`, WAL, full syncs: a reply means the
 * record is on disk) and two blob folders (`media/`, `attachments/`) written by fsync and rename.
 */
import path from "node:path";
import type Database from "better-sqlite3";
import { createBlobStore } from "../blob-store.ts";
import { openDatabase } from "../database.ts";
import type { Storage, StorageOptions } from "../storage.ts";
import { SqliteAttachmentRecords } from "./attachment-records.ts";
import { SqliteMediaRecords } from "./media-records.ts";
import { SqliteProviderRecords } from "./provider-records.ts";
import { SqliteSettingsRecords } from "./settings-records.ts";
import { SqliteUserRecords } from "./user-records.ts";

/** The storage of an open database, with the blob folders under `dataDir`. */
export interface SqliteStorage extends Storage {
  db: Database.Database;
}

/** Opens (creating when needed) the database and the blob folders of `dataDir`. */
export async function openSqliteStorage(dataDir: string, opts: StorageOptions = {}): Promise<SqliteStorage> {
  const db = openDatabase(dataDir);
  try {
    const volume = opts.mediaVolumeMaxBytes !== undefined ? { volumeMaxBytes: opts.mediaVolumeMaxBytes } : {};
    return {
      db,
      users: new SqliteUserRecords(db),
      media: new SqliteMediaRecords(db),
      settings: new SqliteSettingsRecords(db),
      providers: new SqliteProviderRecords(db),
      attachments: new SqliteAttachmentRecords(db),
      mediaBlobs: await createBlobStore(path.join(dataDir, "media"), volume),
      attachmentBlobs: await createBlobStore(path.join(dataDir, "attachments")),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
