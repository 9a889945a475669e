/** Storage that lives only in this process's memory: no file, no database (the emulator's, and tests'). */
import type { Storage, StorageOptions } from "../storage.ts";
import { createMemoryBlobStore } from "./memory-blob-store.ts";
import {
  MemoryAttachmentRecords,
  MemoryMediaRecords,
  MemoryProviderRecords,
  MemorySettingsRecords,
  MemoryUserRecords,
} from "./memory-records.ts";

/** Empty in-memory storage. Blobs hold their bytes in memory until deleted. */
export function createMemoryStorage(opts: StorageOptions = {}): Storage {
  const volume = opts.mediaVolumeMaxBytes !== undefined ? { volumeMaxBytes: opts.mediaVolumeMaxBytes } : {};
  return {
    users: new MemoryUserRecords(),
    media: new MemoryMediaRecords(),
    settings: new MemorySettingsRecords(),
    providers: new MemoryProviderRecords(),
    attachments: new MemoryAttachmentRecords(),
    mediaBlobs: createMemoryBlobStore(volume),
    attachmentBlobs: createMemoryBlobStore(),
    close: () => undefined,
  };
}
