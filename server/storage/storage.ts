/** Everything the server stores: the records of each concern and the two blob folders, from one adapter. */
import type { BlobStore } from "./blob-store.ts";
import type {
  AttachmentRecords,
  DevPageRecords,
  LoginAttemptRecords,
  MediaRecords,
  ProviderRecords,
  SettingsRecords,
  UserRecords,
} from "./records.ts";

/**
 * The storage of one server: `openSqliteStorage` (durable, one data directory, one process), `openPostgresStorage`
 * (one database and one shared blob folder for several instances) or `createMemoryStorage`.
 */
export interface Storage {
  users: UserRecords;
  media: MediaRecords;
  settings: SettingsRecords;
  providers: ProviderRecords;
  attachments: AttachmentRecords;
  devPage: DevPageRecords;
  loginAttempts: LoginAttemptRecords;
  /** The media volume (`POST /v1/media`). */
  mediaBlobs: BlobStore;
  /** The bytes of Messenger attachments. */
  attachmentBlobs: BlobStore;
  /**
   * true when this process is the only writer of the records and blobs (memory, SQLite): services may then keep
   * what they read in memory until they change it themselves. false when other instances write the same database
   * and folder (PostgreSQL): every request then reads the records, so that a change acknowledged by one instance is
   * seen by the next request on any other, and housekeeping leaves young files alone (another instance may be
   * writing them).
   */
  exclusive: boolean;
  /**
   * Runs `task` unless another instance sharing this storage runs the task of the same name right now, in which case
   * it resolves to undefined without running it (the expiry sweep: one instance at a time).
   */
  runAlone<T>(name: string, task: () => Promise<T>): Promise<T | undefined>;
  /** Releases what the adapter holds (database connections); the storage is not used afterwards. */
  close(): Promise<void>;
}

/**
 * How long a file in a shared blob folder must have been left unchanged before housekeeping may judge it: a
 * temporary file younger than this may be another instance's upload in progress, and a blob without a record may
 * be one whose record that instance is inserting right now.
 */
export const SHARED_FOLDER_GRACE_MS = 60 * 60 * 1000;

/** Limits of the storage, from configuration. */
export interface StorageOptions {
  /** Quota of the media volume in bytes; unset: only the disk's (or memory's) own limit. */
  mediaVolumeMaxBytes?: number;
}

/** Runs tasks one at a time per name within this process: `runAlone` of the storages that have no other writer. */
export function localRunAlone(): Storage["runAlone"] {
  const running = new Set<string>();
  return async (name, task) => {
    if (running.has(name)) return undefined;
    running.add(name);
    try {
      return await task();
    } finally {
      running.delete(name);
    }
  };
}
