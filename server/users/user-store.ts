/** Users and their bearer tokens in SQLite: only scrypt hashes of passwords and sha256 hashes of tokens are stored. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type Database from "better-sqlite3";
import type { components } from "../../generated/openapi.d.ts";
import type { Clock } from "../clock.ts";
import { DUMMY_HASH, hashPassword, hashPasswordSync, verifyPassword } from "./password-hash.ts";

export type UserRole = components["schemas"]["UserRole"];

export interface User {
  username: string;
  role: UserRole;
  /** The built-in admin still has the default password and must change it at login. */
  mustChangePassword: boolean;
}

/** The built-in administrator, which cannot be deleted. */
export const BUILT_IN_ADMIN = "admin";
/** Its faithful default password when the configuration gives none. */
export const DEFAULT_ADMIN_PASSWORD = "secret";
/** Tokens last 7 days (FACTS §2). */
export const TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

interface UserRow {
  username: string;
  role: UserRole;
  password_hash: string;
  must_change_password: number;
}

function tokenHash(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function toUser(row: Omit<UserRow, "password_hash">): User {
  return { username: row.username, role: row.role, mustChangePassword: row.must_change_password === 1 };
}

/** `2099-11-29 10:15:00+00:00`, the WA way of writing a timestamp. */
export function formatWaTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}

/** How long a resolved token is trusted without asking SQLite again (see `UserStore.resolveToken`). */
export const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_MAX_ENTRIES = 10_000;

interface CachedToken {
  user: User;
  hash: Buffer;
  expiresAt: number;
  /** `performance.now()` after which SQLite is asked again. */
  freshUntil: number;
}

/** User accounts and bearer tokens. */
export class UserStore {
  private tokenLookup?: Database.Statement;
  /** sha256 (hex) of recently resolved tokens; cleared by every change of users or tokens made here. */
  private readonly tokenCache = new Map<string, CachedToken>();
  private readonly tokenCacheMs: number;
  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
    opts: { adminPassword?: string; tokenCacheMs?: number },
  ) {
    this.tokenCacheMs = opts.tokenCacheMs ?? TOKEN_CACHE_MS;
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
    const exists = db.prepare("SELECT 1 FROM users WHERE username = ?").get(BUILT_IN_ADMIN);
    if (!exists) {
      const password = opts.adminPassword ?? DEFAULT_ADMIN_PASSWORD;
      db.prepare("INSERT INTO users (username, role, password_hash, must_change_password) VALUES (?, 'ROLE_ADMIN', ?, ?)").run(
        BUILT_IN_ADMIN,
        hashPasswordSync(password),
        opts.adminPassword === undefined ? 1 : 0,
      );
    }
  }

  /** The user when the password is right; takes as long for an unknown user as for a wrong password. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const row = this.db.prepare("SELECT * FROM users WHERE username = ?").get(username) as UserRow | undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    return row && ok ? toUser(row) : undefined;
  }

  find(username: string): User | undefined {
    const row = this.db.prepare("SELECT * FROM users WHERE username = ?").get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  /**
   * Sets a new password and revokes every token of the user, in one transaction: whoever held a session under the
   * old password (perhaps the reason it is being changed) must log in again. The caller issues a fresh token after.
   */
  async setPassword(username: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      this.db.prepare("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE username = ?").run(hash, username);
      this.db.prepare("DELETE FROM tokens WHERE username = ?").run(username);
    })();
    this.tokenCache.clear();
  }

  /** false when a user of that name exists already. */
  async create(username: string, password: string, role: UserRole): Promise<boolean> {
    const hash = await hashPassword(password);
    const result = this.db
      .prepare("INSERT INTO users (username, role, password_hash) VALUES (?, ?, ?) ON CONFLICT(username) DO NOTHING")
      .run(username, role, hash);
    return result.changes === 1;
  }

  /** Deletes the user and, by cascade, its tokens; false when unknown. */
  delete(username: string): boolean {
    const deleted = this.db.prepare("DELETE FROM users WHERE username = ?").run(username).changes === 1;
    this.tokenCache.clear();
    return deleted;
  }

  /** A new random token (32 bytes, base64url) valid for 7 days; only its hash is kept. */
  issueToken(username: string): { token: string; expiresAt: Date } {
    const now = this.clock.now().getTime();
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now + TOKEN_TTL_MS);
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM tokens WHERE expires_at <= ?").run(now);
      this.db.prepare("INSERT INTO tokens (token_hash, username, expires_at) VALUES (?, ?, ?)").run(tokenHash(token), username, expiresAt.getTime());
    })();
    return { token, expiresAt };
  }

  /**
   * The user a valid, unexpired token belongs to, with the token's hash (to revoke it). This runs on every
   * authenticated request, so a resolved token is remembered for TOKEN_CACHE_MS (expiry is still checked against the
   * clock on every call). Logout, password changes and user deletion through this store clear the memory at once;
   * another process sharing the data directory sees such a change within TOKEN_CACHE_MS.
   */
  resolveToken(token: string): { user: User; tokenHash: Buffer } | undefined {
    const hash = tokenHash(token);
    const key = hash.toString("hex");
    let entry = this.tokenCache.get(key);
    if (!entry || entry.freshUntil <= performance.now()) {
      // Deleted and set again, so the Map's order stays the order of freshness (the oldest is evicted first).
      this.tokenCache.delete(key);
      const found = this.lookupToken(hash);
      if (!found) return undefined;
      if (this.tokenCache.size >= TOKEN_CACHE_MAX_ENTRIES) this.tokenCache.delete(this.tokenCache.keys().next().value!);
      entry = { ...found, hash, freshUntil: performance.now() + this.tokenCacheMs };
      this.tokenCache.set(key, entry);
    }
    if (entry.expiresAt <= this.clock.now().getTime()) return undefined;
    return { user: entry.user, tokenHash: entry.hash };
  }

  private lookupToken(hash: Buffer): { user: User; expiresAt: number } | undefined {
    // Prepared once: this runs on every authenticated request, and preparing costs more than the lookup itself.
    this.tokenLookup ??= this.db.prepare(
      "SELECT t.token_hash, t.expires_at, u.username, u.role, u.must_change_password FROM tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = ?",
    );
    const row = this.tokenLookup
      .get(hash) as (Omit<UserRow, "password_hash"> & { token_hash: Buffer; expires_at: number }) | undefined;
    // The lookup is by hash already; the explicit constant-time comparison keeps the check honest if the lookup changes.
    if (!row || !timingSafeEqual(row.token_hash, hash)) return undefined;
    return { user: toUser(row), expiresAt: row.expires_at };
  }

  revokeToken(hash: Buffer): void {
    this.db.prepare("DELETE FROM tokens WHERE token_hash = ?").run(hash);
    this.tokenCache.clear();
  }
}
