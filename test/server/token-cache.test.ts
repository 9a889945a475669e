/**
 * The token cache of UserStore: a resolved token is remembered for a short time, changes made through the same store
 * take effect at once, and changes made by another process sharing the data directory within the cache time.
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/storage/database.ts";
import { SqliteUserRecords } from "../../server/storage/sqlite/user-records.ts";
import { UserStore } from "../../server/users/user-store.ts";
import { ManualClock, makeDataDir } from "./harness.ts";

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
  it("forgets a token revoked through the same store at once", () => {
    const { a } = twoStores(60_000);
    const { token } = a.issueToken("admin");
    const resolved = a.resolveToken(token);
    expect(resolved?.user.username).toBe("admin");
    a.revokeToken(resolved!.tokenHash);
    expect(a.resolveToken(token)).toBeUndefined();
  });

  it("still checks expiry on every call", () => {
    const { a, clock } = twoStores(60_000);
    const { token, expiresAt } = a.issueToken("admin");
    expect(a.resolveToken(token)).toBeDefined();
    clock.advance(expiresAt.getTime() - clock.now().getTime());
    expect(a.resolveToken(token)).toBeUndefined();
  });

  it("sees a deletion or a revocation made by another connection once the cache time has passed", async () => {
    const { a, b } = twoStores(50);
    await b.create("bob", "B0b!passwd", "ROLE_USER");
    const bob = b.issueToken("bob").token;
    const admin = b.issueToken("admin").token;
    expect(a.resolveToken(bob)?.user.role).toBe("ROLE_USER");
    expect(a.resolveToken(admin)?.user.role).toBe("ROLE_ADMIN");
    b.delete("bob");
    b.revokeToken(b.resolveToken(admin)!.tokenHash);
    await sleep(80);
    expect(a.resolveToken(bob)).toBeUndefined();
    expect(a.resolveToken(admin)).toBeUndefined();
  });

  it("does not remember unknown tokens: one issued afterwards by another connection works at once", () => {
    const { a, b } = twoStores(60_000);
    const unknown = "x".repeat(43);
    expect(a.resolveToken(unknown)).toBeUndefined();
    const { token } = b.issueToken("admin");
    expect(a.resolveToken(token)?.user.username).toBe("admin");
  });
});
