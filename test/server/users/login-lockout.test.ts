/**
 * An attacker without the password cannot keep the real admin out (server/users/login-throttle.ts): 125 wrong admin
 * logins from five loopback addresses (real sockets bound to 127.0.0.2 to 127.0.0.6) pass the per-user limit, yet
 * the right password from a sixth address gets in; further guesses cost no hashing (counted), a fresh address earns
 * one guess, and a plain brute force from one address is still held to the per-address limit. Default limits.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../../server/edge/serve-node.ts";
import { passwordDerivations } from "../../../server/users/password-hash.ts";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "../../support/server-harness.ts";

let server: TestServer;
let served: NodeServer;

beforeAll(async () => {
  server = await startTestServer({ env: {} });
  served = await serveNode(server.app, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await served?.close();
  server?.dispose();
});

/** A login over a fresh connection from `localAddress`; its status. */
function login(username: string, password: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${served.url}/v1/users/login`, {
      method: "POST",
      localAddress,
      agent: false,
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

function count(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** `perAddress` wrong logins as `username` from each address, the addresses in parallel. */
async function guesses(username: string, addresses: string[], perAddress: number): Promise<number[]> {
  const runs = addresses.map(async (address) => {
    const statuses: number[] = [];
    for (let i = 0; i < perAddress; i++) statuses.push(await login(username, `Wrong-passw0rd-${i}!`, address));
    return statuses;
  });
  return (await Promise.all(runs)).flat();
}

const attackers = [2, 3, 4, 5, 6].map((n) => `127.0.0.${n}`);

describe("a flood of wrong admin logins from several addresses", () => {
  it("passes the per-user limit without locking the admin out, with hashing bounded", async () => {
    const hashedBefore = passwordDerivations();
    const flood = await guesses("admin", attackers, 25);
    // The per-user limit (100) is reached; the attempts past it from those addresses are refused before hashing.
    expect(count(flood)).toEqual({ 401: 100, 429: 25 });
    expect(passwordDerivations() - hashedBefore).toBe(100);

    // The admin, from an address that has not failed: in.
    expect(await login("admin", ADMIN_PASSWORD, "127.0.0.7")).toBe(200);

    // More guesses from the same addresses cost no hashing at all; a fresh address earns exactly one.
    const hashedAfterAdmin = passwordDerivations();
    expect(count(await guesses("admin", attackers, 10))).toEqual({ 429: 50 });
    expect(count(await guesses("admin", ["127.0.0.8"], 5))).toEqual({ 401: 1, 429: 4 });
    expect(passwordDerivations() - hashedAfterAdmin).toBe(1);

    // The admin again, from the address it used: still in (it has not failed there).
    expect(await login("admin", ADMIN_PASSWORD, "127.0.0.7")).toBe(200);
  }, 120_000);

  it("still holds a brute force from one address to the per-address limit", async () => {
    const hashedBefore = passwordDerivations();
    expect(count(await guesses("alice", ["127.0.0.9"], 40))).toEqual({ 401: 30, 429: 10 });
    expect(passwordDerivations() - hashedBefore).toBe(30);
    // Whatever the user name: the address is refused.
    expect(await login("admin", ADMIN_PASSWORD, "127.0.0.9")).toBe(429);
  }, 120_000);
});
