/**
 * Login attempts per throttle key in PostgreSQL, shared by every instance: an admission reads the keys' attempts and
 * records its own under transaction-scoped advisory locks on those keys, so that N instances judging attempts at
 * the same moment still hold a burst to the limit (they wait for each other, key by key, in one order).
 */
import type { Pool } from "pg";
import type { LoginAttempt, LoginAttemptKey, LoginAttemptRecords } from "../records.ts";

/** Attempts in flight at once stay few (one hashing at a time per instance): this many more than `keep` is plenty. */
const IN_FLIGHT_ALLOWANCE = 100;
// The newest attempts of each key only: a key under attack from many addresses may have many more in the window.
const LIST = {
  name: "login-attempts-list",
  text: `SELECT k.key, a.at, a.pending
         FROM unnest($1::bytea[], $3::integer[]) AS k (key, keep)
         CROSS JOIN LATERAL (
           SELECT at, pending FROM login_attempts WHERE key = k.key AND at >= $2 ORDER BY at DESC LIMIT k.keep
         ) AS a`,
};
const RECORD = {
  name: "login-attempts-record",
  text: `INSERT INTO login_attempts (attempt_id, key, at, pending)
         SELECT $1, key, $3, TRUE FROM unnest($2::bytea[]) AS key`,
};
const FAILED = {
  name: "login-attempts-failed",
  text: "UPDATE login_attempts SET pending = FALSE, at = $2 WHERE attempt_id = $1",
};
const SUCCEEDED = { name: "login-attempts-succeeded", text: "DELETE FROM login_attempts WHERE attempt_id = $1" };
const PRUNE = { name: "login-attempts-prune", text: "DELETE FROM login_attempts WHERE at < $1" };

/** The advisory lock number of a key: its first 8 bytes (keys are hashes), as the signed 64-bit integer. */
function lockNumber(key: Buffer): bigint {
  return key.readBigInt64BE(0);
}

type Row = { key: Buffer; at: number; pending: boolean };

function listValues(keys: readonly LoginAttemptKey[], since: number): unknown[] {
  return [keys.map(({ key }) => key), since, keys.map(({ keep }) => keep + IN_FLIGHT_ALLOWANCE)];
}

/** One list per key, oldest first. */
function grouped(keys: readonly LoginAttemptKey[], rows: Row[]): LoginAttempt[][] {
  return keys.map(({ key }) =>
    rows
      .filter((row) => row.key.equals(key))
      .map(({ at, pending }) => ({ at, pending }))
      .sort((a, b) => a.at - b.at),
  );
}

/** The `login_attempts` table. */
export class PostgresLoginAttemptRecords implements LoginAttemptRecords {
  constructor(private readonly pool: Pool) {}

  async list(keys: readonly LoginAttemptKey[], since: number): Promise<LoginAttempt[][]> {
    return grouped(keys, (await this.pool.query<Row>({ ...LIST, values: listValues(keys, since) })).rows);
  }

  async admit(
    attemptId: string,
    keys: readonly LoginAttemptKey[],
    since: number,
    now: number,
    decide: (attempts: LoginAttempt[][]) => number | undefined,
  ): Promise<number | undefined> {
    const buffers = keys.map(({ key }) => key);
    // Always in the same order, so that two admissions sharing keys cannot wait for each other in a circle.
    const locks = [...new Set(buffers.map((key) => lockNumber(key)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      try {
        for (const lock of locks) await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lock.toString()]);
        const rows = (await client.query<Row>({ ...LIST, values: listValues(keys, since) })).rows;
        const refusal = decide(grouped(keys, rows));
        if (refusal === undefined) await client.query({ ...RECORD, values: [attemptId, buffers, now] });
        await client.query("COMMIT");
        return refusal;
      } catch (err) {
        await client.query("ROLLBACK").catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async settle(attemptId: string, failed: boolean, at: number): Promise<void> {
    if (failed) await this.pool.query({ ...FAILED, values: [attemptId, at] });
    else await this.pool.query({ ...SUCCEEDED, values: [attemptId] });
  }

  async prune(before: number): Promise<void> {
    await this.pool.query({ ...PRUNE, values: [before] });
  }
}
