/** Everything the server stores: the records of each concern and the two blob folders, from one adapter. */
import type { BlobStore } from "./blob-store.ts";
import type { AttachmentRecords, MediaRecords, ProviderRecords, SettingsRecords, UserRecords } from "./records.ts";

/** The storage of one server: `openSqliteStorage` (durable, one data directory) or `createMemoryStorage`. */
export interface Storage {
  users: UserRecords;
  media: MediaRecords;
  settings: SettingsRecords;
  providers: ProviderRecords;
  attachments: AttachmentRecords;
  /** The media volume (`POST /v1/media`). */
  mediaBlobs: BlobStore;
  /** The bytes of Messenger attachments. */
  attachmentBlobs: BlobStore;
  /** Releases what the adapter holds (the database connection); the storage is not used afterwards. */
  close(): void;
}

/** Limits of the storage, from configuration. */
export interface StorageOptions {
  /** Quota of the media volume in bytes; unset: only the disk's (or memory's) own limit. */
  mediaVolumeMaxBytes?: number;
}
