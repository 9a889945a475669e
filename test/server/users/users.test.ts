import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  ManualClock,
  basic,
  bearer,
  call,
  json,
  login,
  startTestServer,
  whatsAppError,
  type TestServer,
} from "../../support/server-harness.ts";

let server: TestServer | undefined;
afterEach(() => {
  server?.dispose();
  server = undefined;
});

const NEW_PASSWORD = "N3w!password";

describe("login with the built-in admin and its default password", () => {
  it("requires new_password, checks the password rule, then works with the new password only", async () => {
    const clock = new ManualClock();
    server = await startTestServer({ env: { WA_ADMIN_PASSWORD: undefined }, overrides: { clock } });
    const { app } = server;
    const auth = { Authorization: basic("admin", "secret") };

    let r = await call(app, "loginUser", "/v1/users/login", { method: "POST", headers: auth });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body)).toMatchObject({ code: 1008, details: expect.stringContaining("new_password") });

    // An empty body is accepted even when it claims to be JSON, but the change is still required.
    r = await call(app, "loginUser", "/v1/users/login", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: "",
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);

    for (const weak of [
      "short1!",
      "alllowercase1!",
      "ALLUPPERCASE1!",
      "NoDigitsHere!",
      "NoSpecial123",
      `A1!${"a".repeat(62)}`,
    ]) {
      r = await call(app, "loginUser", "/v1/users/login", { method: "POST", ...json({ new_password: weak }, auth) });
      expect(r.res.status, weak).toBe(400);
      expect(whatsAppError(r.body), weak).toMatchObject({
        code: 1009,
        details: expect.stringContaining("new_password must be 8 to 64 characters"),
      });
    }

    r = await call(app, "loginUser", "/v1/users/login", {
      method: "POST",
      ...json({ new_password: NEW_PASSWORD }, auth),
    });
    expect(r.res.status).toBe(200);
    const [entry] = (r.body as { users: Array<{ token: string; expires_after: string }> }).users;
    expect(entry!.expires_after).toBe("2026-01-22 10:00:00+00:00");
    expect(Buffer.from(entry!.token, "base64url")).toHaveLength(32);

    r = await call(app, "loginUser", "/v1/users/login", { method: "POST", headers: auth });
    expect(r.res.status).toBe(401);
    const token = await login(app, "admin", NEW_PASSWORD);
    expect(token).not.toBe(entry!.token);
  });
});

describe("login", () => {
  it("answers 401 with a Basic challenge for missing, malformed or wrong credentials", async () => {
    server = await startTestServer();
    const cases: Array<Record<string, string>> = [
      {},
      { Authorization: "Basic" },
      { Authorization: "Basic !!!" },
      { Authorization: `Basic ${Buffer.from("no-colon").toString("base64")}` },
      { Authorization: basic("admin", "wrong") },
      { Authorization: basic("nobody", ADMIN_PASSWORD) },
      { Authorization: "Bearer abc" },
    ];
    for (const headers of cases) {
      const r = await call(
        server.app,
        "loginUser",
        "/v1/users/login",
        { method: "POST", headers },
        { requireHeaders: ["WWW-Authenticate"] },
      );
      expect(r.res.status, JSON.stringify(headers)).toBe(401);
      expect(r.res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
      expect(whatsAppError(r.body).code).toBe(1005);
    }
  });

  it(
    "reads the optional body only as JSON: " + "415 for another type, 400 for malformed JSON or unknown fields",
    async () => {
      server = await startTestServer();
      const auth = { Authorization: basic("admin", ADMIN_PASSWORD) };
      let r = await call(server.app, "loginUser", "/v1/users/login", {
        method: "POST",
        headers: { ...auth, "Content-Type": "text/plain" },
        body: "hi",
      });
      expect(r.res.status).toBe(415);
      expect(whatsAppError(r.body).code).toBe(1009);
      r = await call(server.app, "loginUser", "/v1/users/login", {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: "{nope",
      });
      expect(r.res.status).toBe(400);
      expect(whatsAppError(r.body)).toEqual({ code: 1009, details: "Request body is not valid JSON" });
      r = await call(server.app, "loginUser", "/v1/users/login", { method: "POST", ...json({ extra: 1 }, auth) });
      expect(r.res.status).toBe(400);
      expect(whatsAppError(r.body)).toEqual({ code: 1010, details: "Unknown parameter: extra" });
      r = await call(server.app, "loginUser", "/v1/users/login", { method: "POST", ...json({}, auth) });
      expect(r.res.status).toBe(200);
    },
  );

  it(
    "a password change revokes every other token of the user; " + "the login that changed it gets a fresh one",
    async () => {
      server = await startTestServer();
      const { app } = server;
      const adminToken = await login(app, "admin", ADMIN_PASSWORD);
      expect(
        (
          await call(app, "createUser", "/v1/users", {
            method: "POST",
            ...json({ username: "alice", password: "Al1ce-pass!" }, bearer(adminToken)),
          })
        ).res.status,
      ).toBe(201);
      const aliceOld = [await login(app, "alice", "Al1ce-pass!"), await login(app, "alice", "Al1ce-pass!")];
      const settings = (token: string) =>
        call(app, "getMediaProviders", "/v1/settings/application/media/providers", { headers: bearer(token) });
      const changed = await call(app, "loginUser", "/v1/users/login", {
        method: "POST",
        ...json({ new_password: "Al1ce-new-pass!" }, { Authorization: basic("alice", "Al1ce-pass!") }),
      });
      expect(changed.res.status).toBe(200);
      const fresh = (changed.body as { users: Array<{ token: string }> }).users[0]!.token;
      for (const old of aliceOld) {
        const r = await call(app, "logoutUser", "/v1/users/logout", { method: "POST", headers: bearer(old) });
        expect(r.res.status).toBe(401);
      }
      expect(
        (await call(app, "logoutUser", "/v1/users/logout", { method: "POST", headers: bearer(fresh) })).res.status,
      ).toBe(200);
      // Other users keep their sessions.
      expect((await settings(adminToken)).res.status).toBe(200);
    },
  );

  it(
    "accepts a new_password equal to the current one (no rule of Meta's forbids it) " +
      "and still revokes the other tokens",
    async () => {
      server = await startTestServer();
      const other = await login(server.app, "admin", ADMIN_PASSWORD);
      const r = await call(server.app, "loginUser", "/v1/users/login", {
        method: "POST",
        ...json({ new_password: ADMIN_PASSWORD }, { Authorization: basic("admin", ADMIN_PASSWORD) }),
      });
      expect(r.res.status).toBe(200);
      expect(
        (await call(server.app, "getApplicationSettings", "/v1/settings/application", { headers: bearer(other) })).res
          .status,
      ).toBe(401);
      await login(server.app, "admin", ADMIN_PASSWORD);
    },
  );

  it("lets a user change its own password with new_password", async () => {
    server = await startTestServer();
    const auth = { Authorization: basic("admin", ADMIN_PASSWORD) };
    const r = await call(server.app, "loginUser", "/v1/users/login", {
      method: "POST",
      ...json({ new_password: NEW_PASSWORD }, auth),
    });
    expect(r.res.status).toBe(200);
    expect((await call(server.app, "loginUser", "/v1/users/login", { method: "POST", headers: auth })).res.status).toBe(
      401,
    );
    await login(server.app, "admin", NEW_PASSWORD);
  });
});

describe("bearer tokens", () => {
  it("expire after 7 days and answer 401 with a Bearer challenge", async () => {
    const clock = new ManualClock();
    server = await startTestServer({ overrides: { clock } });
    const token = await login(server.app, "admin", ADMIN_PASSWORD);
    clock.advance(7 * 24 * 3600 * 1000 - 1000);
    expect(
      (await call(server.app, "getApplicationSettings", "/v1/settings/application", { headers: bearer(token) })).res
        .status,
    ).toBe(200);
    clock.advance(1000);
    const r = await call(
      server.app,
      "getApplicationSettings",
      "/v1/settings/application",
      { headers: bearer(token) },
      { requireHeaders: ["WWW-Authenticate"] },
    );
    expect(r.res.status).toBe(401);
    expect(r.res.headers.get("www-authenticate")).toMatch(/^Bearer realm="[^"]+", error="invalid_token"$/);
    expect(whatsAppError(r.body).code).toBe(1005);
  });

  it("logout revokes only the token it is sent with", async () => {
    server = await startTestServer();
    const first = await login(server.app, "admin", ADMIN_PASSWORD);
    const second = await login(server.app, "admin", ADMIN_PASSWORD);
    let r = await call(server.app, "logoutUser", "/v1/users/logout", { method: "POST", headers: bearer(first) });
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual({ meta: { api_status: "stable", version: "3.0.1" } });
    r = await call(server.app, "logoutUser", "/v1/users/logout", { method: "POST", headers: bearer(first) });
    expect(r.res.status).toBe(401);
    expect(
      (await call(server.app, "getApplicationSettings", "/v1/settings/application", { headers: bearer(second) })).res
        .status,
    ).toBe(200);
    r = await call(
      server.app,
      "logoutUser",
      "/v1/users/logout",
      { method: "POST" },
      { requireHeaders: ["WWW-Authenticate"] },
    );
    expect(r.res.status).toBe(401);
    expect(r.res.headers.get("www-authenticate")).toBe('Bearer realm="WhatsApp Business API"');
  });

  it("rejects malformed Authorization headers", async () => {
    server = await startTestServer();
    for (const value of [
      "Bearer",
      "Bearer ",
      "Token abc",
      "Bearer a b",
      basic("admin", ADMIN_PASSWORD),
      `Bearer ${"x".repeat(43)}`,
    ]) {
      const r = await call(server.app, "getApplicationSettings", "/v1/settings/application", {
        headers: { Authorization: value },
      });
      expect(r.res.status, value).toBe(401);
    }
  });
});

describe("user management", () => {
  it("creates users (admin only), refusing duplicates, reserved names and bad bodies", async () => {
    server = await startTestServer();
    const { app } = server;
    const admin = bearer(await login(app, "admin", ADMIN_PASSWORD));
    let r = await call(app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "alice", password: "Al1ce!pass" }, admin),
    });
    expect(r.res.status).toBe(201);
    expect((r.body as { users: unknown }).users).toEqual([{ username: "alice" }]);

    r = await call(app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "alice", password: "Al1ce!pass" }, admin),
    });
    expect(r.res.status).toBe(409);
    expect(whatsAppError(r.body)).toEqual({ code: 1004, details: "User alice already exists" });

    const bad: Array<[unknown, number, number, string]> = [
      [{ username: "bob" }, 400, 1008, "password"],
      [{ password: "B0b!passwd" }, 400, 1008, "username"],
      [{ username: "bob", password: "weak" }, 400, 1009, "password must be 8 to 64"],
      [{ username: "bob", password: "B0b!passwd", shoe: 42 }, 400, 1010, "shoe"],
      [{ username: "bob", password: "B0b!passwd", role: "ROLE_ROOT" }, 400, 1009, "role"],
      [{ username: "bad name", password: "B0b!passwd" }, 400, 1009, "username"],
      [{ username: "login", password: "B0b!passwd" }, 400, 1009, "reserved"],
      [{ username: "logout", password: "B0b!passwd" }, 400, 1009, "reserved"],
      // "." and ".." could never be addressed or deleted: URLs resolve them away.
      [{ username: ".", password: "B0b!passwd" }, 400, 1009, "username"],
      [{ username: "..", password: "B0b!passwd" }, 400, 1009, "username"],
      [[], 400, 1009, "body"],
    ];
    for (const [body, status, code, mention] of bad) {
      r = await call(app, "createUser", "/v1/users", { method: "POST", ...json(body, admin) });
      expect(r.res.status, JSON.stringify(body)).toBe(status);
      expect(whatsAppError(r.body).code, JSON.stringify(body)).toBe(code);
      expect(whatsAppError(r.body).details, JSON.stringify(body)).toContain(mention);
    }
    r = await call(app, "createUser", "/v1/users", {
      method: "POST",
      headers: { ...admin, "Content-Type": "application/json" },
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);
    r = await call(app, "createUser", "/v1/users", {
      method: "POST",
      headers: { ...admin, "Content-Type": "text/plain" },
      body: "alice",
    });
    expect(r.res.status).toBe(415);

    // A plain user may not manage users or settings.
    const alice = bearer(await login(app, "alice", "Al1ce!pass"));
    for (const [op, url, init] of [
      ["createUser", "/v1/users", { method: "POST", ...json({ username: "carol", password: "C4rol!pass" }, alice) }],
      ["deleteUser", "/v1/users/alice", { method: "DELETE", headers: alice }],
    ] as const) {
      r = await call(app, op, url, init);
      expect(r.res.status).toBe(403);
      expect(whatsAppError(r.body).code).toBe(1005);
    }

    // ROLE_ADMIN users are admins.
    r = await call(app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "root2", password: "R00t!pass", role: "ROLE_ADMIN" }, admin),
    });
    expect(r.res.status).toBe(201);
    const root2 = bearer(await login(app, "root2", "R00t!pass"));
    expect((await call(app, "getApplicationSettings", "/v1/settings/application", { headers: root2 })).res.status).toBe(
      200,
    );
  });

  it("deletes users and their tokens; the built-in admin stays", async () => {
    server = await startTestServer();
    const { app } = server;
    const admin = bearer(await login(app, "admin", ADMIN_PASSWORD));
    await call(app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "bob", password: "B0b!passwd" }, admin),
    });
    const bob = bearer(await login(app, "bob", "B0b!passwd"));
    // Bob's token is known (and remembered by the token cache) before the deletion.
    expect((await call(app, "getApplicationSettings", "/v1/settings/application", { headers: bob })).res.status).toBe(
      403,
    );
    let r = await call(app, "deleteUser", "/v1/users/bob", { method: "DELETE", headers: admin });
    expect(r.res.status).toBe(200);
    expect((r.body as { users: unknown }).users).toEqual([{ username: "bob" }]);
    expect((await call(app, "logoutUser", "/v1/users/logout", { method: "POST", headers: bob })).res.status).toBe(401);
    r = await call(app, "deleteUser", "/v1/users/bob", { method: "DELETE", headers: admin });
    expect(r.res.status).toBe(404);
    expect(whatsAppError(r.body)).toEqual({ code: 1006, details: "User bob not found" });
    r = await call(app, "deleteUser", "/v1/users/admin", { method: "DELETE", headers: admin });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body)).toEqual({ code: 1009, details: "The built-in admin user cannot be deleted" });
    r = await call(app, "deleteUser", "/v1/users/bad%20name", { method: "DELETE", headers: admin });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1009);
    expect(whatsAppError(r.body).details).toContain("username");
  });

  it("stores only scrypt hashes of passwords and no token in clear", async () => {
    server = await startTestServer();
    const admin = await login(server.app, "admin", ADMIN_PASSWORD);
    await call(server.app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "dave", password: "D4ve!secretpw" }, bearer(admin)),
    });
    const rows = server.storage.db.prepare("SELECT username, password_hash FROM users").all() as Array<{
      username: string;
      password_hash: string;
    }>;
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    // Same password, different salts.
    server.storage.db.pragma("wal_checkpoint(FULL)");
    const files = readdirSync(server.dataDir).filter((f) => f.startsWith("server.sqlite"));
    const raw = Buffer.concat(files.map((f) => readFileSync(path.join(server!.dataDir, f))));
    for (const secret of [ADMIN_PASSWORD, "D4ve!secretpw", admin])
      expect(raw.includes(Buffer.from(secret))).toBe(false);
  });
});
