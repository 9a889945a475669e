import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  bearer,
  call,
  json,
  login,
  startTestServer,
  whatsAppError,
  type TestServer,
} from "../../support/server-harness.ts";

let server: TestServer;
let auth: Record<string, string>;
beforeEach(async () => {
  server = await startTestServer({ env: { WA_ID: "15550001111" } });
  auth = bearer(await login(server.app, "admin", ADMIN_PASSWORD));
});
afterEach(() => server.dispose());

/** The defaults of `#/components/schemas/ApplicationSettings` (each property's `default`). */
const DEFAULTS = {
  axolotl_context_striping_disabled: false,
  callback_backoff_delay_ms: 3000,
  callback_persist: true,
  db_garbagecollector_enable: true,
  garbagecollector_enable: { messages: true, media: false },
  heartbeat_interval: 5,
  max_callback_backoff_delay_ms: 900000,
  media: { auto_download: [] },
  notify_user_change_number: false,
  pass_through: false,
  sent_status: false,
  show_security_notifications: false,
  skip_referral_media_download: false,
  unhealthy_interval: 30,
  wa_id: "15550001111",
  webhook_payload_conversation_pricingmodel_disabled: false,
  webhooks: { max_concurrent_requests: 6, message: { sent: true, delivered: true, read: true } },
  verbose_logging: false,
  log_level: "info",
};

async function getSettings(): Promise<Record<string, unknown>> {
  const r = await call(server.app, "getApplicationSettings", "/v1/settings/application", { headers: auth });
  expect(r.res.status).toBe(200);
  return (r.body as { settings: { application: Record<string, unknown> } }).settings.application;
}

function patch(body: unknown, headers = auth) {
  return call(server.app, "updateApplicationSettings", "/v1/settings/application", {
    method: "PATCH",
    ...json(body, headers),
  });
}

describe("application settings", () => {
  it("starts from the documented defaults, with wa_id from configuration", async () => {
    expect(await getSettings()).toEqual(DEFAULTS);
  });

  it("PATCH changes only the fields sent and lists the changed ones that need a restart", async () => {
    const r = await patch({
      callback_persist: false,
      callback_backoff_delay_ms: "5000",
      max_callback_backoff_delay_ms: 600000,
      garbagecollector_enable: { media: true },
      media: { auto_download: ["image", "audio"] },
      webhooks: { url: "https://example.net/hook?auth=s3cr3t", max_concurrent_requests: 12, message: { read: false } },
      log_level: "info",
      sent_status: true,
    });
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual({
      restart_required: ["callback_persist", "garbagecollector_enable.media", "webhooks.max_concurrent_requests"],
      meta: { api_status: "stable", version: "3.0.1" },
    });
    expect(await getSettings()).toEqual({
      ...DEFAULTS,
      callback_persist: false,
      callback_backoff_delay_ms: 5000,
      max_callback_backoff_delay_ms: 600000,
      garbagecollector_enable: { messages: true, media: true },
      media: { auto_download: ["image", "audio"] },
      webhooks: {
        url: "https://example.net/hook?auth=s3cr3t",
        max_concurrent_requests: 12,
        message: { sent: true, delivered: true, read: false },
      },
      sent_status: true,
    });

    // Sending the same values again changes nothing, so nothing needs a restart.
    const again = await patch({ callback_persist: false, webhooks: { max_concurrent_requests: 12 } });
    expect((again.body as { restart_required: string[] }).restart_required).toEqual([]);
    // An empty URL unsets the webhook.
    expect((await patch({ webhooks: { url: "" } })).res.status).toBe(200);
    expect((await getSettings()).webhooks).toEqual({
      max_concurrent_requests: 12,
      message: { sent: true, delivered: true, read: false },
    });
  });

  it("takes every integer setting up to its documented maximum, as a number or (delays) as digits", async () => {
    const largest = 2147483647;
    let r = await patch({
      heartbeat_interval: largest,
      unhealthy_interval: largest,
      callback_backoff_delay_ms: String(largest),
      max_callback_backoff_delay_ms: largest,
    });
    expect(r.res.status).toBe(200);
    expect(await getSettings()).toMatchObject({
      heartbeat_interval: largest,
      unhealthy_interval: largest,
      callback_backoff_delay_ms: largest,
      max_callback_backoff_delay_ms: largest,
    });
    r = await patch({ callback_backoff_delay_ms: "0" });
    expect(r.res.status).toBe(200);
    expect((await getSettings()).callback_backoff_delay_ms).toBe(0);
  });

  it("refuses bad values (1009), unknown fields (1010) and the read-only wa_id, all-or-nothing", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ webhooks: { url: "http://example.net/hook" } }, 1009, "webhooks.url must be an https:// URL"],
      [
        { webhooks: { max_concurrent_requests: 7 } },
        1009,
        "webhooks.max_concurrent_requests: must be one of 6, 12, 18, 24",
      ],
      [{ pass_through: true }, 1009, "pass_through: must be false"],
      [{ callback_backoff_delay_ms: "fast" }, 1009, "callback_backoff_delay_ms must be a whole number"],
      [{ callback_backoff_delay_ms: -1 }, 1009, "callback_backoff_delay_ms"],
      [{ max_callback_backoff_delay_ms: "9999999999" }, 1009, "max_callback_backoff_delay_ms"],
      [{ max_callback_backoff_delay_ms: 1.5 }, 1009, "max_callback_backoff_delay_ms"],
      [{ heartbeat_interval: 0 }, 1009, "heartbeat_interval"],
      [{ heartbeat_interval: 1e308 }, 1009, "heartbeat_interval: must be <= 2147483647"],
      [{ unhealthy_interval: 2147483648 }, 1009, "unhealthy_interval: must be <= 2147483647"],
      [{ callback_backoff_delay_ms: 1e308 }, 1009, "callback_backoff_delay_ms"],
      [
        { callback_backoff_delay_ms: "2147483648" },
        1009,
        "callback_backoff_delay_ms must be a whole number of milliseconds from 0 to 2147483647",
      ],
      [{ max_callback_backoff_delay_ms: "99999999999" }, 1009, "max_callback_backoff_delay_ms"],
      [{ log_level: "debug" }, 1009, "log_level"],
      [{ verbose_logging: "yes" }, 1009, "verbose_logging: must be boolean"],
      [{ media: { auto_download: ["image", "image"] } }, 1009, "media.auto_download"],
      [{ media: { auto_download: ["gif"] } }, 1009, "media.auto_download[0]"],
      [{ colour: "blue" }, 1010, "Unknown parameter: colour"],
      [{ webhooks: { message: { seen: true } } }, 1010, "Unknown parameter: webhooks.message.seen"],
      [{ wa_id: "1234567" }, 1010, "wa_id is read-only"],
      [[], 1009, "request body"],
      [{ callback_persist: false, webhooks: { max_concurrent_requests: 5 } }, 1009, "webhooks.max_concurrent_requests"],
    ];
    for (const [body, code, details] of cases) {
      const r = await patch(body);
      expect(r.res.status, JSON.stringify(body)).toBe(400);
      expect(whatsAppError(r.body).code, JSON.stringify(body)).toBe(code);
      expect(whatsAppError(r.body).details, JSON.stringify(body)).toContain(details);
    }
    expect(await getSettings()).toEqual(DEFAULTS);
  });

  it("wants a JSON body: 400 empty (1008), 400 malformed (1009), 415 other types", async () => {
    let r = await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/json" },
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);
    r = await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/json" },
      body: '{"a":',
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body)).toEqual({ code: 1009, details: "Request body is not valid JSON" });
    r = await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    expect(r.res.status).toBe(415);
    expect(whatsAppError(r.body)).toEqual({ code: 1009, details: "Content-Type must be application/json" });
    r = await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "Application/JSON; charset=UTF-8" },
      body: "{}",
    });
    expect(r.res.status).toBe(200);
  });

  it("DELETE resets every setting to its default and keeps the providers", async () => {
    await patch({ log_level: "fatal", webhooks: { url: "https://example.net/x" }, heartbeat_interval: 9 });
    await call(server.app, "updateMediaProviders", "/v1/settings/application/media/providers", {
      method: "POST",
      ...json([{ name: "cdn", type: "www", config: { bearer: "tok" } }], auth),
    });
    const r = await call(server.app, "resetApplicationSettings", "/v1/settings/application", {
      method: "DELETE",
      headers: auth,
    });
    expect(r.res.status).toBe(200);
    expect(await getSettings()).toEqual(DEFAULTS);
    const providers = await call(server.app, "getMediaProviders", "/v1/settings/application/media/providers", {
      headers: auth,
    });
    expect(
      (providers.body as { settings: { application: { media: { providers: unknown[] } } } }).settings.application.media
        .providers,
    ).toHaveLength(1);
  });

  it("is admin only (403, 1005) for every settings and providers operation", async () => {
    await call(server.app, "createUser", "/v1/users", {
      method: "POST",
      ...json({ username: "eve", password: "Ev3!passwd" }, auth),
    });
    const eve = bearer(await login(server.app, "eve", "Ev3!passwd"));
    const attempts: Array<[string, string, RequestInit]> = [
      ["getApplicationSettings", "/v1/settings/application", { headers: eve }],
      [
        "updateApplicationSettings",
        "/v1/settings/application",
        { method: "PATCH", ...json({ log_level: "error" }, eve) },
      ],
      ["resetApplicationSettings", "/v1/settings/application", { method: "DELETE", headers: eve }],
      ["getMediaProviders", "/v1/settings/application/media/providers", { headers: eve }],
      [
        "updateMediaProviders",
        "/v1/settings/application/media/providers",
        { method: "POST", ...json([{ name: "x", type: "www", config: { bearer: "t" } }], eve) },
      ],
      ["deleteMediaProvider", "/v1/settings/application/media/providers/x", { method: "DELETE", headers: eve }],
    ];
    for (const [op, url, init] of attempts) {
      const r = await call(server.app, op, url, init);
      expect(r.res.status, op).toBe(403);
      expect(whatsAppError(r.body).code).toBe(1005);
    }
    expect((await getSettings()).log_level).toBe("info");
  });
});

describe("media providers", () => {
  const providersUrl = "/v1/settings/application/media/providers";
  async function list(): Promise<unknown[]> {
    const r = await call(server.app, "getMediaProviders", providersUrl, { headers: auth });
    expect(r.res.status).toBe(200);
    return (r.body as { settings: { application: { media: { providers: unknown[] } } } }).settings.application.media
      .providers;
  }
  const post = (body: unknown) =>
    call(server.app, "updateMediaProviders", providersUrl, { method: "POST", ...json(body, auth) });

  it("creates, replaces by name, masks secrets and deletes", async () => {
    expect(await list()).toEqual([]);
    expect((await post([{ name: "cdn", type: "www", config: { bearer: "super-secret-token" } }])).res.status).toBe(200);
    expect(
      (await post([{ name: "archive", type: "www", config: { basic: { username: "u1", password: "p4ss" } } }])).res
        .status,
    ).toBe(200);
    expect(await list()).toEqual([
      { name: "archive", type: "www", config: { basic: { username: "u1", password: "********" } } },
      { name: "cdn", type: "www", config: { bearer: "********" } },
    ]);
    expect(
      (await post([{ name: "cdn", type: "www", config: { basic: { username: "u2", password: "x" } } }])).res.status,
    ).toBe(200);
    expect(await list()).toContainEqual({
      name: "cdn",
      type: "www",
      config: { basic: { username: "u2", password: "********" } },
    });
    let r = await call(server.app, "deleteMediaProvider", `${providersUrl}/cdn`, { method: "DELETE", headers: auth });
    expect(r.res.status).toBe(200);
    expect(await list()).toHaveLength(1);
    for (const name of ["cdn", "bad%20name"]) {
      r = await call(server.app, "deleteMediaProvider", `${providersUrl}/${name}`, { method: "DELETE", headers: auth });
      expect(r.res.status).toBe(404);
      expect(whatsAppError(r.body)).toEqual({
        code: 1006,
        details: `Media provider ${decodeURIComponent(name)} not found`,
      });
    }
  });

  it("validates the one-provider array", async () => {
    const cases: Array<[unknown, number, string]> = [
      [
        [{ name: "a", type: "www", config: { bearer: "t", basic: { username: "u", password: "p" } } }],
        1009,
        "[0].config: must hold exactly one of",
      ],
      [[{ name: "a", type: "www", config: {} }], 1009, "[0].config"],
      [[{ name: "a", type: "www", config: { basic: { username: "u" } } }], 1008, "[0].config.basic.password"],
      [[{ type: "www", config: { bearer: "t" } }], 1008, "[0].name"],
      [[{ name: "a", type: "ftp", config: { bearer: "t" } }], 1009, "[0].type"],
      // "." and ".." could never be addressed: URLs resolve them away.
      [[{ name: ".", type: "www", config: { bearer: "t" } }], 1009, "[0].name"],
      [[{ name: "..", type: "www", config: { bearer: "t" } }], 1009, "[0].name"],
      [[{ name: "a", type: "www", config: { bearer: "t" }, extra: 1 }], 1010, "[0].extra"],
      [[], 1009, "request body"],
      [
        [
          { name: "a", type: "www", config: { bearer: "t" } },
          { name: "b", type: "www", config: { bearer: "t" } },
        ],
        1009,
        "request body",
      ],
      [{ name: "a", type: "www", config: { bearer: "t" } }, 1009, "request body"],
    ];
    for (const [body, code, details] of cases) {
      const r = await post(body);
      expect(r.res.status, JSON.stringify(body)).toBe(400);
      expect(whatsAppError(r.body).code, JSON.stringify(body)).toBe(code);
      expect(whatsAppError(r.body).details, JSON.stringify(body)).toContain(details);
    }
    expect(await list()).toEqual([]);
    // Dots elsewhere are fine.
    for (const name of ["...", ".cdn", "cdn.", "a..b"]) {
      expect((await post([{ name, type: "www", config: { bearer: "t" } }])).res.status, name).toBe(200);
    }
  });
});
