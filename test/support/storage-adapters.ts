/** Fresh, empty storages of the adapters that need no server: memory, and SQLite in a temporary data directory. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createMemoryStorage } from "../../server/storage/memory/memory-storage.ts";
import { openSqliteStorage } from "../../server/storage/sqlite/sqlite-storage.ts";
import type { Storage } from "../../server/storage/storage.ts";
import type { StorageFactory } from "./storage-contract.ts";

/** A fresh SQLite storage whose `close` also removes its data directory. */
export async function temporarySqliteStorage(): Promise<Storage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "storage-contract-"));
  const storage = await openSqliteStorage(dir);
  return {
    ...storage,
    close: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The adapters every storage suite runs on without a database server. */
export const localAdapters: Array<[string, StorageFactory]> = [
  ["memory", async () => createMemoryStorage()],
  ["SQLite", temporarySqliteStorage],
];
