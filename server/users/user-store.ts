/**
 * User accounts and bearer tokens over `UserRecords`: passwords are stored as scrypt hashes and tokens as sha256
 * hashes, whichever adapter keeps them; on storage this process alone writes, resolved tokens are remembered
 * briefly (the hot path of every WA call).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { UserRecords, UserRole } from "../storage/records.ts";
import { DEFAULT_PASSWORD_HASH_COST, dummyHash, hashPassword, verifyPassword } from "./password-hash.ts";
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
/** Tokens last 7 days (spec: `expires_after` of `#/components/schemas/UserToken`). */
export const TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function tokenHash(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** `2099-11-29 10:15:00+00:00`, the WA way of writing a timestamp. */
export function formatWhatsAppTimestamp(date: Date): string {
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

/** A resolved bearer token: its user, and its hash (what logout revokes). */
export interface ResolvedToken {
  user: User;
  tokenHash: Buffer;
}

/**
 * Inserts the built-in admin when the records have none: `adminPassword`, or the default that must be changed; its
 * password hashed at `passwordHashCost` (WA_PASSWORD_HASH_COST). Several instances may do this at once on one
 * database: the first insert wins, the others change nothing.
 */
export async function seedBuiltInAdmin(
  records: UserRecords,
  adminPassword?: string,
  passwordHashCost = DEFAULT_PASSWORD_HASH_COST,
): Promise<void> {
  if (await records.find(BUILT_IN_ADMIN)) return;
  await records.insert({
    username: BUILT_IN_ADMIN,
    role: "ROLE_ADMIN",
    passwordHash: await hashPassword(adminPassword ?? DEFAULT_ADMIN_PASSWORD, passwordHashCost),
    mustChangePassword: adminPassword === undefined,
  });
}

/** User accounts and bearer tokens. */
export class UserStore {
  /** sha256 (hex) of recently resolved tokens; cleared by every change of users or tokens made here. */
  private readonly tokenCache = new Map<string, CachedToken>();
  private readonly tokenCacheMs: number;
  /**
   * Bumped by every change of users or tokens: a lookup that started before a change may have read what it changed,
   * so its answer is not remembered.
   */
  private generation = 0;
  /** The built-in admin is in the records (seeded at construction). */
  private readonly seeded: Promise<void>;
  /** scrypt's cost for the passwords set here (WA_PASSWORD_HASH_COST). */
  private readonly passwordHashCost: number;

  /**
   * Seeds the built-in admin when the records have none. `tokenCacheMs` 0 remembers no token: the choice for
   * records that other processes change too (a revocation there must count on the very next request here).
   * `passwordHashCost` is scrypt's cost for the passwords set here (default 14, WA_PASSWORD_HASH_COST).
   */
  constructor(
    private readonly records: UserRecords,
    private readonly clock: Clock,
    opts: { adminPassword?: string; tokenCacheMs?: number; passwordHashCost?: number } = {},
  ) {
    this.tokenCacheMs = opts.tokenCacheMs ?? TOKEN_CACHE_MS;
    this.passwordHashCost = opts.passwordHashCost ?? DEFAULT_PASSWORD_HASH_COST;
    this.seeded = seedBuiltInAdmin(records, opts.adminPassword, this.passwordHashCost);
    // Awaited by every use of the user records; a failure is theirs to report, not an unhandled rejection.
    this.seeded.catch(() => undefined);
  }

  /**
   * The user when the password is right; takes as long for an unknown user as for a wrong password. `onTurn` runs
   * when the password's hashing gets its turn (see HashingTurn).
   */
  async authenticate(username: string, password: string, onTurn?: HashingTurn): Promise<User | undefined> {
    await this.seeded;
    const found = await this.records.find(username);
    const ok = await verifyPassword(password, found?.passwordHash ?? dummyHash(this.passwordHashCost), onTurn);
    return found && ok ? { username, role: found.role, mustChangePassword: found.mustChangePassword } : undefined;
  }

  async find(username: string): Promise<User | undefined> {
    await this.seeded;
    const found = await this.records.find(username);
    return found && { username, role: found.role, mustChangePassword: found.mustChangePassword };
  }

  /**
   * Sets a new password and revokes every token of the user, in one transaction: whoever held a session under the
   * old password (perhaps the reason it is being changed) must log in again. The caller issues a fresh token after.
   */
  async setPassword(username: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password, this.passwordHashCost);
    try {
      await this.records.setPasswordHash(username, passwordHash);
    } finally {
      this.forgetTokens();
    }
  }

  /** false when a user of that name exists already. */
  async create(username: string, password: string, role: UserRole): Promise<boolean> {
    await this.seeded;
    const passwordHash = await hashPassword(password, this.passwordHashCost);
    return this.records.insert({ username, role, passwordHash, mustChangePassword: false });
  }

  /** Deletes the user and its tokens; false when unknown. */
  async delete(username: string): Promise<boolean> {
    try {
      return await this.records.delete(username);
    } finally {
      this.forgetTokens();
    }
  }

  /** A new random token (32 bytes, base64url) valid for 7 days; only its hash is kept. */
  async issueToken(username: string): Promise<{ token: string; expiresAt: Date }> {
    await this.seeded;
    const now = this.clock.now().getTime();
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now + TOKEN_TTL_MS);
    await this.records.insertToken({ tokenHash: tokenHash(token), username, expiresAt: expiresAt.getTime() }, now);
    return { token, expiresAt };
  }

  /**
   * The user a valid, unexpired token belongs to, with the token's hash (to revoke it). This runs on every
   * authenticated request, so where the records are this process's alone a resolved token is remembered for
   * `tokenCacheMs` and answered without a promise (expiry is still checked against the clock on every call); logout,
   * password changes and user deletion through this store clear the memory at once. With `tokenCacheMs` 0 every call
   * asks the records.
   */
  resolveToken(token: string): ResolvedToken | undefined | Promise<ResolvedToken | undefined> {
    // The hex digest is the cache key; the bytes are only needed when the records are asked.
    const key = createHash("sha256").update(token, "utf8").digest("hex");
    const entry = this.tokenCache.get(key);
    if (entry && entry.freshUntil > performance.now()) return this.unexpired(entry);
    // Deleted (and set again once looked up), so the Map's order stays the order of freshness (oldest evicted first).
    if (entry) this.tokenCache.delete(key);
    const hash = Buffer.from(key, "hex");
    const generation = this.generation;
    return this.lookupToken(hash).then((found) => {
      if (!found) return undefined;
      const fresh = { ...found, hash, freshUntil: performance.now() + this.tokenCacheMs };
      if (this.tokenCacheMs > 0 && generation === this.generation) {
        if (this.tokenCache.size >= TOKEN_CACHE_MAX_ENTRIES) {
          this.tokenCache.delete(this.tokenCache.keys().next().value!);
        }
        this.tokenCache.set(key, fresh);
      }
      return this.unexpired(fresh);
    });
  }

  private forgetTokens(): void {
    this.generation++;
    this.tokenCache.clear();
  }

  private unexpired(entry: CachedToken): ResolvedToken | undefined {
    if (entry.expiresAt <= this.clock.now().getTime()) return undefined;
    return { user: entry.user, tokenHash: entry.hash };
  }

  private async lookupToken(hash: Buffer): Promise<{ user: User; expiresAt: number } | undefined> {
    const found = await this.records.findToken(hash);
    // The lookup is by hash already; the explicit constant-time comparison keeps the check honest if it changes.
    if (!found || !timingSafeEqual(found.tokenHash, hash)) return undefined;
    const { username, role, mustChangePassword, expiresAt } = found;
    return { user: { username, role, mustChangePassword }, expiresAt };
  }

  async revokeToken(hash: Buffer): Promise<void> {
    try {
      await this.records.deleteToken(hash);
    } finally {
      this.forgetTokens();
    }
  }
}
