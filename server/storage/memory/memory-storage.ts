/** Storage that lives only in this process's memory: no file, no database (the emulator's, and tests'). */
import { localRunAlone, type Storage, type StorageOptions } from "../storage.ts";
import { createMemoryBlobStore } from "./memory-blob-store.ts";
import { MemoryLoginAttemptRecords } from "./memory-login-attempts.ts";
import {
  MemoryAttachmentRecords,
  MemoryDevPageRecords,
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
    devPage: new MemoryDevPageRecords(),
    loginAttempts: new MemoryLoginAttemptRecords(),
    mediaBlobs: createMemoryBlobStore(volume),
    attachmentBlobs: createMemoryBlobStore(),
    exclusive: true,
    runAlone: localRunAlone(),
    close: async () => undefined,
  };
}
