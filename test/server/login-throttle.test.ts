/**
 * Failed-login throttling (server/users/login-throttle.ts) on its own, with a clock the test moves, and through
 * `POST /v1/users/login`: 429 (1015) with Retry-After, before any password is hashed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { addressKey, LoginThrottle, type LoginAdmission } from "../../server/users/login-throttle.ts";
import { UserStore } from "../../server/users/user-store.ts";
import {
  ADMIN_PASSWORD,
  ManualClock,
  basic,
  call,
  login,
  startTestServer,
  waError,
  type TestServer,
} from "./harness.ts";

const limits = { maxFailuresPerAddress: 3, maxFailuresPerUser: 5, windowSeconds: 600 };
const MINUTE = 60_000;

function fail(throttle: LoginThrottle, address: string, username: string): void {
  const admission = throttle.admit(address, username);
  if (!admission.admitted) throw new Error(`not admitted: retry after ${admission.retryAfterSeconds}`);
  admission.finish(false);
}

function retryAfter(admission: LoginAdmission): number | undefined {
  if (admission.admitted) {
    admission.finish(true);
    return undefined;
  }
  return admission.retryAfterSeconds;
}

describe("LoginThrottle", () => {
  it("refuses an address once its failures in the window reach the limit, until the oldest leaves the window", () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(limits, clock);
    fail(throttle, "203.0.113.9", "alice");
    clock.advance(MINUTE);
    fail(throttle, "203.0.113.9", "bob");
    clock.advance(MINUTE);
    fail(throttle, "203.0.113.9", "carol");
    // Any user name, a right password included: nothing is checked.
    expect(retryAfter(throttle.admit("203.0.113.9", "dave"))).toBe(8 * 60);
    // Another address is not affected.
    expect(retryAfter(throttle.admit("203.0.113.10", "dave"))).toBeUndefined();
    // The window slides: once the first failure is 10 minutes old, one more attempt fits.
    clock.advance(8 * MINUTE - 1000);
    expect(retryAfter(throttle.admit("203.0.113.9", "dave"))).toBe(1);
    clock.advance(1000);
    fail(throttle, "203.0.113.9", "dave");
    expect(retryAfter(throttle.admit("203.0.113.9", "erin"))).toBe(60);
  });

  it("refuses a user name failed from many addresses, from every address", () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(limits, clock);
    for (let i = 1; i <= 5; i++) fail(throttle, `198.51.100.${i}`, "admin");
    expect(retryAfter(throttle.admit("198.51.100.77", "admin"))).toBe(600);
    expect(retryAfter(throttle.admit("198.51.100.77", "someone-else"))).toBeUndefined();
    clock.advance(600 * 1000);
    expect(retryAfter(throttle.admit("198.51.100.77", "admin"))).toBeUndefined();
  });

  it("does not count successful logins", () => {
    const throttle = new LoginThrottle(limits, new ManualClock());
    for (let i = 0; i < 20; i++) expect(retryAfter(throttle.admit("192.0.2.1", "admin"))).toBeUndefined();
    expect(throttle.trackedKeys).toBe(0);
  });

  it("counts attempts in flight, so that a burst is held to the limit before any of it has failed", () => {
    const throttle = new LoginThrottle(limits, new ManualClock());
    const burst = Array.from({ length: 10 }, () => throttle.admit("192.0.2.7", `user${Math.random()}`));
    expect(burst.filter((a) => a.admitted)).toHaveLength(3);
    expect(burst.filter((a) => !a.admitted).map((a) => (a.admitted ? 0 : a.retryAfterSeconds))).toEqual(
      Array(7).fill(1),
    );
    // Two turn out right, one wrong: room again for two.
    const admitted = burst.filter((a): a is Extract<LoginAdmission, { admitted: true }> => a.admitted);
    admitted[0]!.finish(true);
    admitted[1]!.finish(true);
    admitted[2]!.finish(false);
    const next = [throttle.admit("192.0.2.7", "x"), throttle.admit("192.0.2.7", "y"), throttle.admit("192.0.2.7", "z")];
    expect(next.map((a) => a.admitted)).toEqual([true, true, false]);
  });

  it("forgives failures recorded ahead of a clock that was set back", () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(limits, clock);
    clock.advance(90 * 24 * 60 * MINUTE);
    for (let i = 0; i < 3; i++) fail(throttle, "192.0.2.8", "admin");
    clock.advance(-90 * 24 * 60 * MINUTE);
    expect(retryAfter(throttle.admit("192.0.2.8", "admin"))).toBeUndefined();
  });

  it("keys IPv4-mapped addresses as IPv4 and IPv6 by their /64", () => {
    expect(addressKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb::9")).toBe(addressKey("2001:db8:1:2:aaaa::1"));
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    const throttle = new LoginThrottle(limits, new ManualClock());
    for (let i = 1; i <= 3; i++) fail(throttle, `2001:db8:1:2::${i}`, `u${i}`);
    expect(retryAfter(throttle.admit("2001:db8:1:2:ffff:ffff:ffff:ffff", "u9"))).toBeGreaterThan(0);
    expect(retryAfter(throttle.admit("2001:db8:1:3::1", "u9"))).toBeUndefined();
  });

  it("keeps a bounded number of keys under a flood of distinct user names", () => {
    const throttle = new LoginThrottle({ ...limits, maxFailuresPerAddress: 1_000_000 }, new ManualClock());
    for (let i = 0; i < 60_000; i++) fail(throttle, "192.0.2.9", `flood-${i}`);
    expect(throttle.trackedKeys).toBeLessThanOrEqual(50_000);
    // The address that sent them all is still tracked (it failed most recently).
    expect(throttle.admit("192.0.2.9", "x").admitted).toBe(true);
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
        env: { LOGIN_MAX_FAILURES_PER_ADDRESS: "3", LOGIN_FAILURE_WINDOW_SECONDS: "300" },
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
      expect(waError(r.body)).toEqual({
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

  it("answers 429 past the per-user limit from any address; other users are not affected", async () => {
    server = await startTestServer({ env: { LOGIN_MAX_FAILURES_PER_USER: "4" } });
    for (let i = 1; i <= 4; i++)
      expect((await attempt(server.app, "admin", "Wr0ng-pass!", `198.51.100.${i}`)).res.status).toBe(401);
    const r = await attempt(server.app, "admin", ADMIN_PASSWORD, "198.51.100.200");
    expect(r.res.status).toBe(429);
    expect(Number(r.res.headers.get("retry-after"))).toBe(900);
    expect((await attempt(server.app, "nobody", "Wr0ng-pass!", "198.51.100.200")).res.status).toBe(401);
  });

  it(
    "holds a concurrent burst of wrong logins to the limit, " + "and lets any number of right ones sent together in",
    async () => {
      server = await startTestServer({
        env: { LOGIN_MAX_FAILURES_PER_ADDRESS: "5", LOGIN_MAX_FAILURES_PER_USER: "1000" },
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
