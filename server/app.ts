/** Builds the reference server from explicit dependencies (config, storage, clock); `main.ts` serves it. */
import type { promises as dnsPromises } from "node:dns";
import path from "node:path";
import type Database from "better-sqlite3";
import { Hono } from "hono";
import type { ServerConfig } from "./config.ts";
import { systemClock, type Clock } from "./clock.ts";
import { registerGraphRoutes } from "./attachments/routes.ts";
import { registerDocsRoutes } from "./docs/routes.ts";
import { installFallbacks } from "./edge/fallbacks.ts";
import { registerWaRoutes } from "./edge/wa-routes.ts";
import { mediaOperations } from "./media/handlers.ts";
import { MEDIA_ID, MediaStore } from "./media/media-store.ts";
import { ATTACHMENT_BLOB_ID, AttachmentStore } from "./attachments/attachment-store.ts";
import { removeExpiredAttachmentBlobs } from "./attachments/attachment-expiry.ts";
import { withPersistedDevPage } from "./attachments/dev-page-store.ts";
import { settingsOperations } from "./settings/handlers.ts";
import { ProviderStore } from "./settings/provider-store.ts";
import { SettingsStore } from "./settings/settings-store.ts";
import { userOperations } from "./users/handlers.ts";
import { LoginThrottle } from "./users/login-throttle.ts";
import { BUILT_IN_ADMIN, UserStore } from "./users/user-store.ts";
import { openDatabase } from "./storage/database.ts";
import { createBlobStore, type BlobStore } from "./storage/blob-store.ts";

/** Everything the app needs from outside; tests pass temporary storage and a fake clock. */
export interface AppDeps {
  config: ServerConfig;
  db: Database.Database;
  /** dataDir/media */
  media: BlobStore;
  /** dataDir/attachments (Messenger half) */
  attachments: BlobStore;
  clock: Clock;
  /** Injectable DNS for the Messenger half's SSRF tests. */
  lookup?: typeof dnsPromises.lookup;
}

/** The Hono app: Graph routes, docs routes, the WA routes declared from the spec, then the catch-alls. */
export function createApp(deps: AppDeps): Hono {
  const { config, db, clock } = deps;
  const app = new Hono();
  const users = new UserStore(db, clock, config.adminPassword !== undefined ? { adminPassword: config.adminPassword } : {});
  registerGraphRoutes(app, deps);
  registerDocsRoutes(app, {
    ...deps,
    adminPasswordChangeRequired: () => users.find(BUILT_IN_ADMIN)?.mustChangePassword ?? false,
  });
  registerWaRoutes(
    app,
    users,
    {
      ...userOperations(users, config.apiVersion),
      ...mediaOperations(new MediaStore(db, clock), deps.media, config),
      ...settingsOperations(new SettingsStore(db), new ProviderStore(db), config),
    },
    new LoginThrottle(config.loginThrottle, clock),
  );
  installFallbacks(app, deps);
  return app;
}

/**
 * Opens the storage under `config.dataDir` and builds the app; `close()` releases the database. `deps.config` is the
 * configuration in effect (with the data directory's development page, when one is generated).
 */
export async function createAppFromConfig(
  requested: ServerConfig,
  overrides: Partial<AppDeps> = {},
): Promise<{ app: Hono; deps: AppDeps; close(): void }> {
  const db = overrides.db ?? openDatabase(requested.dataDir);
  try {
    // A generated development page is the one this data directory already has, if any (deps.config says which).
    const config = withPersistedDevPage(requested, db);
    const deps: AppDeps = {
      config,
      db,
      media: overrides.media ?? (await createBlobStore(path.join(config.dataDir, "media"), volumeOptions(config))),
      attachments: overrides.attachments ?? (await createBlobStore(path.join(config.dataDir, "attachments"))),
      clock: overrides.clock ?? systemClock,
      ...(overrides.lookup ? { lookup: overrides.lookup } : {}),
    };
    // A crash between a blob's rename and its record's insert leaves a file no request can reach but the quota counts.
    await removeOrphanBlobs(deps.media, MEDIA_ID, (ids) => new MediaStore(db, deps.clock).existingIds(ids));
    const attachmentStore = new AttachmentStore(db, deps.clock);
    await removeOrphanBlobs(deps.attachments, ATTACHMENT_BLOB_ID, (ids) => attachmentStore.existingBlobIds(ids));
    await removeExpiredAttachmentBlobs(attachmentStore, deps.attachments);
    const app = createApp(deps);
    return { app, deps, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Deletes the blobs of the id form `idForm` that have no record; files of any other name are not ours to judge. */
async function removeOrphanBlobs(blobs: BlobStore, idForm: RegExp, existing: (ids: string[]) => Set<string>): Promise<void> {
  const candidates = (await blobs.list()).filter((id) => idForm.test(id));
  const recorded = existing(candidates);
  // Through delete(), which also takes the bytes off the store's usage count.
  for (const id of candidates) if (!recorded.has(id)) await blobs.delete(id);
}

function volumeOptions(config: ServerConfig): { volumeMaxBytes?: number } {
  return config.mediaVolumeMaxBytes !== undefined ? { volumeMaxBytes: config.mediaVolumeMaxBytes } : {};
}
