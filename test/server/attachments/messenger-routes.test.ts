import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTACHMENT_TTL_MS, AttachmentStore } from "../../../server/attachments/attachment-store.ts";
import { loadOpenApiDocument } from "../../../spec-model/openapi-document.ts";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import { mp3Bytes, mp4Bytes, pdfBytes, pngBytes, textBytes } from "../../support/attachment-fixtures.ts";
import {
  createMessengerTestApp,
  type MessengerTestApp,
  json,
  OTHER_PAGE_ID,
  OTHER_TOKEN,
  PAGE_ID,
  TOKEN,
  uploadForm,
} from "../../support/messenger-app.ts";
import { type Origin, startOrigin, streamChunked } from "../../support/local-origin.ts";

type MessengerErrorReply = {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
};

const examples = loadOpenApiDocument().components.examples as Record<string, { value: MessengerErrorReply }>;
/** The message the spec documents in example `name`. */
const documented = (name: string) => examples[name]!.value.error.message;

const MiB = 1024 * 1024;
let origin: Origin;
let t: MessengerTestApp;
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    res.on("error", () => undefined);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (type: string, body: Buffer) => {
      res.writeHead(200, { "content-type": type, "content-length": body.length });
      res.end(body);
    };
    switch (path) {
      case "/image.png":
        return send("image/png", pngBytes(2048));
      case "/image-is-pdf.png":
        return send("image/png", pdfBytes());
      case "/video.mp4":
        return send("video/mp4", mp4Bytes());
      case "/video-is-text.mp4":
        return send("video/mp4", textBytes());
      case "/audio.mp3":
        return send("audio/mpeg", mp3Bytes());
      case "/doc.pdf":
        return send("application/pdf", pdfBytes());
      case "/big-image.png":
        // 9 MiB, chunked: the limit can only be seen on the stream.
        return streamChunked(res, 9 * MiB, pngBytes());
      case "/big-video.mp4":
        return streamChunked(res, 26 * MiB, mp4Bytes());
      case "/slow":
      case "/slow.mp4": {
        // Headers and a few bytes, then silence until the client gives up.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write(path === "/slow.mp4" ? mp4Bytes() : pngBytes());
        const timer = setTimeout(() => res.end(), 5_000);
        timers.add(timer);
        return;
      }
      case "/to-metadata":
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        return res.end();
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  t = await createMessengerTestApp({}, (async (host: string) => {
    if (host === "loopback.example") return [{ address: "127.0.0.2", family: 4 }];
    throw Object.assign(new Error(`stub: ${host} not found`), { code: "ENOTFOUND" });
  }) as never);
});

afterAll(async () => {
  for (const timer of timers) clearTimeout(timer);
  t.close();
  await origin.close();
});

/** The attachment store over the app's records, on the app's clock. */
const attachments = () => new AttachmentStore(t.storage.attachments, t.clock);

const q = (token = TOKEN) => `access_token=${encodeURIComponent(token)}`;

function fromUrl(type: string, url: string, isReusable?: boolean) {
  return {
    message: {
      attachment: { type, payload: { url, ...(isReusable === undefined ? {} : { is_reusable: isReusable }) } },
    },
  };
}

async function upload(body: unknown, page = "me", token = TOKEN): Promise<Response> {
  return t.request(`/v21.0/${page}/message_attachments?${q(token)}`, json(body));
}

async function expectMessengerError(
  operationId: string,
  res: Response,
  status: number,
  code: number,
  subcode?: number,
  message?: string,
) {
  expect(res.status).toBe(status);
  const body = (await expectResponseMatchesSpec(operationId, res)) as MessengerErrorReply;
  expect(body.error.code).toBe(code);
  expect(body.error.error_subcode).toBe(subcode);
  expect(body.error.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
  if (message !== undefined) expect(body.error.message).toBe(message);
  return body.error;
}

async function uploadedId(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  const body = (await expectResponseMatchesSpec("uploadAttachment", res)) as { attachment_id: string };
  return body.attachment_id;
}

function send(payload: unknown, type = "image", page = "me", token = TOKEN, extra = "") {
  return t.request(
    `/v21.0/${page}/messages?${q(token)}${extra}`,
    json({ recipient: { id: "1254459154682919" }, message: { attachment: { type, payload } } }),
  );
}

describe("uploadAttachment from a URL", () => {
  it.each([
    ["image", "/image.png", "image/png"],
    ["video", "/video.mp4", "video/mp4"],
    ["audio", "/audio.mp3", "audio/mpeg"],
    ["file", "/doc.pdf", "application/pdf"],
    ["file", "/image.png", "image/png"],
  ])("stores a %s fetched from %s", async (type, path, mime) => {
    const id = await uploadedId(await upload(fromUrl(type, `${origin.url}${path}`, true)));
    expect(id).toMatch(/^[0-9]{16}$/);
    const rec = (await attachments().get(id))!;
    expect(rec).toMatchObject({ pageId: PAGE_ID, type, isReusable: true, mimeType: mime, source: "url" });
    const blob = await t.storage.attachmentBlobs.open(rec.blobId);
    expect(blob?.size).toBe(rec.size);
    (blob!.stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  });

  it("answers 2018008 with the same message for an unreachable URL and a refused address", async () => {
    const notFound = await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("image", `${origin.url}/missing.png`)),
      400,
      100,
      2018008,
    );
    const before = origin.connections();
    const refused = [
      `http://127.0.0.2:${origin.port}/image.png`,
      `http://0x7f000002:${origin.port}/image.png`,
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/x",
      "http://10.0.0.1/x",
      `http://loopback.example:${origin.port}/image.png`,
      "http://no-such-host.example/x",
    ];
    for (const url of refused) {
      const err = await expectMessengerError(
        "uploadAttachment",
        await upload(fromUrl("image", url)),
        400,
        100,
        2018008,
      );
      expect(err.message).toBe(notFound.message);
    }
    expect(origin.connections()).toBe(before);
    const redirected = await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("image", `${origin.url}/to-metadata`)),
      400,
      100,
      2018008,
    );
    expect(redirected.message).toBe(documented("GraphFetchFailed"));
  });

  it("answers 2018008 for an image over 8 MiB and a video over 25 MiB, both sent chunked", async () => {
    // Generous time limits here, so that only the size can be what fails (a video timeout would be 2018294).
    const roomy = await createMessengerTestApp({
      ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "30000",
      ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "30000",
    });
    try {
      const post = (body: unknown) => roomy.request(`/v21.0/me/message_attachments?${q()}`, json(body));
      await expectMessengerError(
        "uploadAttachment",
        await post(fromUrl("image", `${origin.url}/big-image.png`)),
        400,
        100,
        2018008,
      );
      await expectMessengerError(
        "uploadAttachment",
        await post(fromUrl("video", `${origin.url}/big-video.mp4`)),
        400,
        100,
        2018008,
      );
      // The 9 MiB body that is too large for an image is fine as a `file` (25 MiB limit).
      await uploadedId(await post(fromUrl("file", `${origin.url}/big-image.png`)));
    } finally {
      roomy.close();
    }
  });

  it("answers 2018294 when a video times out, and 2018008 when another type does", async () => {
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("video", `${origin.url}/slow.mp4`)),
      400,
      100,
      2018294,
      documented("GraphVideoTimeout"),
    );
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("image", `${origin.url}/slow`)),
      400,
      100,
      2018008,
      documented("GraphFetchFailed"),
    );
  });

  it("answers 2018294 for a video whose bytes are no video at all (corrupt)", async () => {
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("video", `${origin.url}/video-is-text.mp4`)),
      400,
      100,
      2018294,
    );
  });

  it("answers 2018047 for a declared image that is a PDF", async () => {
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("image", `${origin.url}/image-is-pdf.png`)),
      400,
      100,
      2018047,
      documented("GraphTypeMismatch"),
    );
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("video", `${origin.url}/image.png`)),
      400,
      100,
      2018047,
    );
    await expectMessengerError(
      "uploadAttachment",
      await upload(fromUrl("audio", `${origin.url}/doc.pdf`)),
      400,
      100,
      2018047,
    );
  });

  it("leaves no blob behind after a failed upload", async () => {
    const used = (t.storage.attachmentBlobs as { usedBytes(): number }).usedBytes();
    await upload(fromUrl("image", `${origin.url}/image-is-pdf.png`));
    await upload(fromUrl("image", `${origin.url}/big-image.png`));
    expect((t.storage.attachmentBlobs as { usedBytes(): number }).usedBytes()).toBe(used);
  });

  it.each([
    [
      { message: { attachment: { type: "sticker", payload: { url: "https://example.com/a.png" } } } },
      documented("GraphInvalidParameter"),
    ],
    [{ message: { attachment: { type: "image" } } }, "(#100) The parameter message[attachment][payload] is required"],
    [{ message: { attachment: { type: "image", payload: { url: "ftp://example.com/a" } } } }, undefined],
    [{ message: { attachment: { type: "image", payload: { url: "https://example.com/a", extra: 1 } } } }, undefined],
    [{}, "(#100) The parameter message is required"],
    [[], undefined],
    ["text", undefined],
  ])("answers 100 for the invalid body %j", async (body, message) => {
    await expectMessengerError("uploadAttachment", await upload(body), 400, 100, undefined, message);
  });

  it("answers 100 for malformed JSON, an oversized JSON body and an unsupported content type", async () => {
    const path = `/v21.0/me/message_attachments?${q()}`;
    await expectMessengerError(
      "uploadAttachment",
      await t.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" }),
      400,
      100,
    );
    const big = JSON.stringify({ ...fromUrl("image", "https://example.com/a.png"), pad: "x".repeat(70 * 1024) });
    await expectMessengerError(
      "uploadAttachment",
      await t.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: big }),
      400,
      100,
    );
    await expectMessengerError(
      "uploadAttachment",
      await t.request(path, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }),
      400,
      100,
    );
    await expectMessengerError("uploadAttachment", await t.request(path, { method: "POST" }), 400, 100);
  });
});

describe("uploadAttachment from a file (multipart)", () => {
  const post = (form: FormData, query = q()) =>
    t.request(`/v21.0/me/message_attachments?${query}`, { method: "POST", body: form });

  it("stores the file whether `message` comes before or after `filedata`", async () => {
    for (const order of ["message-first", "file-first"] as const) {
      const id = await uploadedId(
        await post(
          uploadForm({ attachment: { type: "image", payload: { is_reusable: true } } }, pngBytes(), "image/png", order),
        ),
      );
      const expected = { pageId: PAGE_ID, isReusable: true, source: "file", mimeType: "image/png" };
      expect(await attachments().get(id)).toMatchObject(expected);
    }
  });

  it("answers 2018047 for a PDF declared as an image, in either order", async () => {
    for (const order of ["message-first", "file-first"] as const) {
      await expectMessengerError(
        "uploadAttachment",
        await post(uploadForm({ attachment: { type: "image" } }, pdfBytes(), "image/png", order)),
        400,
        100,
        2018047,
      );
    }
  });

  it("answers 100 (file too large) for an image over 8 MiB, in either order", async () => {
    const big = pngBytes(8 * MiB + 1);
    for (const order of ["message-first", "file-first"] as const) {
      await expectMessengerError(
        "uploadAttachment",
        await post(uploadForm({ attachment: { type: "image" } }, big, "image/png", order)),
        400,
        100,
        undefined,
        documented("GraphFileTooLarge"),
      );
    }
  });

  it("answers 100 for a missing or invalid message, a missing file or a second file", async () => {
    const onlyFile = new FormData();
    onlyFile.append("filedata", new Blob([new Uint8Array(pngBytes())], { type: "image/png" }), "a.png");
    await expectMessengerError(
      "uploadAttachment",
      await post(onlyFile),
      400,
      100,
      undefined,
      "(#100) The parameter message is required",
    );
    const onlyMessage = new FormData();
    onlyMessage.append("message", JSON.stringify({ attachment: { type: "image" } }));
    await expectMessengerError(
      "uploadAttachment",
      await post(onlyMessage),
      400,
      100,
      undefined,
      "(#100) The parameter filedata is required",
    );
    await expectMessengerError(
      "uploadAttachment",
      await post(uploadForm({ attachment: { type: "gif" } }, pngBytes(), "image/png")),
      400,
      100,
      undefined,
      documented("GraphInvalidParameter"),
    );
    await expectMessengerError(
      "uploadAttachment",
      await post(
        uploadForm({ attachment: { type: "image", payload: { url: "https://x.example/a" } } }, pngBytes(), "image/png"),
      ),
      400,
      100,
    );
    const bad = new FormData();
    bad.append("message", "{not json");
    bad.append("filedata", new Blob([new Uint8Array(pngBytes())]), "a.png");
    await expectMessengerError("uploadAttachment", await post(bad), 400, 100);
    const two = uploadForm({ attachment: { type: "image" } }, pngBytes(), "image/png");
    two.append("filedata", new Blob([new Uint8Array(pngBytes())]), "b.png");
    await expectMessengerError("uploadAttachment", await post(two), 400, 100);
    const garbage = await t.request(`/v21.0/me/message_attachments?${q()}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zzz" },
      body: '--zzz\r\nContent-Disposition: form-data; name="filedata"; filename="a"\r\n\r\nabc',
    });
    await expectMessengerError("uploadAttachment", garbage, 400, 100);
    const noBoundary = await t.request(`/v21.0/me/message_attachments?${q()}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    await expectMessengerError("uploadAttachment", noBoundary, 400, 100);
  });

  it("never reads a multipart body before authenticating: a token inside the form does not count", async () => {
    const form = uploadForm({ attachment: { type: "image" } }, pngBytes(), "image/png");
    form.append("access_token", TOKEN);
    await expectMessengerError(
      "uploadAttachment",
      await post(form, ""),
      401,
      190,
      undefined,
      documented("GraphMissingToken"),
    );
  });
});

describe("authentication and page ids", () => {
  const body = () => fromUrl("image", `${origin.url}/image.png`);

  it("answers 190 (401, WWW-Authenticate) for a missing or unknown token", async () => {
    const missing = await t.request("/v21.0/me/message_attachments", json(body()));
    expect(missing.headers.get("www-authenticate")).toMatch(/^OAuth /);
    await expectMessengerError("uploadAttachment", missing, 401, 190, undefined, documented("GraphMissingToken"));
    const wrong = await t.request("/v21.0/me/messages?access_token=nope", json({}));
    expect(wrong.headers.get("www-authenticate")).toMatch(/^OAuth /);
    await expectMessengerError("sendMessage", wrong, 401, 190, undefined, documented("GraphInvalidToken"));
  });

  it("accepts the token as a Bearer header and in a JSON body", async () => {
    await uploadedId(
      await t.request("/v21.0/me/message_attachments", json(body(), { authorization: `Bearer ${TOKEN}` })),
    );
    await uploadedId(await t.request("/v21.0/me/message_attachments", json({ access_token: TOKEN, ...body() })));
  });

  it("resolves `me` and the page's own id to the token's page, and refuses another page's id with 100/33", async () => {
    const mine = await uploadedId(await upload(body(), PAGE_ID));
    expect((await attachments().get(mine))?.pageId).toBe(PAGE_ID);
    const theirs = await uploadedId(await upload(body(), "me", OTHER_TOKEN));
    expect((await attachments().get(theirs))?.pageId).toBe(OTHER_PAGE_ID);
    const err = await expectMessengerError("uploadAttachment", await upload(body(), OTHER_PAGE_ID), 400, 100, 33);
    expect(err.message).toBe(documented("GraphUnknownPage").replace("1234567890", OTHER_PAGE_ID));
    await expectMessengerError("sendMessage", await send({ attachment_id: mine }, "image", "not-a-page"), 400, 100, 33);
  });

  it("requires a correct appsecret_proof when an app secret is configured", async () => {
    const secured = await createMessengerTestApp({ MESSENGER_APP_SECRET: "app-secret-xyz" });
    try {
      const proof = createHmac("sha256", "app-secret-xyz").update(TOKEN).digest("hex");
      const path = (extra: string) => `/v21.0/me/message_attachments?${q()}${extra}`;
      const ok = await secured.request(path(`&appsecret_proof=${proof}`), json(body()));
      expect(ok.status).toBe(200);
      await expectResponseMatchesSpec("uploadAttachment", ok);
      for (const extra of [
        "",
        `&appsecret_proof=${"0".repeat(64)}`,
        `&appsecret_proof=${proof.toUpperCase()}`,
        "&appsecret_proof=short",
      ]) {
        await expectMessengerError(
          "uploadAttachment",
          await secured.request(path(extra), json(body())),
          400,
          100,
          undefined,
          documented("GraphAppsecretProof"),
        );
      }
      // The proof is tied to the token: another page's token with this page's proof fails.
      const other = await secured.request(
        `/v21.0/me/message_attachments?${q(OTHER_TOKEN)}&appsecret_proof=${proof}`,
        json(body()),
      );
      await expectMessengerError("uploadAttachment", other, 400, 100, undefined, documented("GraphAppsecretProof"));
    } finally {
      secured.close();
    }
  });

  it("answers 405 with Allow for other methods and accepts any vNN.N version", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      for (const edge of ["message_attachments", "messages"]) {
        const res = await t.request(`/v21.0/me/${edge}?${q()}`, { method });
        expect(res.status).toBe(405);
        expect(res.headers.get("allow")).toBe("POST");
        expect(((await res.json()) as MessengerErrorReply).error.fbtrace_id).toBeTruthy();
      }
    }
    await uploadedId(await t.request(`/v2.12/me/message_attachments?${q()}`, json(body())));
    const unknown = await t.request(`/v21.0/me/feed?${q()}`, json({}));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as MessengerErrorReply).error.code).toBe(2500);
  });
});

describe("sendMessage", () => {
  const reusableImage = async (token = TOKEN) =>
    uploadedId(await upload(fromUrl("image", `${origin.url}/image.png`, true), "me", token));

  it("sends a reusable attachment by id and records the message", async () => {
    const id = await reusableImage();
    const res = await send({ attachment_id: id });
    expect(res.status).toBe(200);
    const body = (await expectResponseMatchesSpec("sendMessage", res)) as { recipient_id: string; message_id: string };
    expect(body.recipient_id).toBe("1254459154682919");
    const expected = { pageId: PAGE_ID, recipientId: "1254459154682919", attachmentId: id };
    expect(await attachments().getMessage(body.message_id)).toMatchObject(expected);
    // Reusable: a second send works too.
    expect((await send({ attachment_id: id })).status).toBe(200);
  });

  it("answers 2018074 for an unknown, non-reusable, other page's or expired id", async () => {
    const notReusable = await uploadedId(await upload(fromUrl("image", `${origin.url}/image.png`, false)));
    const theirs = await reusableImage(OTHER_TOKEN);
    for (const id of ["9999999999999999", notReusable, theirs]) {
      await expectMessengerError(
        "sendMessage",
        await send({ attachment_id: id }),
        400,
        100,
        2018074,
        documented("GraphAttachmentInvalid"),
      );
    }
    const id = await reusableImage();
    t.clock.advance(ATTACHMENT_TTL_MS - 1000);
    expect((await send({ attachment_id: id })).status).toBe(200);
    t.clock.advance(1000);
    await expectMessengerError("sendMessage", await send({ attachment_id: id }), 400, 100, 2018074);
  });

  it("answers 2018047 when the declared type differs from the stored attachment's", async () => {
    const id = await reusableImage();
    await expectMessengerError("sendMessage", await send({ attachment_id: id }, "video"), 400, 100, 2018047);
  });

  it("uploads and sends by URL in one call", async () => {
    const res = await send({ url: `${origin.url}/image.png` });
    expect(res.status).toBe(200);
    const body = (await expectResponseMatchesSpec("sendMessage", res)) as { message_id: string };
    const msg = (await attachments().getMessage(body.message_id))!;
    expect(await attachments().get(msg.attachmentId)).toMatchObject({ isReusable: false, source: "url" });
    expect((await send({ url: `${origin.url}/image.png`, is_reusable: false })).status).toBe(200);
  });

  it("rejects is_reusable: true in an upload-and-send (100)", async () => {
    await expectMessengerError(
      "sendMessage",
      await send({ url: `${origin.url}/image.png`, is_reusable: true }),
      400,
      100,
      undefined,
      documented("GraphReusableInSend"),
    );
  });

  it(
    "refuses is_public in an upload-and-send (100): " +
      "attachments in a thread are always private (sendMessage's description)",
    async () => {
      const res = await send({ url: `${origin.url}/image.png`, is_public: true });
      await expectMessengerError("sendMessage", res, 400, 100);
    },
  );

  it("answers the fetch subcodes for upload-and-send", async () => {
    await expectMessengerError(
      "sendMessage",
      await send({ url: "http://169.254.169.254/latest/meta-data/" }),
      400,
      100,
      2018008,
    );
    await expectMessengerError("sendMessage", await send({ url: `${origin.url}/image-is-pdf.png` }), 400, 100, 2018047);
    await expectMessengerError(
      "sendMessage",
      await send({ url: `${origin.url}/slow.mp4` }, "video"),
      400,
      100,
      2018294,
    );
  });

  it.each([
    [
      { message: { attachment: { type: "image", payload: { attachment_id: "1" } } } },
      "(#100) The parameter recipient is required",
    ],
    [
      { recipient: { id: "x" }, message: { attachment: { type: "image", payload: { attachment_id: "1" } } } },
      undefined,
    ],
    [{ recipient: { id: "1" }, message: { attachment: { type: "image", payload: {} } } }, undefined],
    [
      {
        recipient: { id: "1" },
        message: { attachment: { type: "image", payload: { attachment_id: "1", url: "https://example.com/a" } } },
      },
      undefined,
    ],
    [
      { recipient: { id: "1" }, message: { attachment: { type: "image", payload: { attachment_id: "abc" } } } },
      undefined,
    ],
    [
      { recipient: { id: "1" }, message: { attachment: { type: "sticker", payload: { attachment_id: "1" } } } },
      documented("GraphInvalidParameter"),
    ],
  ])("answers 100 for the invalid body %j", async (body, message) => {
    await expectMessengerError(
      "sendMessage",
      await t.request(`/v21.0/me/messages?${q()}`, json(body)),
      400,
      100,
      undefined,
      message,
    );
  });

  it("accepts only JSON", async () => {
    const form = new FormData();
    form.append("recipient", '{"id":"1"}');
    await expectMessengerError(
      "sendMessage",
      await t.request(`/v21.0/me/messages?${q()}`, { method: "POST", body: form }),
      400,
      100,
    );
  });
});
