/**
 * Password hashing must not starve file I/O: scrypt and the file system share libuv's few threads, so hashing is
 * limited to one derivation at a time (server/users/password-hash.ts). Checked by order of events, not by time: while
 * 200 wrong logins are in flight, a 1 KB download completes before most of them are answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../../server/edge/serve-node.ts";
import { hashPassword, PASSWORD_HASHING, verifyPassword } from "../../../server/users/password-hash.ts";
import { until } from "../../support/until.ts";
import { basic, bearer, call, startTestServer, type TestServer } from "../../support/server-harness.ts";

describe("password hashing", () => {
  it("runs one derivation at a time; the others wait their turn", async () => {
    const stored = await hashPassword("Some-Passw0rd!");
    let most = 0;
    const jobs = Array.from({ length: 6 }, (_, i) =>
      verifyPassword(i === 0 ? "Some-Passw0rd!" : `Wrong-${i}!`, stored).finally(() => {
        most = Math.max(most, PASSWORD_HASHING.active);
      }),
    );
    expect(PASSWORD_HASHING.active).toBe(1);
    expect(PASSWORD_HASHING.waiting).toBe(5);
    expect(await Promise.all(jobs)).toEqual([true, false, false, false, false, false]);
    expect(most).toBe(1);
    expect(PASSWORD_HASHING.active).toBe(0);
    expect(PASSWORD_HASHING.waiting).toBe(0);
  });
});

describe("a flood of wrong logins", () => {
  let server: TestServer;
  let served: NodeServer;
  let loginsReceived = 0;

  beforeAll(async () => {
    // Limits raised for this test only: it is about hashing, and 200 failures from one address would be throttled.
    server = await startTestServer({
      env: { WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "100000", WA_LOGIN_MAX_FAILURES_PER_USER: "100000" },
    });
    served = await serveNode(
      {
        fetch: (request, env) => {
          if (new URL(request.url).pathname === "/v1/users/login") loginsReceived++;
          return server.app.fetch(request, env);
        },
      },
      { host: "127.0.0.1", port: 0 },
    );
  });
  afterAll(async () => {
    await served?.close();
    server?.dispose();
  });

  it("does not hold up a 1 KB download: it completes while most of 200 logins are still waiting", async () => {
    const token = (
      await call(server.app, "loginUser", "/v1/users/login", {
        method: "POST",
        headers: { Authorization: basic("admin", "Adm1n!pass") },
      })
    ).body as {
      users: Array<{ token: string }>;
    };
    const auth = bearer(token.users[0]!.token);
    const upload = await call(server.app, "uploadMedia", "/v1/media", {
      method: "POST",
      headers: { ...auth, "Content-Type": "text/plain" },
      body: "x".repeat(1024),
    });
    const id = (upload.body as { media: Array<{ id: string }> }).media[0]!.id;

    let answered = 0;
    const logins = Array.from({ length: 200 }, (_, i) =>
      fetch(`${served.url}/v1/users/login`, {
        method: "POST",
        headers: { Authorization: basic("admin", `Wrong-passw0rd-${i}!`) },
      }).then(async (res) => {
        await res.arrayBuffer();
        answered++;
        return res.status;
      }),
    );
    await until(() => loginsReceived >= 200, "the server to have received the 200 logins", 60_000);
    const download = await fetch(`${served.url}/v1/media/${id}`, { headers: auth });
    const bytes = await download.arrayBuffer();
    const answeredWhenDownloaded = answered;
    expect(download.status).toBe(200);
    expect(bytes.byteLength).toBe(1024);
    // Hashing one at a time, a handful of logins at most are answered by then; sharing the thread pool with 200
    // scrypt jobs, the download's file reads waited behind nearly all of them.
    expect(answeredWhenDownloaded).toBeLessThan(100);
    expect(await Promise.all(logins)).toEqual(Array(200).fill(401));
  }, 180_000);
});
