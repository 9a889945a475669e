/**
 * Failed-login throttling (server/users/login-throttle.ts) on its own, with a clock the test moves, and through
 * `POST /v1/users/login`: 429 (1015) with Retry-After, before any password is hashed.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_TRACKED_KEYS, MemoryLoginAttemptRecords } from "../../../server/storage/memory/memory-login-attempts.ts";
import { addressKey, LoginThrottle, throttleKey, type LoginAdmission } from "../../../server/users/login-throttle.ts";
import { UserStore } from "../../../server/users/user-store.ts";
import {
  ADMIN_PASSWORD,
  ManualClock,
  basic,
  call,
  login,
  startTestServer,
  whatsAppError,
  type TestServer,
} from "../../support/server-harness.ts";
import { fixtureProgram } from "../../support/fixture-programs.ts";

const limits = { maxFailuresPerAddress: 3, maxFailuresPerUser: 5, windowSeconds: 600 };
const MINUTE = 60_000;

function throttleOn(clock: ManualClock, custom = limits) {
  const records = new MemoryLoginAttemptRecords();
  return { throttle: new LoginThrottle(custom, clock, records), records };
}

async function fail(throttle: LoginThrottle, address: string, username: string): Promise<void> {
  const admission = await throttle.admit(address, username);
  if (!admission.admitted) throw new Error(`not admitted: retry after ${admission.retryAfterSeconds}`);
  await admission.finish(false);
}

/** Admits and lets succeed: the wait in seconds, or undefined when admitted. */
async function retryAfter(pending: Promise<LoginAdmission>): Promise<number | undefined> {
  const admission = await pending;
  if (admission.admitted) {
    await admission.finish(true);
    return undefined;
  }
  return admission.retryAfterSeconds;
}

describe("LoginThrottle", () => {
  it("refuses an address once its failures in the window reach the limit, until the oldest leaves it", async () => {
    const clock = new ManualClock();
    const { throttle } = throttleOn(clock);
    await fail(throttle, "203.0.113.9", "alice");
    clock.advance(MINUTE);
    await fail(throttle, "203.0.113.9", "bob");
    clock.advance(MINUTE);
    await fail(throttle, "203.0.113.9", "carol");
    // Any user name, a right password included: nothing is checked.
    expect(await retryAfter(throttle.admit("203.0.113.9", "dave"))).toBe(8 * 60);
    expect(await throttle.retryAfter("203.0.113.9", "dave")).toBe(8 * 60);
    // Another address is not affected.
    expect(await retryAfter(throttle.admit("203.0.113.10", "dave"))).toBeUndefined();
    // The window slides: once the first failure is 10 minutes old, one more attempt fits.
    clock.advance(8 * MINUTE - 1000);
    expect(await retryAfter(throttle.admit("203.0.113.9", "dave"))).toBe(1);
    clock.advance(1000);
    await fail(throttle, "203.0.113.9", "dave");
    expect(await retryAfter(throttle.admit("203.0.113.9", "erin"))).toBe(60);
  });

  it("refuses a user name failed from many addresses, from those addresses, until the failures leave", async () => {
    const clock = new ManualClock();
    const { throttle } = throttleOn(clock);
    for (let i = 1; i <= 5; i++) await fail(throttle, `198.51.100.${i}`, "admin");
    for (let i = 1; i <= 5; i++) expect(await retryAfter(throttle.admit(`198.51.100.${i}`, "admin"))).toBe(600);
    expect(await retryAfter(throttle.admit("198.51.100.1", "someone-else"))).toBeUndefined();
    clock.advance(600 * 1000);
    expect(await retryAfter(throttle.admit("198.51.100.1", "admin"))).toBeUndefined();
  });

  it("hears an address without failures once for a user name past its limit: the owner is not locked out", async () => {
    const clock = new ManualClock();
    const { throttle } = throttleOn(clock);
    for (let i = 1; i <= 5; i++) await fail(throttle, `198.51.100.${i}`, "admin");
    // The owner, from an address that has not failed: admitted, and a right password succeeds.
    expect(await retryAfter(throttle.admit("192.0.2.200", "admin"))).toBeUndefined();
    // An attacker from a fresh address gets one guess; after it fails, that address waits too.
    await fail(throttle, "192.0.2.201", "admin");
    expect(await retryAfter(throttle.admit("192.0.2.201", "admin"))).toBe(600);
    // Two attempts at once from a fresh address: the first is in flight, so the second waits for it.
    const first = await throttle.admit("192.0.2.202", "admin");
    expect(first.admitted).toBe(true);
    expect(await retryAfter(throttle.admit("192.0.2.202", "admin"))).toBe(1);
    await (first as Extract<LoginAdmission, { admitted: true }>).finish(false);
    // An address that failed for another user name is no longer fresh either: it waits while the user is over.
    clock.advance(MINUTE);
    await fail(throttle, "192.0.2.203", "bob");
    expect(await retryAfter(throttle.admit("192.0.2.203", "admin"))).toBe(540);
  });

  it("does not count successful logins", async () => {
    const { throttle, records } = throttleOn(new ManualClock());
    for (let i = 0; i < 20; i++) expect(await retryAfter(throttle.admit("192.0.2.1", "admin"))).toBeUndefined();
    expect(records.trackedKeys).toBe(0);
  });

  it("counts attempts in flight, so that a burst is held to the limit before any of it has failed", async () => {
    const { throttle } = throttleOn(new ManualClock());
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => throttle.admit("192.0.2.7", `user${Math.random()}`)),
    );
    expect(burst.filter((a) => a.admitted)).toHaveLength(3);
    expect(burst.filter((a) => !a.admitted).map((a) => (a.admitted ? 0 : a.retryAfterSeconds))).toEqual(
      Array(7).fill(1),
    );
    // Two turn out right, one wrong: room again for two.
    const admitted = burst.filter((a): a is Extract<LoginAdmission, { admitted: true }> => a.admitted);
    await admitted[0]!.finish(true);
    await admitted[1]!.finish(true);
    await admitted[2]!.finish(false);
    const next = [];
    for (const name of ["x", "y", "z"]) next.push(await throttle.admit("192.0.2.7", name));
    expect(next.map((a) => a.admitted)).toEqual([true, true, false]);
  });

  it("forgives failures recorded ahead of a clock that was set back", async () => {
    const clock = new ManualClock();
    const { throttle } = throttleOn(clock);
    clock.advance(90 * 24 * 60 * MINUTE);
    for (let i = 0; i < 3; i++) await fail(throttle, "192.0.2.8", "admin");
    clock.advance(-90 * 24 * 60 * MINUTE);
    expect(await retryAfter(throttle.admit("192.0.2.8", "admin"))).toBeUndefined();
  });

  it("keys IPv4-mapped addresses as IPv4 and IPv6 by their /64", async () => {
    expect(addressKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb::9")).toBe(addressKey("2001:db8:1:2:aaaa::1"));
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    const { throttle } = throttleOn(new ManualClock());
    for (let i = 1; i <= 3; i++) await fail(throttle, `2001:db8:1:2::${i}`, `u${i}`);
    expect(await retryAfter(throttle.admit("2001:db8:1:2:ffff:ffff:ffff:ffff", "u9"))).toBeGreaterThan(0);
    expect(await retryAfter(throttle.admit("2001:db8:1:3::1", "u9"))).toBeUndefined();
  });

  it("keys by a fixed-size hash: a long user name is not kept, and distinct names stay distinct", () => {
    const long = "u".repeat(12 * 1024);
    expect(throttleKey("user", long)).toHaveLength(16);
    expect(throttleKey("user", `${long}1`).equals(throttleKey("user", `${long}2`))).toBe(false);
    expect(throttleKey("user", "x").equals(throttleKey("address", "x"))).toBe(false);
  });

  it("keeps under 2 KiB per failed user name of 12 KiB (a key kept the whole decoded header: 12.5 KiB)", () => {
    const probe = fixtureProgram("throttle-memory-probe.ts");
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", probe], { encoding: "utf8" });
    const { bytesPerFailure } = JSON.parse(out) as { bytesPerFailure: number };
    expect(bytesPerFailure).toBeLessThan(2048);
  }, 60_000);

  it("keeps a bounded number of keys under a flood of distinct user names from distinct addresses", async () => {
    const { throttle, records } = throttleOn(new ManualClock(), { ...limits, maxFailuresPerAddress: 1 });
    const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 30_000; i++) await fail(throttle, address(i), `flood-${i}`);
    expect(records.trackedKeys).toBeLessThanOrEqual(MAX_TRACKED_KEYS);
    // The address that failed most recently is still tracked: its one failure fills its limit.
    expect((await throttle.admit(address(29_999), "x")).admitted).toBe(false);
  });
});

describe("POST /v1/users/login under repeated failures", () => {
  let server: TestServer | undefined;
  afterEach(() => {
    server?.dispose();
    server = undefined;
    vi.restoreAllMocks();
  });

  const attempt = (app: TestServer["app"], username: string, password: string, remoteAddress?: string) =>
    call(
      app,
      "loginUser",
      "/v1/users/login",
      { method: "POST", headers: { Authorization: basic(username, password) } },
      undefined,
      remoteAddress,
    );

  it(
    "answers 429 (1015) with Retry-After past the per-address limit, " + "without hashing, until the window has passed",
    async () => {
      const clock = new ManualClock();
      server = await startTestServer({
        env: { WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "3", WA_LOGIN_FAILURE_WINDOW_SECONDS: "300" },
        overrides: { clock },
      });
      for (const name of ["admin", "alice", "bob"])
        expect((await attempt(server.app, name, "Wr0ng-pass!", "203.0.113.5")).res.status).toBe(401);
      const authenticate = vi.spyOn(UserStore.prototype, "authenticate");
      // The right password from the same address: refused without being checked.
      const r = await call(
        server.app,
        "loginUser",
        "/v1/users/login",
        { method: "POST", headers: { Authorization: basic("admin", ADMIN_PASSWORD) } },
        { requireHeaders: ["Retry-After"] },
        "203.0.113.5",
      );
      expect(r.res.status).toBe(429);
      expect(r.res.headers.get("retry-after")).toBe("300");
      expect(whatsAppError(r.body)).toEqual({
        code: 1015,
        details: "Too many failed logins from this address or for this user name: retry in 300 s",
      });
      expect(authenticate).not.toHaveBeenCalled();
      // Another address logs in as usual.
      expect((await attempt(server.app, "admin", ADMIN_PASSWORD, "203.0.113.6")).res.status).toBe(200);
      clock.advance(300 * 1000);
      expect((await attempt(server.app, "admin", ADMIN_PASSWORD, "203.0.113.5")).res.status).toBe(200);
    },
  );

  it("answers 429 past the per-user limit from the addresses that failed; a fresh one is heard once", async () => {
    server = await startTestServer({ env: { WA_LOGIN_MAX_FAILURES_PER_USER: "4" } });
    for (let i = 1; i <= 4; i++)
      expect((await attempt(server.app, "admin", "Wr0ng-pass!", `198.51.100.${i}`)).res.status).toBe(401);
    // The right password from an address that failed: refused until the user's failures leave the window.
    const r = await attempt(server.app, "admin", ADMIN_PASSWORD, "198.51.100.1");
    expect(r.res.status).toBe(429);
    expect(Number(r.res.headers.get("retry-after"))).toBe(900);
    // Other users are not affected; an address that has not failed is heard, so the owner gets in.
    expect((await attempt(server.app, "nobody", "Wr0ng-pass!", "198.51.100.200")).res.status).toBe(401);
    expect((await attempt(server.app, "admin", ADMIN_PASSWORD, "198.51.100.201")).res.status).toBe(200);
    // A wrong guess from a fresh address is its only one.
    expect((await attempt(server.app, "admin", "Wr0ng-pass!", "198.51.100.202")).res.status).toBe(401);
    expect((await attempt(server.app, "admin", "Wr0ng-pass!", "198.51.100.202")).res.status).toBe(429);
  });

  it(
    "holds a concurrent burst of wrong logins to the limit, " + "and lets any number of right ones sent together in",
    async () => {
      server = await startTestServer({
        env: { WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "5", WA_LOGIN_MAX_FAILURES_PER_USER: "1000" },
      });
      const app = server.app;
      // 12 right logins at once from one address: more than the limit of failures, none of them a failure.
      const right = await Promise.all(
        Array.from({ length: 12 }, () => attempt(app, "admin", ADMIN_PASSWORD, "192.0.2.50")),
      );
      expect(right.map((r) => r.res.status)).toEqual(Array(12).fill(200));
      // 20 wrong ones at once from another address: exactly the limit is checked (401), the rest wait (429).
      const authenticate = vi.spyOn(UserStore.prototype, "authenticate");
      const wrong = await Promise.all(
        Array.from({ length: 20 }, (_, i) => attempt(app, `user${i}`, "Wr0ng-pass!", "192.0.2.51")),
      );
      const statuses = wrong.map((r) => r.res.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
      expect(authenticate).toHaveBeenCalledTimes(20);
      // Right logins from that address now wait too; from the first one they still pass.
      expect((await attempt(app, "admin", ADMIN_PASSWORD, "192.0.2.51")).res.status).toBe(429);
      expect((await attempt(app, "admin", ADMIN_PASSWORD, "192.0.2.50")).res.status).toBe(200);
    },
  );

  it("with the default limits, a person who mistypes a few times still gets in", async () => {
    server = await startTestServer();
    for (let i = 0; i < 5; i++) expect((await attempt(server.app, "admin", "typo-Passw0rd!")).res.status).toBe(401);
    await login(server.app, "admin", ADMIN_PASSWORD);
  });
});
