/**
 * The PostgreSQL schema of the reference server, created and upgraded once by whichever instance gets there first:
 * under a session advisory lock, so that several instances starting together on an empty database wait for the
 * first one, then find the schema at its version and change nothing.
 */
import type { Pool, PoolClient } from "pg";

/** The class of every advisory lock this server takes (two-key form: this class, then the lock's number). */
export const LOCK_CLASS = 0x4d4d_4f41;
/** The lock of schema creation and upgrades. */
const SCHEMA_LOCK = 1;

/** Each entry upgrades the schema from its index to the next version; never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('ROLE_ADMIN', 'ROLE_USER')),
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE TABLE tokens (
    token_hash BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX tokens_by_user ON tokens (username);
  CREATE INDEX tokens_by_expiry ON tokens (expires_at);
  CREATE TABLE media (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  -- One row, always present, so that every update and clear locks it; NULL value: the defaults.
  CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
  INSERT INTO settings (name, value) VALUES ('application', NULL);
  CREATE TABLE media_providers (name TEXT PRIMARY KEY, type TEXT NOT NULL, config TEXT NOT NULL);
  CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    page_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('image', 'video', 'audio', 'file')),
    is_reusable BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    blob_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    mime_type TEXT,
    source TEXT NOT NULL CHECK (source IN ('url', 'file')),
    blob_removed BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE INDEX attachments_page ON attachments (page_id);
  CREATE INDEX attachments_blob ON attachments (blob_id);
  CREATE INDEX attachments_expiring ON attachments (expires_at) WHERE NOT blob_removed;
  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    page_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    created_at BIGINT NOT NULL
  );
  CREATE INDEX messages_attachment ON messages (attachment_id);
  CREATE TABLE dev_page (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    page_id TEXT NOT NULL,
    token_sha256 BYTEA NOT NULL
  );
  CREATE TABLE login_attempts (
    attempt_id TEXT NOT NULL,
    key BYTEA NOT NULL,
    at BIGINT NOT NULL,
    pending BOOLEAN NOT NULL,
    PRIMARY KEY (attempt_id, key)
  );
  CREATE INDEX login_attempts_by_key ON login_attempts (key, at);
  CREATE INDEX login_attempts_by_time ON login_attempts (at);
  `,
];

/** The schema version this server writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database whose schema is newer than this server knows: started by a newer version of it. */
export class SchemaVersionError extends Error {
  override name = "SchemaVersionError";
}

async function inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query("BEGIN");
  try {
    await work();
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/**
 * Brings the schema to SCHEMA_VERSION: creates it on an empty database, applies the missing migrations on an older
 * one (each in a transaction with its version), refuses a newer one. Returns the version found before.
 */
export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [LOCK_CLASS, SCHEMA_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_version (
           one INTEGER PRIMARY KEY CHECK (one = 1),
           version INTEGER NOT NULL
         )`,
      );
      const found = (await client.query<{ version: number }>("SELECT version FROM schema_version")).rows[0]?.version;
      const from = found ?? 0;
      if (from > SCHEMA_VERSION) {
        throw new SchemaVersionError(
          `its schema is at version ${from}, newer than this server's ${SCHEMA_VERSION}: run a newer server`,
        );
      }
      for (let version = from; version < SCHEMA_VERSION; version++) {
        await inTransaction(client, async () => {
          await client.query(MIGRATIONS[version]!);
          await client.query(
            `INSERT INTO schema_version (one, version) VALUES (1, $1)
             ON CONFLICT (one) DO UPDATE SET version = excluded.version`,
            [version + 1],
          );
        });
      }
      return from;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_CLASS, SCHEMA_LOCK]);
    }
  } finally {
    client.release();
  }
}
