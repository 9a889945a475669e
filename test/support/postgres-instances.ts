/**
 * Reference server instances (`server/main.ts`, each its own process) on one PostgreSQL database and one shared
 * media folder, as `npm start` runs them with DATABASE_URL and MEDIA_DIR; and the balancer in front of them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ChildServer } from "./child-server.ts";
import { startReferenceServer } from "./reference-server.ts";
import { freshDatabase } from "./postgres-database.ts";

export { ADMIN_PASSWORD, loginAdmin } from "./reference-server.ts";

/** A database and a media folder that instances share. */
export interface SharedStorage {
  databaseUrl: string;
  mediaDir: string;
  /** The environment that points an instance at them. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** A fresh database and a fresh media folder. */
export async function sharedStorage(): Promise<SharedStorage> {
  const databaseUrl = await freshDatabase("instances");
  const mediaDir = await mkdtemp(path.join(os.tmpdir(), "shared-media-"));
  return {
    databaseUrl,
    mediaDir,
    env: { DATABASE_URL: databaseUrl, MEDIA_DIR: mediaDir },
    remove: () => rm(mediaDir, { recursive: true, force: true }),
  };
}

/** Starts `count` instances on `shared` at the same time. */
export function startInstances(
  count: number,
  shared: SharedStorage,
  env: Record<string, string | undefined> = {},
): Promise<ChildServer[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      startReferenceServer({
        // DATA_DIR holds nothing with DATABASE_URL set; the media folder is the shared one.
        dataDir: shared.mediaDir,
        env: { MESSENGER_PAGES: '{"1234567890":"instances-page-token"}', ...shared.env, ...env },
        timeoutMs: 60_000,
      }),
    ),
  );
}
