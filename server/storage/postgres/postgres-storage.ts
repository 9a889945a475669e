/**
 * Storage for several instances of the reference server: the records in one PostgreSQL database (node-postgres, a
 * bounded pool per instance) and the blobs in one folder that every instance mounts (a file share), written with
 * the same temporary file, fsync and rename as on one machine. Nothing that instances must agree on is kept in
 * memory: tokens, settings and login failures are read from the database on every request that needs them.
 */
import path from "node:path";
import pg from "pg";
import { createBlobStore } from "../blob-store.ts";
import { SHARED_FOLDER_GRACE_MS, type Storage, type StorageOptions } from "../storage.ts";
import { PostgresAttachmentRecords } from "./attachment-records.ts";
import { PostgresDevPageRecords } from "./dev-page-records.ts";
import { PostgresLoginAttemptRecords } from "./login-attempt-records.ts";
import { PostgresMediaRecords } from "./media-records.ts";
import { PostgresProviderRecords } from "./provider-records.ts";
import { LOCK_CLASS, migrate } from "./schema.ts";
import { PostgresSettingsRecords } from "./settings-records.ts";
import { PostgresUserRecords } from "./user-records.ts";

/** Connections each instance opens at most (DATABASE_POOL_MAX). */
export const DEFAULT_POOL_MAX = 10;
/** How long connecting may take before the start fails (an unreachable host would otherwise hang it). */
const CONNECT_TIMEOUT_MS = 10_000;

/** Where and how the PostgreSQL storage connects. */
export interface PostgresStorageOptions extends StorageOptions {
  /** `postgres://user:password@host:port/database` (libpq's URL form). */
  databaseUrl: string;
  /** The shared folder of the blob folders `media/` and `attachments/`. */
  mediaDir: string;
  /** Connections this instance opens at most (default DEFAULT_POOL_MAX). */
  poolMax?: number;
}

/** The PostgreSQL storage, with its pool (tests and the bench read it). */
export interface PostgresStorage extends Storage {
  pool: pg.Pool;
}

/** Reads BIGINT columns (times in ms, sizes in bytes: all below 2^53) as numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A pool on `databaseUrl`; its idle connections' errors are logged, not thrown (the pool replaces them). */
export function createPool(databaseUrl: string, max = DEFAULT_POOL_MAX): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "meta-media-openapi",
    types,
  });
  pool.on("error", (err) => console.warn("PostgreSQL connection lost (it will be replaced):", err.message));
  return pool;
}

/**
 * Connects, brings the schema to this server's version (once, under a lock, whoever starts first), then opens the
 * blob folders under `mediaDir`. Nothing is created on disk when the database cannot be used.
 */
export async function openPostgresStorage(opts: PostgresStorageOptions): Promise<PostgresStorage> {
  const pool = createPool(opts.databaseUrl, opts.poolMax);
  try {
    await migrate(pool);
    const volume = opts.mediaVolumeMaxBytes !== undefined ? { volumeMaxBytes: opts.mediaVolumeMaxBytes } : {};
    const folder = { tmpGraceMs: SHARED_FOLDER_GRACE_MS };
    return {
      pool,
      users: new PostgresUserRecords(pool),
      media: new PostgresMediaRecords(pool),
      settings: new PostgresSettingsRecords(pool),
      providers: new PostgresProviderRecords(pool),
      attachments: new PostgresAttachmentRecords(pool),
      devPage: new PostgresDevPageRecords(pool),
      loginAttempts: new PostgresLoginAttemptRecords(pool),
      mediaBlobs: await createBlobStore(path.join(opts.mediaDir, "media"), { ...volume, ...folder }),
      attachmentBlobs: await createBlobStore(path.join(opts.mediaDir, "attachments"), folder),
      exclusive: false,
      runAlone: (name, task) => runAlone(opts.databaseUrl, name, task),
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/**
 * Runs `task` while holding the session advisory lock of `name`, or skips it when another session holds it. The lock
 * lives on a connection of its own, outside the pool (the task's queries use the pool: holding one of its connections
 * would deadlock a pool of one); an instance that dies releases the lock with its connection.
 */
async function runAlone<T>(databaseUrl: string, name: string, task: () => Promise<T>): Promise<T | undefined> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "meta-media-openapi",
  });
  // A connection lost while the task runs only ends the lock early; the task's own queries report their errors.
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked",
      [LOCK_CLASS, name],
    );
    if (!rows[0]?.locked) return undefined;
    return await task();
  } finally {
    // Closing the session releases its advisory locks.
    await client.end().catch(() => undefined);
  }
}
