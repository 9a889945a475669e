/**
 * Builds the reference server from explicit dependencies: the spec it serves (a value; the bundle by default), its
 * configuration, its storage and its clock. Every operation of the spec is served by the one registrar, through the
 * family the operation declares; `main.ts` serves the app over HTTP, `emulator.ts` in process.
 */
import { Hono } from "hono";
import type { ServerConfig } from "./config.ts";
import { systemClock, type Clock } from "./clock.ts";
import { removeExpiredAttachmentBlobs } from "./attachments/attachment-expiry.ts";
import { ATTACHMENT_BLOB_ID, AttachmentStore } from "./attachments/attachment-store.ts";
import { attachmentHandlers } from "./attachments/handlers.ts";
import { createAddressPolicy } from "./attachments/address-policy.ts";
import type { MessengerConfig } from "./attachments/config.ts";
import { createSafeFetcher, type LookupFunction, type SafeFetcher } from "./attachments/safe-fetcher.ts";
import { registerSamplePhoto } from "./attachments/sample-photo.ts";
import { readOnlyMethodNotAllowed, registerDocsRoutes, type DocsRouteOptions } from "./docs/routes.ts";
import { installErrorFallback } from "./edge/fallbacks.ts";
import { createMessengerFamily } from "./edge/messenger-family.ts";
import { registerOperations } from "./edge/operation-registrar.ts";
import { createWhatsAppFamily } from "./edge/whatsapp-family.ts";
import { MEDIA_ID, mediaHandlers } from "./media/handlers.ts";
import { settingsHandlers } from "./settings/handlers.ts";
import { settingsSchemaFacts } from "./settings/settings-schema.ts";
import { SettingsStore } from "./settings/settings-store.ts";
import type { BlobStore } from "./storage/blob-store.ts";
import type { SqliteStorage } from "./storage/sqlite/sqlite-storage.ts";
import type { Storage } from "./storage/storage.ts";
import { withPersistedDevPage } from "./attachments/dev-page-store.ts";
import { userHandlers } from "./users/handlers.ts";
import { LoginThrottle } from "./users/login-throttle.ts";
import { BUILT_IN_ADMIN, UserStore } from "./users/user-store.ts";
import { loadOpenApiDocument, type OpenApiDocument } from "./validation/openapi-document.ts";

/** What the app needs of the configuration (a `ServerConfig` has it all, and where to listen besides). */
export interface AppConfig
  extends Pick<ServerConfig, "waId" | "mediaMaxBytes" | "apiVersion" | "adminPassword" | "loginThrottle"> {
  messenger: Pick<
    MessengerConfig,
    "pages" | "pageTokenHashes" | "appSecret" | "fetchAllow" | "fetchTimeoutMs" | "generatedDevPage"
  >;
}

/** Everything the app is built from; tests pass in-memory storage, a fake clock, or a small spec of their own. */
export interface AppOptions {
  /** The spec to serve; default: the project's bundle (generated/openapi.json). */
  spec?: OpenApiDocument;
  config: AppConfig;
  storage: Storage;
  clock?: Clock;
  /**
   * How attachment URLs are fetched; default: the SSRF-safe fetcher with the configured allow-list (and `lookup`).
   * Whoever passes one closes it.
   */
  fetcher?: SafeFetcher;
  /** DNS for the default fetcher (tests play DNS with it). */
  lookup?: LookupFunction;
  /** `/docs`, `/openapi.json`, `/openapi.yaml` and `/` (files of the bundle); default: on when `spec` is the bundle. */
  docs?: boolean | DocsRouteOptions;
}

/**
 * The Hono app: every operation of the spec through the registrar, the sample image, the docs routes, the error
 * fallback.
 */
export function createApp(options: AppOptions): Hono {
  const { config, storage } = options;
  const spec = options.spec ?? loadOpenApiDocument();
  const clock = options.clock ?? systemClock;
  const app = new Hono();
  const adminPassword = config.adminPassword !== undefined ? { adminPassword: config.adminPassword } : {};
  const users = new UserStore(storage.users, clock, adminPassword);
  const fetcher =
    options.fetcher ??
    createSafeFetcher({
      policy: createAddressPolicy(config.messenger.fetchAllow),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });

  registerSamplePhoto(app, readOnlyMethodNotAllowed(config.apiVersion));
  const docs = options.docs ?? options.spec === undefined;
  if (docs) {
    const docsDeps = {
      config,
      adminPasswordChangeRequired: () => users.find(BUILT_IN_ADMIN)?.mustChangePassword ?? false,
    };
    registerDocsRoutes(app, docsDeps, typeof docs === "object" ? docs : {});
  }

  const settings = new SettingsStore(storage.settings, settingsSchemaFacts(spec).defaults);
  registerOperations(app, spec, [
    {
      family: createMessengerFamily({ spec, credentials: config.messenger }),
      handlers: attachmentHandlers({
        spec,
        records: storage.attachments,
        blobs: storage.attachmentBlobs,
        clock,
        fetcher,
        fetchTimeoutMs: config.messenger.fetchTimeoutMs,
      }),
    },
    {
      family: createWhatsAppFamily({
        users,
        loginThrottle: new LoginThrottle(config.loginThrottle, clock),
        apiVersion: config.apiVersion,
      }),
      handlers: {
        ...userHandlers(users, config.apiVersion),
        ...mediaHandlers({ spec, records: storage.media, blobs: storage.mediaBlobs, clock, config }),
        ...settingsHandlers({ spec, settings, providers: storage.providers, config }),
      },
    },
  ]);
  installErrorFallback(app, config.apiVersion);
  return app;
}

/**
 * Housekeeping before serving: removes blobs that no record names (a crash between a blob's rename and its record's
 * insert leaves a file no request can reach but the quota counts) and the files of expired attachments.
 */
export async function tidyStorage(storage: Storage, clock: Clock = systemClock): Promise<void> {
  await removeOrphanBlobs(storage.mediaBlobs, MEDIA_ID, (ids) => storage.media.existingIds(ids));
  const attachments = new AttachmentStore(storage.attachments, clock);
  await removeOrphanBlobs(storage.attachmentBlobs, ATTACHMENT_BLOB_ID, (ids) => attachments.existingBlobIds(ids));
  await removeExpiredAttachmentBlobs(attachments, storage.attachmentBlobs);
}

/** Deletes the blobs of the id form `idForm` that have no record; files of any other name are not ours to judge. */
async function removeOrphanBlobs(
  blobs: BlobStore,
  idForm: RegExp,
  existing: (ids: string[]) => Set<string>,
): Promise<void> {
  const candidates = (await blobs.list()).filter((id) => idForm.test(id));
  const recorded = existing(candidates);
  // Through delete(), which also takes the bytes off the store's usage count.
  for (const id of candidates) if (!recorded.has(id)) await blobs.delete(id);
}

/** What `createAppFromConfig` may be given instead of what it would open or make itself. */
export interface AppOverrides {
  spec?: OpenApiDocument;
  clock?: Clock;
  lookup?: LookupFunction;
  /** Replaces the media folder of the data directory. */
  media?: BlobStore;
  /** Replaces the attachments folder of the data directory. */
  attachments?: BlobStore;
}

/** The reference server on its data directory. */
export interface ReferenceApp {
  app: Hono;
  /** The configuration in effect: the one given, with the data directory's development page when one is generated. */
  config: ServerConfig;
  /** The storage it serves from (the blob stores of `overrides` in place of the folders). */
  storage: SqliteStorage;
  /** Releases the database and the fetcher's connections. */
  close(): void;
}

/** Opens the storage under `config.dataDir` (SQLite and blob folders), tidies it, and builds the app. */
export async function createAppFromConfig(
  requested: ServerConfig,
  overrides: AppOverrides = {},
): Promise<ReferenceApp> {
  // Loaded here, not at the top: the emulator builds apps without ever loading the SQLite adapter.
  const { openSqliteStorage } = await import("./storage/sqlite/sqlite-storage.ts");
  const opened = await openSqliteStorage(requested.dataDir, {
    ...(requested.mediaVolumeMaxBytes !== undefined ? { mediaVolumeMaxBytes: requested.mediaVolumeMaxBytes } : {}),
  });
  const storage: SqliteStorage = {
    ...opened,
    ...(overrides.media ? { mediaBlobs: overrides.media } : {}),
    ...(overrides.attachments ? { attachmentBlobs: overrides.attachments } : {}),
  };
  const clock = overrides.clock ?? systemClock;
  let config: ServerConfig;
  try {
    // A generated development page is the one this data directory already has, if any.
    config = withPersistedDevPage(requested, opened.db);
  } catch (err) {
    storage.close();
    throw err;
  }
  const fetcher = createSafeFetcher({
    policy: createAddressPolicy(config.messenger.fetchAllow),
    ...(overrides.lookup ? { lookup: overrides.lookup } : {}),
  });
  try {
    await tidyStorage(storage, clock);
    const app = createApp({ ...(overrides.spec ? { spec: overrides.spec } : {}), config, storage, clock, fetcher });
    return {
      app,
      config,
      storage,
      close: () => {
        void fetcher.close().catch(() => undefined);
        storage.close();
      },
    };
  } catch (err) {
    void fetcher.close().catch(() => undefined);
    storage.close();
    throw err;
  }
}
