/**
 * User accounts and bearer tokens over `UserRecords`: passwords are stored as scrypt hashes and tokens as sha256
 * hashes, whichever adapter keeps them; resolved tokens are remembered briefly (the hot path of every WA call).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { UserRecords, UserRole } from "../storage/records.ts";
import { DUMMY_HASH, hashPassword, hashPasswordSync, verifyPassword } from "./password-hash.ts";
import type { HashingTurn } from "./password-hash.ts";

export type { UserRole };

/** A user as authentication sees it (no hash). */
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

function tokenHash(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** `2099-11-29 10:15:00+00:00`, the WA way of writing a timestamp. */
export function formatWaTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}

/** How long a resolved token is trusted without asking the records again (see `UserStore.resolveToken`). */
export const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_MAX_ENTRIES = 10_000;

interface CachedToken {
  user: User;
  hash: Buffer;
  expiresAt: number;
  /** `performance.now()` after which the records are asked again. */
  freshUntil: number;
}

/** User accounts and bearer tokens. */
export class UserStore {
  /** sha256 (hex) of recently resolved tokens; cleared by every change of users or tokens made here. */
  private readonly tokenCache = new Map<string, CachedToken>();
  private readonly tokenCacheMs: number;

  /** Seeds the built-in admin when the records have none: `adminPassword`, or the default that must be changed. */
  constructor(
    private readonly records: UserRecords,
    private readonly clock: Clock,
    opts: { adminPassword?: string; tokenCacheMs?: number } = {},
  ) {
    this.tokenCacheMs = opts.tokenCacheMs ?? TOKEN_CACHE_MS;
    if (!records.find(BUILT_IN_ADMIN)) {
      records.insert({
        username: BUILT_IN_ADMIN,
        role: "ROLE_ADMIN",
        passwordHash: hashPasswordSync(opts.adminPassword ?? DEFAULT_ADMIN_PASSWORD),
        mustChangePassword: opts.adminPassword === undefined,
      });
    }
  }

  /**
   * The user when the password is right; takes as long for an unknown user as for a wrong password. `onTurn` runs
   * when the password's hashing gets its turn (see HashingTurn).
   */
  async authenticate(username: string, password: string, onTurn?: HashingTurn): Promise<User | undefined> {
    const found = this.records.find(username);
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH, onTurn);
    return found && ok ? { username, role: found.role, mustChangePassword: found.mustChangePassword } : undefined;
  }

  find(username: string): User | undefined {
    const found = this.records.find(username);
    return found && { username, role: found.role, mustChangePassword: found.mustChangePassword };
  }

  /**
   * Sets a new password and revokes every token of the user, in one transaction: whoever held a session under the
   * old password (perhaps the reason it is being changed) must log in again. The caller issues a fresh token after.
   */
  async setPassword(username: string, password: string): Promise<void> {
    this.records.setPasswordHash(username, await hashPassword(password));
    this.tokenCache.clear();
  }

  /** false when a user of that name exists already. */
  async create(username: string, password: string, role: UserRole): Promise<boolean> {
    const passwordHash = await hashPassword(password);
    return this.records.insert({ username, role, passwordHash, mustChangePassword: false });
  }

  /** Deletes the user and its tokens; false when unknown. */
  delete(username: string): boolean {
    const deleted = this.records.delete(username);
    this.tokenCache.clear();
    return deleted;
  }

  /** A new random token (32 bytes, base64url) valid for 7 days; only its hash is kept. */
  issueToken(username: string): { token: string; expiresAt: Date } {
    const now = this.clock.now().getTime();
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now + TOKEN_TTL_MS);
    this.records.insertToken({ tokenHash: tokenHash(token), username, expiresAt: expiresAt.getTime() }, now);
    return { token, expiresAt };
  }

  /**
   * The user a valid, unexpired token belongs to, with the token's hash (to revoke it). This runs on every
   * authenticated request, so a resolved token is remembered for TOKEN_CACHE_MS (expiry is still checked against the
   * clock on every call). Logout, password changes and user deletion through this store clear the memory at once;
   * another process sharing the data directory sees such a change within TOKEN_CACHE_MS.
   */
  resolveToken(token: string): { user: User; tokenHash: Buffer } | undefined {
    // The hex digest is the cache key; the bytes are only needed when the records are asked.
    const key = createHash("sha256").update(token, "utf8").digest("hex");
    let entry = this.tokenCache.get(key);
    if (!entry || entry.freshUntil <= performance.now()) {
      // Deleted and set again, so the Map's order stays the order of freshness (the oldest is evicted first).
      this.tokenCache.delete(key);
      const hash = Buffer.from(key, "hex");
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
    const found = this.records.findToken(hash);
    // The lookup is by hash already; the explicit constant-time comparison keeps the check honest if it changes.
    if (!found || !timingSafeEqual(found.tokenHash, hash)) return undefined;
    const { username, role, mustChangePassword, expiresAt } = found;
    return { user: { username, role, mustChangePassword }, expiresAt };
  }

  revokeToken(hash: Buffer): void {
    this.records.deleteToken(hash);
    this.tokenCache.clear();
  }
}
