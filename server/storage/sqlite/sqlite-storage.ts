/**
 * The reference server's storage: one SQLite database (`<dataDir>/server.sqlite`, WAL, full syncs: a reply means the
 * record is on disk) and two blob folders (`media/`, `attachments/`) written by fsync and rename. One process: login
 * attempts are counted in its memory, and services may cache what they read.
 */
import path from "node:path";
import type Database from "better-sqlite3";
import { createBlobStore } from "../blob-store.ts";
import { openDatabase } from "../database.ts";
import { MemoryLoginAttemptRecords } from "../memory/memory-login-attempts.ts";
import { localRunAlone, type Storage, type StorageOptions } from "../storage.ts";
import { SqliteAttachmentRecords } from "./attachment-records.ts";
import { SqliteDevPageRecords } from "./dev-page-records.ts";
import { SqliteMediaRecords } from "./media-records.ts";
import { SqliteProviderRecords } from "./provider-records.ts";
import { SqliteSettingsRecords } from "./settings-records.ts";
import { SqliteUserRecords } from "./user-records.ts";

/** The storage of an open database, with the blob folders under `dataDir` (or `mediaDir`). */
export interface SqliteStorage extends Storage {
  db: Database.Database;
}

/** Where the SQLite storage lives. */
export interface SqliteStorageOptions extends StorageOptions {
  /** The folder of the blob folders `media/` and `attachments/`; default `dataDir`. */
  mediaDir?: string;
}

/** Opens (creating when needed) the database and the blob folders of `dataDir`. */
export async function openSqliteStorage(dataDir: string, opts: SqliteStorageOptions = {}): Promise<SqliteStorage> {
  const db = openDatabase(dataDir);
  try {
    const volume = opts.mediaVolumeMaxBytes !== undefined ? { volumeMaxBytes: opts.mediaVolumeMaxBytes } : {};
    const blobRoot = opts.mediaDir ?? dataDir;
    return {
      db,
      users: new SqliteUserRecords(db),
      media: new SqliteMediaRecords(db),
      settings: new SqliteSettingsRecords(db),
      providers: new SqliteProviderRecords(db),
      attachments: new SqliteAttachmentRecords(db),
      devPage: new SqliteDevPageRecords(db),
      loginAttempts: new MemoryLoginAttemptRecords(),
      mediaBlobs: await createBlobStore(path.join(blobRoot, "media"), volume),
      attachmentBlobs: await createBlobStore(path.join(blobRoot, "attachments")),
      exclusive: true,
      runAlone: localRunAlone(),
      close: async () => {
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
