/**
 * Builds the reference server from explicit dependencies: the spec it serves (a value; the bundle by default), its
 * configuration, its storage and its clock. Every operation of the spec is served by the one registrar, through the
 * family the operation declares; `main.ts` serves the app over HTTP, `emulator.ts` in process.
 */
import { Hono } from "hono";
import type { ServerConfig } from "./config.ts";
import { systemClock, type Clock } from "./clock.ts";
import { EXPIRY_SWEEP_TASK, removeExpiredAttachmentBlobs } from "./attachments/attachment-expiry.ts";
import { ATTACHMENT_BLOB_ID, AttachmentStore } from "./attachments/attachment-store.ts";
import { attachmentHandlers } from "./attachments/handlers.ts";
import { createAddressPolicy } from "./attachments/address-policy.ts";
import type { MessengerConfig } from "./attachments/config.ts";
import { createSafeFetcher, type LookupFunction, type SafeFetcher } from "./attachments/safe-fetcher.ts";
import { registerSamplePhoto } from "./attachments/sample-photo.ts";
import { readOnlyMethodNotAllowed, registerApiDocsRoutes, type ApiDocsRouteOptions } from "./api-docs/routes.ts";
import { installErrorFallback } from "./edge/fallbacks.ts";
import { createMessengerFamily } from "./edge/messenger-family.ts";
import { registerOperations } from "./edge/operation-registrar.ts";
import { createWhatsAppFamily } from "./edge/whatsapp-family.ts";
import { MEDIA_ID, mediaHandlers } from "./media/handlers.ts";
import { settingsHandlers } from "./settings/handlers.ts";
import { settingsSchemaFacts } from "./settings/settings-schema.ts";
import { SettingsStore } from "./settings/settings-store.ts";
import type { BlobStore } from "./storage/blob-store.ts";
import { SHARED_FOLDER_GRACE_MS, type Storage } from "./storage/storage.ts";
import { withPersistedDevPage } from "./attachments/dev-page-store.ts";
import { userHandlers } from "./users/handlers.ts";
import { LoginThrottle } from "./users/login-throttle.ts";
import { BUILT_IN_ADMIN, seedBuiltInAdmin, UserStore } from "./users/user-store.ts";
import { loadOpenApiDocument, type OpenApiDocument } from "../spec-model/openapi-document.ts";

/** What the app needs of the configuration (a `ServerConfig` has it all, and where to listen besides). */
export interface AppConfig
  extends Pick<ServerConfig, "waId" | "mediaMaxBytes" | "apiVersion" | "adminPassword" | "loginThrottle">,
    Partial<Pick<ServerConfig, "passwordHashCost">> {
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
  /**
   * The API reference routes: `/docs`, `/openapi.json`, `/openapi.yaml` and `/` (files of the bundle); default: on
   * when `spec` is the bundle.
   */
  apiDocs?: boolean | ApiDocsRouteOptions;
  /** @deprecated The former name of `apiDocs`; `apiDocs` wins when both are given. */
  docs?: boolean | ApiDocsRouteOptions;
}

/**
 * The Hono app: every operation of the spec through the registrar, the sample image, the API docs routes, the error
 * fallback.
 */
export function createApp(options: AppOptions): Hono {
  const { config, storage } = options;
  const spec = options.spec ?? loadOpenApiDocument();
  const clock = options.clock ?? systemClock;
  const app = new Hono();
  const adminPassword = config.adminPassword !== undefined ? { adminPassword: config.adminPassword } : {};
  // Where other instances change the same records, nothing is remembered between requests (Storage.exclusive).
  const users = new UserStore(storage.users, clock, {
    ...adminPassword,
    ...(config.passwordHashCost !== undefined ? { passwordHashCost: config.passwordHashCost } : {}),
    ...(storage.exclusive ? {} : { tokenCacheMs: 0 }),
  });
  const fetcher =
    options.fetcher ??
    createSafeFetcher({
      policy: createAddressPolicy(config.messenger.fetchAllow),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });

  registerSamplePhoto(app, readOnlyMethodNotAllowed(config.apiVersion));
  const apiDocs = options.apiDocs ?? options.docs ?? options.spec === undefined;
  if (apiDocs) {
    const apiDocsDeps = {
      config,
      adminPasswordChangeRequired: async () => (await users.find(BUILT_IN_ADMIN))?.mustChangePassword ?? false,
    };
    registerApiDocsRoutes(app, apiDocsDeps, typeof apiDocs === "object" ? apiDocs : {});
  }

  const settings = new SettingsStore(storage.settings, settingsSchemaFacts(spec).defaults, {
    cache: storage.exclusive,
  });
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
        sweepRunner: (task) => storage.runAlone(EXPIRY_SWEEP_TASK, task),
      }),
    },
    {
      family: createWhatsAppFamily({
        users,
        loginThrottle: new LoginThrottle(config.loginThrottle, clock, storage.loginAttempts),
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
 * insert leaves a file no request can reach but the quota counts) and the files of expired attachments. On storage
 * other instances share, a blob is judged only once unchanged for SHARED_FOLDER_GRACE_MS (another instance may be
 * about to insert its record), and the expiry sweep runs on one instance at a time.
 */
export async function tidyStorage(storage: Storage, clock: Clock = systemClock): Promise<void> {
  const settled = storage.exclusive ? {} : { unchangedForMs: SHARED_FOLDER_GRACE_MS };
  await removeOrphanBlobs(storage.mediaBlobs, MEDIA_ID, settled, (ids) => storage.media.existingIds(ids));
  const attachments = new AttachmentStore(storage.attachments, clock);
  await removeOrphanBlobs(storage.attachmentBlobs, ATTACHMENT_BLOB_ID, settled, (ids) =>
    attachments.existingBlobIds(ids),
  );
  await storage.runAlone(EXPIRY_SWEEP_TASK, () => removeExpiredAttachmentBlobs(attachments, storage.attachmentBlobs));
}

/** Deletes the blobs of the id form `idForm` that have no record; files of any other name are not ours to judge. */
async function removeOrphanBlobs(
  blobs: BlobStore,
  idForm: RegExp,
  settled: { unchangedForMs?: number },
  existing: (ids: string[]) => Promise<Set<string>>,
): Promise<void> {
  const candidates = (await blobs.list(settled)).filter((id) => idForm.test(id));
  const recorded = await existing(candidates);
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

/** The reference server on its storage. */
export interface ReferenceApp {
  app: Hono;
  /** The configuration in effect: the one given, with the storage's development page when one is generated. */
  config: ServerConfig;
  /** The storage it serves from (the blob stores of `overrides` in place of the folders). */
  storage: Storage;
  /** Releases the database and the fetcher's connections. */
  close(): Promise<void>;
}

/**
 * Opens the storage the configuration names: PostgreSQL with the blob folders under `mediaDir` when `databaseUrl` is
 * set, else SQLite under `dataDir`. Each adapter is loaded only here, so that the emulator loads neither.
 */
export async function openConfiguredStorage(config: ServerConfig): Promise<Storage> {
  const volume = config.mediaVolumeMaxBytes !== undefined ? { mediaVolumeMaxBytes: config.mediaVolumeMaxBytes } : {};
  if (config.databaseUrl !== undefined) {
    const { openPostgresStorage } = await import("./storage/postgres/postgres-storage.ts");
    return openPostgresStorage({
      databaseUrl: config.databaseUrl,
      mediaDir: config.mediaDir,
      poolMax: config.databasePoolMax,
      ...volume,
    });
  }
  const { openSqliteStorage } = await import("./storage/sqlite/sqlite-storage.ts");
  return openSqliteStorage(config.dataDir, { mediaDir: config.mediaDir, ...volume });
}

/**
 * Opens the configured storage, seeds the built-in admin, tidies the storage, records (or reads back) the
 * development page, and builds the app. The development page is recorded last, so that a start failing before it
 * uses up no token it could not print.
 */
export async function createAppFromConfig(
  requested: ServerConfig,
  overrides: AppOverrides = {},
): Promise<ReferenceApp> {
  const opened = await openConfiguredStorage(requested);
  const storage: Storage = {
    ...opened,
    ...(overrides.media ? { mediaBlobs: overrides.media } : {}),
    ...(overrides.attachments ? { attachmentBlobs: overrides.attachments } : {}),
  };
  const clock = overrides.clock ?? systemClock;
  let fetcher: SafeFetcher | undefined;
  try {
    await seedBuiltInAdmin(storage.users, requested.adminPassword, requested.passwordHashCost);
    await tidyStorage(storage, clock);
    // A generated development page is the one the storage already has, if any.
    const config = await withPersistedDevPage(requested, storage.devPage);
    fetcher = createSafeFetcher({
      policy: createAddressPolicy(config.messenger.fetchAllow),
      ...(overrides.lookup ? { lookup: overrides.lookup } : {}),
    });
    const app = createApp({ ...(overrides.spec ? { spec: overrides.spec } : {}), config, storage, clock, fetcher });
    const usedFetcher = fetcher;
    return {
      app,
      config,
      storage,
      close: async () => {
        void usedFetcher.close().catch(() => undefined);
        await storage.close();
      },
    };
  } catch (err) {
    void fetcher?.close().catch(() => undefined);
    await storage.close();
    throw err;
  }
}
