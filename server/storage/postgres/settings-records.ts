/**
 * The application settings document in PostgreSQL: one row, always present, locked by every update and clear, so
 * that concurrent PATCHes on any instances apply one after the other (each to the document the previous one left).
 */
import type { Pool } from "pg";
import type { SettingsRecords } from "../records.ts";

const READ = { name: "settings-read", text: "SELECT value FROM settings WHERE name = 'application'" };
const LOCK = { name: "settings-lock", text: "SELECT value FROM settings WHERE name = 'application' FOR UPDATE" };
const WRITE = { name: "settings-write", text: "UPDATE settings SET value = $1 WHERE name = 'application'" };
const CLEAR = { name: "settings-clear", text: "UPDATE settings SET value = NULL WHERE name = 'application'" };

function parse(value: string | null | undefined): unknown {
  return value === null || value === undefined ? undefined : (JSON.parse(value) as unknown);
}

/** The `settings` table (row `application`; its value is the document as JSON text, NULL at the defaults). */
export class PostgresSettingsRecords implements SettingsRecords {
  constructor(private readonly pool: Pool) {}

  async read(): Promise<unknown> {
    return parse((await this.pool.query<{ value: string | null }>(READ)).rows[0]?.value);
  }

  async update(change: (stored: unknown) => unknown): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      try {
        const locked = await client.query<{ value: string | null }>(LOCK);
        const next = change(parse(locked.rows[0]?.value));
        await client.query({ ...WRITE, values: [JSON.stringify(next)] });
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      }
    } finally {
      // A connection that could not roll back is not given to the next request.
      client.release(broken);
    }
  }

  async clear(): Promise<void> {
    await this.pool.query(CLEAR);
  }
}
