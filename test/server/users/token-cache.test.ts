/**
 * The token cache of UserStore: a resolved token is remembered for a short time, changes made through the same store
 * take effect at once, and changes made by another process sharing the database within the cache time (at once with
 * a cache time of 0, what the server uses on PostgreSQL).
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../server/storage/database.ts";
import { SqliteUserRecords } from "../../../server/storage/sqlite/user-records.ts";
import { UserStore } from "../../../server/users/user-store.ts";
import { ManualClock, makeDataDir } from "../../support/server-harness.ts";

const dirs: string[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two stores on two connections to one database, as two server processes on one data directory would have. */
function twoStores(tokenCacheMs: number) {
  const dir = makeDataDir();
  dirs.push(dir);
  const clock = new ManualClock();
  const dbA = openDatabase(dir);
  const dbB = openDatabase(dir);
  closers.push(
    () => dbA.close(),
    () => dbB.close(),
  );
  const opts = { adminPassword: "Adm1n!pass", tokenCacheMs };
  const a = new UserStore(new SqliteUserRecords(dbA), clock, opts);
  return { clock, a, b: new UserStore(new SqliteUserRecords(dbB), clock, opts) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("token cache", () => {
  it("forgets a token revoked through the same store at once", async () => {
    const { a } = twoStores(60_000);
    const { token } = await a.issueToken("admin");
    const resolved = await a.resolveToken(token);
    expect(resolved?.user.username).toBe("admin");
    // Remembered now: answered without a promise.
    expect(a.resolveToken(token)).not.toBeInstanceOf(Promise);
    await a.revokeToken(resolved!.tokenHash);
    expect(await a.resolveToken(token)).toBeUndefined();
  });

  it("still checks expiry on every call", async () => {
    const { a, clock } = twoStores(60_000);
    const { token, expiresAt } = await a.issueToken("admin");
    expect(await a.resolveToken(token)).toBeDefined();
    clock.advance(expiresAt.getTime() - clock.now().getTime());
    expect(await a.resolveToken(token)).toBeUndefined();
  });

  it("sees a deletion or a revocation made by another connection once the cache time has passed", async () => {
    const { a, b } = twoStores(50);
    await b.create("bob", "B0b!passwd", "ROLE_USER");
    const bob = (await b.issueToken("bob")).token;
    const admin = (await b.issueToken("admin")).token;
    expect((await a.resolveToken(bob))?.user.role).toBe("ROLE_USER");
    expect((await a.resolveToken(admin))?.user.role).toBe("ROLE_ADMIN");
    await b.delete("bob");
    await b.revokeToken((await b.resolveToken(admin))!.tokenHash);
    await sleep(80);
    expect(await a.resolveToken(bob)).toBeUndefined();
    expect(await a.resolveToken(admin)).toBeUndefined();
  });

  it("with a cache time of 0 (records other processes change), sees another's revocation at once", async () => {
    const { a, b } = twoStores(0);
    const { token } = await b.issueToken("admin");
    expect((await a.resolveToken(token))?.user.username).toBe("admin");
    expect(a.resolveToken(token)).toBeInstanceOf(Promise);
    await b.revokeToken((await b.resolveToken(token))!.tokenHash);
    expect(await a.resolveToken(token)).toBeUndefined();
  });

  it("does not remember a token looked up while it was being revoked", async () => {
    const { a } = twoStores(60_000);
    const { token } = await a.issueToken("admin");
    const hash = (await a.resolveToken(token))!.tokenHash;
    await a.revokeToken(Buffer.alloc(32));
    // Looked up (the record read) before the revocation, answered after it: its answer is not kept.
    const racing = a.resolveToken(token);
    const revoked = a.revokeToken(hash);
    await racing;
    await revoked;
    expect(await a.resolveToken(token)).toBeUndefined();
  });

  it("does not remember unknown tokens: one issued afterwards by another connection works at once", async () => {
    const { a, b } = twoStores(60_000);
    const unknown = "x".repeat(43);
    expect(await a.resolveToken(unknown)).toBeUndefined();
    const { token } = await b.issueToken("admin");
    expect((await a.resolveToken(token))?.user.username).toBe("admin");
  });
});
