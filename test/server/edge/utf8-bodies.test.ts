/**
 * JSON text is UTF-8: a body (or a multipart `message` field) with bytes that are not valid UTF-8 is refused, never
 * decoded with replacement characters and stored: 400 (1009) for the WA operations, the Graph error 100 for the
 * Graph ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import * as samples from "../../../conformance/media-files.ts";
import { createMessengerTestApp, type MessengerTestApp, TOKEN } from "../../support/messenger-app.ts";
import { bearer, call, startTestServer, whatsAppError, type TestServer } from "../../support/server-harness.ts";

/** `before` + the byte 0xFF (never valid in UTF-8) + `after`. */
const withInvalidByte = (before: string, after: string) =>
  new Uint8Array(Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]));

describe("WA operations", () => {
  let server: TestServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer();
    auth = { ...bearer(server.adminToken!), "Content-Type": "application/json" };
  });
  afterAll(() => server.dispose());

  it("refuses a provider secret with an invalid byte (400, 1009) and stores nothing", async () => {
    const body = withInvalidByte('[{"name":"cdn","type":"www","config":{"bearer":"tok', '"}}]');
    const r = await call(server.app, "updateMediaProviders", "/v1/settings/application/media/providers", {
      method: "POST",
      headers: auth,
      body,
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body)).toEqual({
      code: 1009,
      details: "Request body is not valid UTF-8 (JSON text must be UTF-8)",
    });
    const list = await call(server.app, "getMediaProviders", "/v1/settings/application/media/providers", {
      headers: auth,
    });
    expect(
      (list.body as { settings: { application: { media: { providers: unknown[] } } } }).settings.application.media
        .providers,
    ).toEqual([]);
  });

  it("refuses a truncated multi-byte sequence in a settings patch", async () => {
    const body = new Uint8Array(
      Buffer.concat([
        Buffer.from('{"webhooks":{"url":"https://example.com/caf'),
        Buffer.from([0xc3]),
        Buffer.from('"}}'),
      ]),
    );
    const r = await call(server.app, "updateApplicationSettings", "/v1/settings/application", {
      method: "PATCH",
      headers: auth,
      body,
    });
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1009);
  });

  it("still takes well-formed UTF-8 beyond ASCII", async () => {
    const r = await call(server.app, "updateMediaProviders", "/v1/settings/application/media/providers", {
      method: "POST",
      headers: auth,
      body: JSON.stringify([
        { name: "cdn", type: "www", config: { basic: { username: "zoë-日本", password: "pässwörd" } } },
      ]),
    });
    expect(r.res.status).toBe(200);
  });
});

describe("Graph operations", () => {
  let t: MessengerTestApp;
  beforeAll(async () => {
    t = await createMessengerTestApp();
  });
  afterAll(() => t.close());

  async function expectNotUtf8(operationId: string, res: Response, param: string): Promise<void> {
    expect(res.status).toBe(400);
    const body = (await res.clone().json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(100);
    expect(body.error.message).toBe(`(#100) ${param} is not valid UTF-8`);
    await expectResponseMatchesSpec(operationId, res);
  }

  it("refuses a JSON upload body that is not UTF-8", async () => {
    const body = withInvalidByte(
      '{"message":{"attachment":{"type":"image","payload":{"url":"https://example.invalid/a',
      '.png"}}}}',
    );
    const res = await t.request(`/v21.0/me/message_attachments?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await expectNotUtf8("uploadAttachment", res, "The request body");
  });

  it("refuses a send body that is not UTF-8, also when it carries the token", async () => {
    const body = withInvalidByte(
      `{"access_token":"${TOKEN}","recipient":{"id":"1254459154682919"},` +
        `"message":{"attachment":{"type":"image","payload":{"attachment_id":"1`,
      '"}}}}',
    );
    const res = await t.request("/v21.0/me/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    // Without a readable body there is no token: the request is refused as unauthenticated.
    expect(res.status).toBe(401);
    const withQueryToken = await t.request(`/v21.0/me/messages?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await expectNotUtf8("sendMessage", withQueryToken, "The request body");
  });

  const multipart = (messagePart: Buffer, boundary = "utf8-test-boundary") =>
    new Uint8Array(
      Buffer.concat([
        Buffer.from(`--${boundary}\r\n`),
        messagePart,
        Buffer.from(
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="a.png"\r\n` +
            "Content-Type: image/png\r\n\r\n",
        ),
        samples.png(),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    );
  const upload = (body: Uint8Array<ArrayBuffer>) =>
    t.request(`/v21.0/me/message_attachments?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=utf8-test-boundary" },
      body,
    });

  it("refuses a multipart message field that is not UTF-8, as a text field or as a JSON file part", async () => {
    const json = (bad: boolean) =>
      Buffer.concat([
        Buffer.from('{"attachment":{"type":"image","payload":{"is_reusable":true'),
        bad ? Buffer.from([0xff]) : Buffer.alloc(0),
        Buffer.from("}}}"),
      ]);
    const asField = (bad: boolean) =>
      Buffer.concat([Buffer.from('Content-Disposition: form-data; name="message"\r\n\r\n'), json(bad)]);
    const asFile = (bad: boolean) =>
      Buffer.concat([
        Buffer.from(
          'Content-Disposition: form-data; name="message"; filename="blob"\r\nContent-Type: application/json\r\n\r\n',
        ),
        json(bad),
      ]);
    await expectNotUtf8("uploadAttachment", await upload(multipart(asField(true))), "Param message");
    await expectNotUtf8("uploadAttachment", await upload(multipart(asFile(true))), "Param message");
    expect((await upload(multipart(asField(false)))).status).toBe(200);
    expect((await upload(multipart(asFile(false)))).status).toBe(200);
  });
});
