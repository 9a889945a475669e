/** Users and token hashes in PostgreSQL; deleting a user deletes its tokens (foreign key cascade). */
import type { Pool } from "pg";
import type { TokenRecord, UserRecord, UserRecords, UserRole } from "../records.ts";

interface UserRow {
  username: string;
  role: UserRole;
  password_hash: string;
  must_change_password: boolean;
}

interface TokenRow {
  token_hash: Buffer;
  expires_at: number;
  username: string;
  role: UserRole;
  must_change_password: boolean;
}

// Named statements: each connection prepares them once, then only binds values (token lookups run on every call).
const FIND = { name: "users-find", text: "SELECT * FROM users WHERE username = $1" };
const INSERT = {
  name: "users-insert",
  text: `INSERT INTO users (username, role, password_hash, must_change_password) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO NOTHING`,
};
// One statement, so one transaction: the hash changes and the user's tokens go together.
const SET_PASSWORD = {
  name: "users-set-password",
  text: `WITH changed AS (
           UPDATE users SET password_hash = $2, must_change_password = FALSE WHERE username = $1 RETURNING username
         )
         DELETE FROM tokens WHERE username IN (SELECT username FROM changed)`,
};
const DELETE = { name: "users-delete", text: "DELETE FROM users WHERE username = $1" };
const INSERT_TOKEN = {
  name: "tokens-insert",
  text: `WITH expired AS (DELETE FROM tokens WHERE expires_at <= $4)
         INSERT INTO tokens (token_hash, username, expires_at) VALUES ($1, $2, $3)`,
};
const FIND_TOKEN = {
  name: "tokens-find",
  text: `SELECT t.token_hash, t.expires_at, u.username, u.role, u.must_change_password
         FROM tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = $1`,
};
const DELETE_TOKEN = { name: "tokens-delete", text: "DELETE FROM tokens WHERE token_hash = $1" };

/** The `users` and `tokens` tables. */
export class PostgresUserRecords implements UserRecords {
  constructor(private readonly pool: Pool) {}

  async find(username: string): Promise<UserRecord | undefined> {
    const row = (await this.pool.query<UserRow>({ ...FIND, values: [username] })).rows[0];
    return (
      row && {
        username: row.username,
        role: row.role,
        passwordHash: row.password_hash,
        mustChangePassword: row.must_change_password,
      }
    );
  }

  async insert(user: UserRecord): Promise<boolean> {
    const values = [user.username, user.role, user.passwordHash, user.mustChangePassword];
    return (await this.pool.query({ ...INSERT, values })).rowCount === 1;
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<void> {
    await this.pool.query({ ...SET_PASSWORD, values: [username, passwordHash] });
  }

  async delete(username: string): Promise<boolean> {
    return (await this.pool.query({ ...DELETE, values: [username] })).rowCount === 1;
  }

  async insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): Promise<void> {
    await this.pool.query({ ...INSERT_TOKEN, values: [token.tokenHash, token.username, token.expiresAt, now] });
  }

  async findToken(tokenHash: Buffer): Promise<TokenRecord | undefined> {
    const row = (await this.pool.query<TokenRow>({ ...FIND_TOKEN, values: [tokenHash] })).rows[0];
    return (
      row && {
        tokenHash: row.token_hash,
        username: row.username,
        role: row.role,
        mustChangePassword: row.must_change_password,
        expiresAt: row.expires_at,
      }
    );
  }

  async deleteToken(tokenHash: Buffer): Promise<void> {
    await this.pool.query({ ...DELETE_TOKEN, values: [tokenHash] });
  }
}
