/**
 * The client test suite, written once and run against every `ClientTarget` (Prism mock, reference server): every
 * method of both clients, both error types, and the re-login path.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appsecretProof,
  createMessengerClient,
  createWhatsAppClient,
  MessengerApiError,
  saveMediaToFile,
  WhatsAppApiError,
  type FetchFunction,
  type MessengerClientOptions,
} from "../../client/index.ts";
import type { ClientTarget } from "./client-target.ts";
import { tinyPng } from "../../conformance/media-files.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const unknownMediaId = "0b9a4a6e-2a51-4d59-9d3f-7a0c6f1e2d3c";

/** One request as the server saw it, recorded by `recording()`. */
interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  status: number;
}

/** A fetch that records each request (after `alter` ran on it) and its status; `alter` may change the request. */
function recording(alter?: (request: Request, seen: readonly SeenRequest[]) => void): {
  fetch: FetchFunction;
  seen: SeenRequest[];
} {
  const seen: SeenRequest[] = [];
  return {
    seen,
    fetch: async (request) => {
      alter?.(request, seen);
      const url = new URL(request.url);
      const entry: SeenRequest = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        authorization: request.headers.get("Authorization"),
        status: 0,
      };
      seen.push(entry);
      const response = await fetch(request);
      entry.status = response.status;
      return response;
    },
  };
}

const isLogin = (request: Request) => new URL(request.url).pathname === "/v1/users/login";
const calls = (seen: readonly SeenRequest[]) => seen.map((r) => `${r.method} ${r.path} ${r.status}`);

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** Declares the suite for the target that `start` brings up (and closes after). */
export function defineClientSuite(label: string, start: () => Promise<ClientTarget>): void {
  describe(`client against the ${label}`, () => {
    let target: ClientTarget;
    let scratch: string;

    beforeAll(async () => {
      target = await start();
      scratch = await mkdtemp(path.join(os.tmpdir(), "mmo-client-suite-"));
    });
    afterAll(async () => {
      await target?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    const wa = (fetch?: FetchFunction) =>
      createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, ...target.admin, ...(fetch ? { fetch } : {}) });
    const messenger = (extra: Partial<MessengerClientOptions> = {}) =>
      createMessengerClient({
        accessToken: target.pageToken,
        pageId: target.pageId,
        version: target.graphVersion,
        baseUrl: target.graphBaseUrl,
        appSecret: target.appSecret,
        ...extra,
      });

    describe("WhatsApp users", () => {
      it("logs in lazily once, then sends the kept bearer token", async () => {
        const { fetch, seen } = recording();
        const client = wa(fetch);
        expect(seen).toHaveLength(0);
        await client.getApplicationSettings();
        await client.getMediaProviders();
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
          "GET /v1/settings/application/media/providers 200",
        ]);
        expect(seen[0]!.authorization).toBe(
          `Basic ${Buffer.from(`${target.admin.username}:${target.admin.password}`).toString("base64")}`,
        );
        expect(seen[1]!.authorization).toMatch(/^Bearer \S+$/);
        expect(seen[2]!.authorization).toBe(seen[1]!.authorization);
      });

      it("loginUser returns the token and its expiry, and the client uses that token", async () => {
        const { fetch, seen } = recording();
        const client = wa(fetch);
        const login = await client.loginUser();
        const user = login.users[0]!;
        expect(user.token.length).toBeGreaterThan(0);
        expect(user.expires_after).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
        expect(login.meta.api_status).toBe("stable");
        await client.getApplicationSettings();
        expect(calls(seen)).toEqual(["POST /v1/users/login 200", "GET /v1/settings/application 200"]);
        expect(seen[1]!.authorization).toBe(`Bearer ${user.token}`);
      });

      it("createUser and deleteUser manage a user that can then log in, and not after deletion", async () => {
        const client = wa();
        const credentials = { username: "client-suite-user", password: "Us3r!passw0rd" };
        const created = await client.createUser({ ...credentials, role: "ROLE_USER" });
        expect(created.users[0]!.username).toEqual(expect.any(String));
        if (target.stateful) {
          expect(created.users[0]!.username).toBe(credentials.username);
          const asUser = createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, ...credentials });
          await expect(asUser.loginUser()).resolves.toMatchObject({ users: [{ token: expect.any(String) }] });
          const forbidden = await asUser.getApplicationSettings().catch((e: unknown) => e);
          expect(forbidden).toBeInstanceOf(WhatsAppApiError);
          expect((forbidden as WhatsAppApiError).status).toBe(403);
          expect((forbidden as WhatsAppApiError).errors[0]!.code).toBe(1005);
        }
        const deleted = await client.deleteUser(credentials.username);
        expect(deleted.users[0]!.username).toEqual(expect.any(String));
        if (target.stateful) {
          const refused = await createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, ...credentials })
            .loginUser()
            .catch((e: unknown) => e);
          expect(refused).toBeInstanceOf(WhatsAppApiError);
          expect((refused as WhatsAppApiError).status).toBe(401);
        }
      });

      it("logoutUser revokes the kept token; the next call logs in again", async () => {
        const { fetch, seen } = recording();
        const client = wa(fetch);
        await client.getApplicationSettings();
        const revoked = seen[1]!.authorization!;
        const reply = await client.logoutUser();
        expect(reply.meta.version).toEqual(expect.any(String));
        await client.getApplicationSettings();
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
          "POST /v1/users/logout 200",
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
        ]);
        if (target.stateful) {
          expect(seen[4]!.authorization).not.toBe(revoked);
          const stale = await fetch(
            new Request(`${target.whatsAppBaseUrl}/v1/settings/application`, { headers: { Authorization: revoked } }),
          );
          expect(stale.status).toBe(401);
        }
      });
    });

    describe("WhatsApp re-login", () => {
      it("a token past expires_after: one re-login before the call, no failed request", async () => {
        let logins = 0;
        const { seen, fetch: inner } = recording();
        // The first login reply is rewritten to a token that expired in 2001.
        const fetch: FetchFunction = async (request) => {
          const response = await inner(request);
          if (new URL(request.url).pathname !== "/v1/users/login" || logins++ > 0) return response;
          const body = (await response.json()) as { users: Array<{ token: string; expires_after: string }> };
          body.users[0]!.expires_after = "2001-01-01 00:00:00+00:00";
          return Response.json(body, { status: response.status });
        };
        const client = wa(fetch);
        await client.getApplicationSettings();
        await client.getApplicationSettings();
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
        ]);
      });

      it("a 401 (token refused): one re-login and one retry of the call", async () => {
        // The first bearer call goes out without its token, as if the server no longer knew it.
        let stripped = false;
        const { fetch, seen } = recording((request) => {
          if (stripped || isLogin(request)) return;
          stripped = true;
          request.headers.delete("Authorization");
        });
        const client = wa(fetch);
        const settings = await client.getApplicationSettings();
        expect(settings.settings.application.wa_id).toEqual(expect.any(String));
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          "GET /v1/settings/application 401",
          "POST /v1/users/login 200",
          "GET /v1/settings/application 200",
        ]);
      });

      it("a token revoked behind the client's back: one re-login and one retry", async () => {
        const { fetch, seen } = recording();
        const client = wa(fetch);
        await client.getMediaProviders();
        const token = seen[1]!.authorization!;
        const logout = await globalThis.fetch(`${target.whatsAppBaseUrl}/v1/users/logout`, {
          method: "POST",
          headers: { Authorization: token },
        });
        expect(logout.status).toBe(200);
        await client.getMediaProviders();
        expect(calls(seen).slice(2)).toEqual(
          target.stateful
            ? [
                "GET /v1/settings/application/media/providers 401",
                "POST /v1/users/login 200",
                "GET /v1/settings/application/media/providers 200",
              ]
            : ["GET /v1/settings/application/media/providers 200"],
        );
      });

      it("a 401 again after the re-login is thrown: one retry only", async () => {
        const { fetch, seen } = recording((request) => {
          if (!isLogin(request)) request.headers.delete("Authorization");
        });
        const error = await wa(fetch)
          .deleteMedia(unknownMediaId)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WhatsAppApiError);
        expect((error as WhatsAppApiError).status).toBe(401);
        expect((error as WhatsAppApiError).errors[0]).toMatchObject({
          code: expect.any(Number),
          title: expect.any(String),
        });
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          `DELETE /v1/media/${unknownMediaId} 401`,
          "POST /v1/users/login 200",
          `DELETE /v1/media/${unknownMediaId} 401`,
        ]);
      });

      it("concurrent first calls share one login", async () => {
        const { fetch, seen } = recording();
        const client = wa(fetch);
        await Promise.all([
          client.getApplicationSettings(),
          client.getMediaProviders(),
          client.getApplicationSettings(),
        ]);
        expect(calls(seen).filter((c) => c.startsWith("POST /v1/users/login"))).toEqual(["POST /v1/users/login 200"]);
        expect(seen).toHaveLength(4);
      });

      it("a 401 on a stream upload is thrown (a stream cannot be resent); the next call logs in again", async () => {
        let stripped = false;
        const { fetch, seen } = recording((request) => {
          if (stripped || isLogin(request)) return;
          stripped = true;
          request.headers.delete("Authorization");
        });
        const client = wa(fetch);
        const error = await client
          .uploadMedia(new Blob(["streamed once"]).stream(), "text/plain")
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WhatsAppApiError);
        expect((error as WhatsAppApiError).status).toBe(401);
        await client.getMediaProviders();
        expect(calls(seen)).toEqual([
          "POST /v1/users/login 200",
          "POST /v1/media 401",
          "POST /v1/users/login 200",
          "GET /v1/settings/application/media/providers 200",
        ]);
      });

      it("a ready token without credentials is never refreshed: its 401 is thrown", async () => {
        const { fetch, seen } = recording((request) => request.headers.delete("Authorization"));
        const client = createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, token: "not-a-valid-token", fetch });
        const error = await client.getApplicationSettings().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WhatsAppApiError);
        expect((error as WhatsAppApiError).status).toBe(401);
        expect(calls(seen)).toEqual(["GET /v1/settings/application 401"]);
      });
    });

    describe("WhatsApp media", () => {
      const content = "hello from the client suite\n".repeat(64);
      const bodies: Array<[string, () => Promise<Parameters<ReturnType<typeof wa>["uploadMedia"]>[0]>]> = [
        ["a Blob", async () => new Blob([content])],
        ["a Uint8Array", async () => new TextEncoder().encode(content)],
        ["a web ReadableStream", async () => new Blob([content]).stream()],
        [
          "a Node Readable",
          async () => Readable.from([Buffer.from(content.slice(0, 100)), Buffer.from(content.slice(100))]),
        ],
        [
          "a file path",
          async () => {
            const file = path.join(scratch, "upload.txt");
            await writeFile(file, content);
            return file;
          },
        ],
      ];

      for (const [kind, body] of bodies) {
        it(`uploadMedia from ${kind} resolves to an id whose download has the same bytes`, async () => {
          const client = wa();
          const id = await client.uploadMedia(await body(), "text/plain");
          expect(id).toMatch(uuid);
          const media = await client.downloadMedia(id);
          const downloaded = await text(media.stream);
          if (target.stateful) {
            expect(media.contentType).toMatch(/^text\/plain/);
            expect(media.contentLength).toBe(Buffer.byteLength(content));
            expect(downloaded).toBe(content);
          } else {
            expect(media.contentType).toEqual(expect.any(String));
            expect(downloaded.length).toBeGreaterThan(0);
          }
        });
      }

      it("saveMediaToFile streams a download to disk byte for byte", async () => {
        const client = wa();
        const png = tinyPng(16, 16);
        const id = await client.uploadMedia(new Blob([png]), "image/png");
        const media = await client.downloadMedia(id);
        const file = path.join(scratch, "saved.bin");
        const written = await saveMediaToFile(media, file);
        const saved = await readFile(file);
        expect(written).toBe(saved.byteLength);
        if (target.stateful) {
          expect(media.contentType).toBe("image/png");
          expect(createHash("sha256").update(saved).digest("hex")).toBe(createHash("sha256").update(png).digest("hex"));
        } else {
          expect(media.contentLength).toBe(saved.byteLength);
        }
      });

      it("deleteMedia removes the media: its download is then a WhatsAppApiError 404 with 1006", async () => {
        const client = wa();
        const id = await client.uploadMedia(new TextEncoder().encode("to delete"), "text/plain");
        const deleted = await client.deleteMedia(id);
        expect(deleted.meta.api_status).toEqual(expect.any(String));
        // The 404 download has no body at all; the client still describes it with a WA error entry.
        const gone = await wa(target.forceStatus(404))
          .downloadMedia(id)
          .catch((e: unknown) => e);
        expect(gone).toBeInstanceOf(WhatsAppApiError);
        expect(gone).toMatchObject({ status: 404, errors: [{ code: 1006, title: "Resource not found" }] });
      });

      it("deleteMedia of an unknown id is a WhatsAppApiError 404 from the envelope", async () => {
        const error = await wa(target.forceStatus(404))
          .deleteMedia(unknownMediaId)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WhatsAppApiError);
        expect((error as WhatsAppApiError).status).toBe(404);
        expect((error as WhatsAppApiError).errors[0]).toMatchObject({ code: 1006, details: expect.any(String) });
        expect((error as WhatsAppApiError).message).toContain("404");
      });
    });

    describe("WhatsApp application settings and media providers", () => {
      it("getApplicationSettings, updateApplicationSettings (typed partial) and resetApplicationSettings", async () => {
        const client = wa();
        const before = await client.getApplicationSettings();
        expect(before.settings.application.webhooks.max_concurrent_requests).toEqual(expect.any(Number));
        const updated = await client.updateApplicationSettings({
          sent_status: true,
          webhooks: { max_concurrent_requests: 12 },
        });
        if (target.stateful) {
          expect(updated?.restart_required).toEqual(["webhooks.max_concurrent_requests"]);
          const after = (await client.getApplicationSettings()).settings.application;
          expect(after.sent_status).toBe(true);
          expect(after.webhooks.max_concurrent_requests).toBe(12);
        }
        const reset = await client.resetApplicationSettings();
        expect(reset === null || typeof reset === "object").toBe(true);
        if (target.stateful) {
          const after = (await client.getApplicationSettings()).settings.application;
          expect(after.sent_status).toBe(false);
          expect(after.webhooks.max_concurrent_requests).toBe(6);
        }
      });

      it("a rejected setting is a WhatsAppApiError 400 with 1009", async () => {
        const error = await wa()
          .updateApplicationSettings({ webhooks: { max_concurrent_requests: 7 as 6 } })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WhatsAppApiError);
        expect((error as WhatsAppApiError).status).toBe(400);
        expect((error as WhatsAppApiError).errors[0]).toMatchObject({
          code: 1009,
          title: "Parameter value is not valid",
        });
        expect((error as WhatsAppApiError).meta?.version).toEqual(expect.any(String));
      });

      it("updateMediaProviders, getMediaProviders (secrets masked) and deleteMediaProvider", async () => {
        const client = wa();
        await client.updateMediaProviders([{ name: "client-cdn", type: "www", config: { bearer: "s3cret-bearer" } }]);
        const listed = await client.getMediaProviders();
        const providers = listed.settings.application.media.providers;
        expect(providers.length).toBeGreaterThan(0);
        if (target.stateful) {
          expect(providers).toContainEqual({ name: "client-cdn", type: "www", config: { bearer: "********" } });
        }
        await client.deleteMediaProvider("client-cdn");
        if (target.stateful) {
          const after = await client.getMediaProviders();
          expect(after.settings.application.media.providers.map((p) => p.name)).not.toContain("client-cdn");
        }
        const missing = await wa(target.forceStatus(404))
          .deleteMediaProvider("client-cdn")
          .catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(WhatsAppApiError);
        expect(missing).toMatchObject({ status: 404, errors: [{ code: 1006 }] });
      });

      it("the underlying typed client sends the kept token too", async () => {
        const client = wa();
        const { data, response } = await client.api.GET("/v1/settings/application");
        expect(response.status).toBe(200);
        expect(data?.settings.application.wa_id).toEqual(expect.any(String));
      });
    });

    describe("Messenger attachments", () => {
      it("uploadAttachmentFromUrl, uploadAttachmentFile and sendAttachment resolve to the reply bodies", async () => {
        const { fetch, seen } = recording();
        const client = messenger({ fetch });
        const fromUrl = await client.uploadAttachmentFromUrl(target.imageUrl, "image", { isReusable: true });
        expect(fromUrl.attachment_id).toMatch(/^\d+$/);
        const fromFile = await client.uploadAttachmentFile(
          new Blob([tinyPng()], { type: "image/png" }),
          "pixel.png",
          "image",
          {
            isReusable: true,
          },
        );
        expect(fromFile.attachment_id).toMatch(/^\d+$/);
        const sentById = await client.sendAttachment("1254459154682919", { attachmentId: fromFile.attachment_id });
        expect(sentById).toMatchObject({ recipient_id: expect.any(String), message_id: expect.any(String) });
        const sentByUrl = await client.sendAttachment("1254459154682919", { url: target.imageUrl, type: "image" });
        expect(sentByUrl.message_id).toEqual(expect.any(String));
        const prefix = target.graphVersion ? `/${target.graphVersion}` : "";
        expect(calls(seen)).toEqual([
          `POST ${prefix}/${target.pageId}/message_attachments 200`,
          `POST ${prefix}/${target.pageId}/message_attachments 200`,
          `POST ${prefix}/${target.pageId}/messages 200`,
          `POST ${prefix}/${target.pageId}/messages 200`,
        ]);
        for (const request of seen) {
          expect(request.query.get("access_token")).toBe(target.pageToken);
          expect(request.query.get("appsecret_proof")).toBe(await appsecretProof(target.pageToken, target.appSecret));
        }
      });

      it("the proof is hex HMAC-SHA256 of the token keyed by the app secret", async () => {
        // RFC-style known vector: HMAC-SHA256(key "key", "The quick brown fox jumps over the lazy dog").
        expect(await appsecretProof("The quick brown fox jumps over the lazy dog", "key")).toBe(
          "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        );
      });

      it("an unknown attachment id is a MessengerApiError 400, code 100, subcode 2018074", async () => {
        const error = await messenger({ fetch: target.forceStatus(400) })
          .sendAttachment("1254459154682919", { attachmentId: "999999999999", type: "image" })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MessengerApiError);
        expect(error).toMatchObject({
          status: 400,
          code: 100,
          subcode: 2018074,
          type: "OAuthException",
          fbtrace_id: expect.any(String),
        });
        expect((error as MessengerApiError).message).toMatch(/attachment/i);
      });

      it("a missing access token is a MessengerApiError with code 190", async () => {
        const withoutToken: FetchFunction = async (request) => {
          const url = new URL(request.url);
          url.searchParams.delete("access_token");
          return fetch(
            new Request(url, { method: request.method, headers: request.headers, body: await request.text() }),
          );
        };
        const error = await messenger({ fetch: withoutToken })
          .uploadAttachmentFromUrl(target.imageUrl, "image")
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MessengerApiError);
        expect((error as MessengerApiError).code).toBe(190);
        expect([400, 401]).toContain((error as MessengerApiError).status);
      });

      it("the underlying typed client carries access_token", async () => {
        const { data, response } = await messenger().api.POST("/{page_id}/message_attachments", {
          params: { path: { page_id: target.pageId } },
          body: { message: { attachment: { type: "image", payload: { url: target.imageUrl, is_reusable: true } } } },
        });
        expect(response.status).toBe(200);
        expect(data?.attachment_id).toMatch(/^\d+$/);
      });
    });
  });
}
