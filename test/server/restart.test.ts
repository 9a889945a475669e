import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as samples from "../../conformance/media-files.ts";
import {
  ADMIN_PASSWORD,
  bearer,
  call,
  json,
  login,
  startTestServer,
  type TestServer,
} from "../support/server-harness.ts";

describe("restart on the same data directory", () => {
  it("keeps users, tokens, media bytes, settings and providers", async () => {
    let server = await startTestServer({ env: { WA_ADMIN_PASSWORD: undefined } });
    const { dataDir } = server;
    const admin = (
      (
        await call(server.app, "loginUser", "/v1/users/login", {
          method: "POST",
          ...json(
            { new_password: "Chang3d!pw" },
            { Authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` },
          ),
        })
      ).body as {
        users: Array<{ token: string }>;
      }
    ).users[0]!.token;
    await call(server.app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "bob", password: "B0b!passwd" }, bearer(admin)),
    });
    const bob = await login(server.app, "bob", "B0b!passwd");
    const bytes = samples.png();
    const up = await call(server.app, "uploadMedia", "/v1/media", {
      method: "POST",
      headers: { ...bearer(bob), "Content-Type": "image/png" },
      body: new Uint8Array(bytes),
    });
    const id = (up.body as { media: Array<{ id: string }> }).media[0]!.id;
    await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      ...json({ log_level: "error", webhooks: { url: "https://example.net/h" } }, bearer(admin)),
    });
    await call(server.app, "updateMediaProviders", "/v1/settings/application/media/providers", {
      method: "POST",
      ...json([{ name: "cdn", type: "www", config: { bearer: "t0k" } }], bearer(admin)),
    });
    const before = await call(server.app, "getApplicationSettings", "/v1/settings/application", {
      headers: bearer(admin),
    });
    server.close();

    // Same directory, no admin password configured: the changed password must still be the one that works.
    server = await startTestServer({ dataDir, env: { WA_ADMIN_PASSWORD: undefined } });
    try {
      expect(
        (
          await call(server.app, "loginUser", "/v1/users/login", {
            method: "POST",
            headers: { Authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` },
          })
        ).res.status,
      ).toBe(401);
      await login(server.app, "admin", "Chang3d!pw");
      const down = await call(server.app, "downloadMedia", `/v1/media/${id}`, { headers: bearer(bob) });
      expect(down.res.status).toBe(200);
      expect(Buffer.from(await down.res.arrayBuffer())).toEqual(bytes);
      const after = await call(server.app, "getApplicationSettings", "/v1/settings/application", {
        headers: bearer(admin),
      });
      expect(after.body).toEqual(before.body);
      expect((after.body as { settings: { application: { log_level: string } } }).settings.application.log_level).toBe(
        "error",
      );
      const providers = await call(server.app, "getMediaProviders", "/v1/settings/application/media/providers", {
        headers: bearer(admin),
      });
      expect(
        (providers.body as { settings: { application: { media: { providers: unknown[] } } } }).settings.application
          .media.providers,
      ).toEqual([{ name: "cdn", type: "www", config: { bearer: "********" } }]);
    } finally {
      server.dispose();
    }
  });
});

describe("admin password from configuration", () => {
  it("WA_ADMIN_PASSWORD makes the admin usable without a forced change", async () => {
    const server = await startTestServer();
    try {
      const token = await login(server.app, "admin", ADMIN_PASSWORD);
      expect(token.length).toBeGreaterThan(40);
    } finally {
      server.dispose();
    }
  });
});

describe("the generated Messenger development page", () => {
  it(
    "keeps its id and token across restarts on the same data directory, " + "with only the token's hash at rest",
    async () => {
      const upload = (server: TestServer, pageId: string, token: string) =>
        server.app.request(`/v21.0/${pageId}/message_attachments?access_token=${encodeURIComponent(token)}`, {
          method: "POST",
          body: (() => {
            const form = new FormData();
            form.append("message", JSON.stringify({ attachment: { type: "image", payload: { is_reusable: true } } }));
            form.append("filedata", new Blob([new Uint8Array(samples.png())], { type: "image/png" }), "a.png");
            return form;
          })(),
        });
      let server = await startTestServer({ env: { MESSENGER_PAGES: undefined } });
      const { dataDir } = server;
      try {
        expect(server.config.messenger.generatedDevPage).toBe(true);
        const [[pageId, token]] = Object.entries(server.config.messenger.pages) as [[string, string]];
        expect((await upload(server, pageId, token)).status).toBe(200);
        server.close();

        // A new start generates a new candidate page, but the data directory already has one: it is kept.
        server = await startTestServer({ dataDir, env: { MESSENGER_PAGES: undefined } });
        expect(server.config.messenger.pages).toEqual({});
        expect(Object.keys(server.config.messenger.pageTokenHashes ?? {})).toEqual([pageId]);
        expect((await upload(server, pageId, token)).status).toBe(200);
        expect((await upload(server, "me", token)).status).toBe(200);
        expect((await upload(server, pageId, `${token}x`)).status).toBe(401);
        const index = await (await server.app.request("/")).text();
        expect(index).toContain(pageId);
        expect(index).not.toContain(token);
        server.close();

        // Nothing under the data directory holds the token in clear (the database, its WAL, the blob folders).
        for (const file of filesUnder(dataDir))
          expect(readFileSync(file).includes(Buffer.from(token)), file).toBe(false);
        // Configured pages take over; the recorded development page is not served then.
        server = await startTestServer({
          dataDir,
          env: { MESSENGER_PAGES: JSON.stringify({ "5550001": "configured-page-token" }) },
        });
        expect((await upload(server, pageId, token)).status).toBe(401);
        expect((await upload(server, "5550001", "configured-page-token")).status).toBe(200);
      } finally {
        server.dispose();
      }
    },
  );
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}
