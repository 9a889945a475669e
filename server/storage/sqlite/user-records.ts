/** Users and token hashes in SQLite; deleting a user deletes its tokens (foreign key cascade). */
import type Database from "better-sqlite3";
import type { TokenRecord, UserRecord, UserRecords, UserRole } from "../records.ts";

interface UserRow {
  username: string;
  role: UserRole;
  password_hash: string;
  must_change_password: number;
}

interface TokenRow {
  token_hash: Buffer;
  expires_at: number;
  username: string;
  role: UserRole;
  must_change_password: number;
}

/** The `users` and `tokens` tables. */
export class SqliteUserRecords implements UserRecords {
  // Prepared once: token lookups run on every authenticated request, and preparing costs more than the lookup.
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('ROLE_ADMIN', 'ROLE_USER')),
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS tokens (
        token_hash BLOB PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens(username);
    `);
    this.stmts = {
      find: db.prepare<[string], UserRow>("SELECT * FROM users WHERE username = ?"),
      insert: db.prepare<[string, string, string, number]>(
        `INSERT INTO users (username, role, password_hash, must_change_password) VALUES (?, ?, ?, ?)
         ON CONFLICT(username) DO NOTHING`,
      ),
      setPasswordHash: db.prepare<[string, string]>(
        "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE username = ?",
      ),
      delete: db.prepare<[string]>("DELETE FROM users WHERE username = ?"),
      purgeTokens: db.prepare<[number]>("DELETE FROM tokens WHERE expires_at <= ?"),
      insertToken: db.prepare<[Buffer, string, number]>(
        "INSERT INTO tokens (token_hash, username, expires_at) VALUES (?, ?, ?)",
      ),
      findToken: db.prepare<[Buffer], TokenRow>(
        `SELECT t.token_hash, t.expires_at, u.username, u.role, u.must_change_password
         FROM tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = ?`,
      ),
      deleteToken: db.prepare<[Buffer]>("DELETE FROM tokens WHERE token_hash = ?"),
      deleteTokensOf: db.prepare<[string]>("DELETE FROM tokens WHERE username = ?"),
    };
    this.changePassword = db.transaction((username: string, passwordHash: string) => {
      this.stmts.setPasswordHash.run(passwordHash, username);
      this.stmts.deleteTokensOf.run(username);
    });
    this.issueToken = db.transaction(
      (token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number) => {
        this.stmts.purgeTokens.run(now);
        this.stmts.insertToken.run(token.tokenHash, token.username, token.expiresAt);
      },
    );
  }

  private readonly issueToken: (token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number) => void;
  private readonly changePassword: (username: string, passwordHash: string) => void;

  async find(username: string): Promise<UserRecord | undefined> {
    const row = this.stmts.find.get(username);
    return (
      row && {
        username: row.username,
        role: row.role,
        passwordHash: row.password_hash,
        mustChangePassword: row.must_change_password === 1,
      }
    );
  }

  async insert(user: UserRecord): Promise<boolean> {
    const { username, role, passwordHash, mustChangePassword } = user;
    return this.stmts.insert.run(username, role, passwordHash, mustChangePassword ? 1 : 0).changes === 1;
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<void> {
    this.changePassword(username, passwordHash);
  }

  async delete(username: string): Promise<boolean> {
    return this.stmts.delete.run(username).changes === 1;
  }

  async insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): Promise<void> {
    this.issueToken(token, now);
  }

  async findToken(tokenHash: Buffer): Promise<TokenRecord | undefined> {
    const row = this.stmts.findToken.get(tokenHash);
    return (
      row && {
        tokenHash: row.token_hash,
        username: row.username,
        role: row.role,
        mustChangePassword: row.must_change_password === 1,
        expiresAt: row.expires_at,
      }
    );
  }

  async deleteToken(tokenHash: Buffer): Promise<void> {
    this.stmts.deleteToken.run(tokenHash);
  }
}
