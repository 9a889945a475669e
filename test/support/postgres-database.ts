/** A fresh database per test (or suite) in the cluster of `npm run test:postgres`, and storages on it. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { openPostgresStorage, type PostgresStorage } from "../../server/storage/postgres/postgres-storage.ts";
import { createDatabase } from "./postgres-cluster.ts";
import "./postgres-global-setup.ts";

/** The URL of a new, empty database. */
export function freshDatabase(prefix = "test"): Promise<string> {
  return createDatabase(inject("postgresAdminUrl"), prefix);
}

/** A PostgreSQL storage on a new database and a new media folder; `close` removes the folder too. */
export async function temporaryPostgresStorage(): Promise<PostgresStorage> {
  const databaseUrl = await freshDatabase("storage");
  const mediaDir = await mkdtemp(path.join(os.tmpdir(), "pg-media-"));
  const storage = await openPostgresStorage({ databaseUrl, mediaDir, poolMax: 20 });
  return {
    ...storage,
    close: async () => {
      await storage.close();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}
