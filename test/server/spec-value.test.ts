// The spec is a value: the app derives its rules from the document it is given, not from the bundle on disk. Each
// test serves a copy of the bundle with one fact changed and sees the server follow it, or refuse to start.
import { describe, expect, it } from "vitest";
import {
  createMessengerClient,
  createWhatsAppClient,
  MessengerApiError,
  WhatsAppApiError,
} from "../../client/index.ts";
import { createApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createMemoryStorage } from "../../server/storage/memory/memory-storage.ts";
import { readOpenApiDocument, type OpenApiDocument } from "../../spec-model/openapi-document.ts";
import { tinyPng } from "../../conformance/media-files.ts";

const ADMIN = "Sp3c-Value!";
const PAGE = { id: "4242424242", token: "spec-value-page-token" };

/** A fresh copy of the bundle, changed by `edit` (which walks it as plain JSON). */
// biome-ignore lint/suspicious/noExplicitAny: the edits walk the document as plain JSON
function specWith(edit: (doc: any) => void): OpenApiDocument {
  const doc = readOpenApiDocument();
  edit(doc);
  return doc;
}

function serve(spec: OpenApiDocument) {
  const config = loadConfig({
    DATA_DIR: "/nonexistent",
    WA_ADMIN_PASSWORD: ADMIN,
    MESSENGER_PAGES: JSON.stringify({ [PAGE.id]: PAGE.token }),
  });
  const app = createApp({ spec, config, storage: createMemoryStorage() });
  const fetch = async (request: Request) => app.fetch(request);
  const wa = createWhatsAppClient({ baseUrl: "http://spec.test", username: "admin", password: ADMIN, fetch });
  const messenger = createMessengerClient({ accessToken: PAGE.token, baseUrl: "http://spec.test", fetch });
  return { app, wa, messenger };
}

describe("an app serving a spec it was given", () => {
  it("takes the per-type media limits from x-max-bytes", async () => {
    const spec = specWith((doc) => {
      doc.paths["/v1/media"].post.requestBody.content["image/png"]["x-max-bytes"] = 40;
    });
    const { wa } = serve(spec);
    const err = await wa.uploadMedia(tinyPng(16, 16), "image/png").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhatsAppApiError);
    expect((err as WhatsAppApiError).errors[0]).toMatchObject({
      code: 1009,
      details: "image media must be at most 40 bytes",
    });
    // The bundle itself is untouched: another app still takes the PNG.
    const { wa: regular } = serve(readOpenApiDocument());
    expect(await regular.uploadMedia(tinyPng(16, 16), "image/png")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("derives the admin check from the scopes of the security requirement", async () => {
    const spec = specWith((doc) => {
      doc.paths["/v1/settings/application"].get.security = [{ waBearerAuth: [] }];
    });
    const { app, wa } = serve(spec);
    await wa.createUser({ username: "reader", password: "R3ader!pass" });
    const fetch = async (request: Request) => app.fetch(request);
    const user = createWhatsAppClient({
      baseUrl: "http://spec.test",
      username: "reader",
      password: "R3ader!pass",
      fetch,
    });
    expect((await user.getApplicationSettings()).settings.application.wa_id).toBe("16315551019");
    // PATCH still names ROLE_ADMIN.
    const refused = await user.updateApplicationSettings({ sent_status: true }).catch((e: unknown) => e);
    expect((refused as WhatsAppApiError).status).toBe(403);
  });

  it("answers Graph errors with the messages of the spec's examples", async () => {
    const spec = specWith((doc) => {
      doc.components.examples.GraphFetchFailed.value.error.message = "(#100) Could not fetch it, says this spec.";
    });
    const { messenger } = serve(spec);
    const err = await messenger.uploadAttachmentFromUrl("http://127.0.0.1:4/x.png", "image").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessengerApiError);
    expect((err as MessengerApiError).message).toBe("(#100) Could not fetch it, says this spec.");
    expect((err as MessengerApiError).subcode).toBe(2018008);
  });

  it("takes the attachment size limits from x-attachment-limits", async () => {
    const spec = specWith((doc) => {
      doc.components.schemas.AttachmentType["x-attachment-limits"].image["max-bytes"] = 64;
    });
    const { messenger } = serve(spec);
    const err = await messenger
      .uploadAttachmentFile(new Blob([tinyPng(16, 16)], { type: "image/png" }), "big.png", "image")
      .catch((e: unknown) => e);
    expect((err as MessengerApiError).message).toMatch(/^\(#100\) The file is too large/);
    const small = await messenger.uploadAttachmentFile(new Blob([new Uint8Array(100)]), "f.bin", "file");
    expect(small.attachment_id).toMatch(/^[0-9]{16}$/);
  });

  it("refuses to start on a spec that contradicts an error catalogue or lacks a limit", () => {
    const contradicting = specWith((doc) => {
      doc.components.examples.GraphTypeMismatch.value.error.error_subcode = 2018048;
    });
    expect(() => serve(contradicting)).toThrow(/Graph error typeMismatch: example GraphTypeMismatch says 100\/2018048/);
    const limitless = specWith((doc) => {
      delete doc.components.schemas.AttachmentType["x-attachment-limits"].video;
    });
    expect(() => serve(limitless)).toThrow("x-attachment-limits has no limits for attachment type video");
  });
});
