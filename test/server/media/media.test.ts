import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getOperation } from "../../../spec-model/openapi-document.ts";
import * as samples from "../../../conformance/media-files.ts";
import {
  ADMIN_PASSWORD,
  bearer,
  call,
  login,
  startTestServer,
  whatsAppError,
  type TestServer,
} from "../../support/server-harness.ts";

let server: TestServer;
let auth: Record<string, string>;
beforeEach(async () => {
  server = await startTestServer();
  auth = bearer(server.adminToken!);
});
afterEach(() => server.dispose());

function upload(
  contentType: string | undefined,
  body: Uint8Array | ReadableStream<Uint8Array> | null,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...auth, ...extra };
  if (contentType !== undefined) headers["Content-Type"] = contentType;
  // A copy typed as a plain ArrayBuffer view, which is what BodyInit wants (Buffer may sit on a shared pool).
  const payload = body instanceof Uint8Array ? new Uint8Array(body) : body;
  return call(server.app, "uploadMedia", "/v1/media", { method: "POST", headers, body: payload, duplex: "half" });
}

function mediaId(body: unknown): string {
  return (body as { media: Array<{ id: string }> }).media[0]!.id;
}

/** A body stream of `total` bytes starting with `head`, counting what the server pulled. */
function countingStream(total: number, head: Uint8Array = new Uint8Array(0), chunk = 64 * 1024) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        const size = Math.min(chunk, total - state.pulled);
        const bytes = new Uint8Array(size);
        if (state.pulled === 0) bytes.set(head.subarray(0, size));
        state.pulled += size;
        controller.enqueue(bytes);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const mediaDir = () => path.join(server.dataDir, "media");
const storedBlobs = () => readdirSync(mediaDir()).filter((f) => f !== "tmp");
const tmpFiles = () => readdirSync(path.join(mediaDir(), "tmp"));

describe("upload, download, delete", () => {
  const cases: Array<[string, () => Buffer]> = [
    ["audio/aac", samples.aac],
    ["audio/mp4", () => samples.isoMedia("M4A ")],
    ["audio/amr", samples.amr],
    ["audio/mpeg", samples.mp3],
    ["audio/ogg; codecs=opus", () => samples.oggOpus(1)],
    ["image/jpeg", samples.jpeg],
    ["image/png", samples.png],
    ["image/webp", samples.webp],
    ["video/mp4", () => samples.isoMedia("isom")],
    ["video/3gpp", () => samples.isoMedia("3gp4")],
    ["application/pdf", samples.pdf],
    ["text/plain; charset=utf-8", () => Buffer.from("hello, world\n")],
    ["application/octet-stream", () => samples.png()],
  ];
  it.each(cases)("round-trips %s", async (type, make) => {
    const bytes = make();
    const up = await upload(type, bytes);
    expect(up.res.status).toBe(201);
    const id = mediaId(up.body);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const record = server.storage.db.prepare("SELECT * FROM media WHERE id = ?").get(id) as {
      content_type: string;
      size: number;
      sha256: string;
    };
    expect(record).toMatchObject({
      content_type: type,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });

    const down = await call(
      server.app,
      "downloadMedia",
      `/v1/media/${id}`,
      { headers: auth },
      { requireHeaders: ["Content-Length", "X-Content-Type-Options", "Content-Disposition"] },
    );
    expect(down.res.status).toBe(200);
    expect(down.res.headers.get("content-type")).toBe(type);
    expect(down.res.headers.get("content-length")).toBe(String(bytes.length));
    expect(down.res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(down.res.headers.get("content-disposition")).toBe("attachment");
    expect(Buffer.from(await down.res.arrayBuffer())).toEqual(bytes);

    const del = await call(server.app, "deleteMedia", `/v1/media/${id}`, { method: "DELETE", headers: auth });
    expect(del.res.status).toBe(200);
    expect(existsSync(path.join(mediaDir(), id))).toBe(false);
    expect((await call(server.app, "downloadMedia", `/v1/media/${id}`, { headers: auth })).res.status).toBe(404);
  });

  it("parses Content-Type properly: case, spaces around ';', quoted parameters", async () => {
    for (const type of ["Audio/OGG ; Codecs=opus", 'audio/ogg;codecs="opus"', "audio/ogg; codecs=OPUS"]) {
      const up = await upload(type, samples.oggOpus(1));
      expect(up.res.status, type).toBe(201);
      const down = await server.app.request(`/v1/media/${mediaId(up.body)}`, { headers: auth });
      expect(down.headers.get("content-type")).toMatch(/^audio\/ogg; codecs=/i);
    }
    // Without `codecs=opus` it is not the listed audio type: any other valid MIME type is a document.
    const ogg = await upload("audio/ogg", samples.oggOpus(2));
    expect(ogg.res.status).toBe(201);
  });

  it("answers HEAD with the headers only", async () => {
    const bytes = samples.png();
    const id = mediaId((await upload("image/png", bytes)).body);
    const res = await server.app.request(`/v1/media/${id}`, { method: "HEAD", headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(await res.text()).toBe("");
  });
});

describe("documents: any valid MIME type that is not a listed media type", () => {
  const documents: Array<[string, () => Buffer]> = [
    ["image/gif", samples.gif],
    ["audio/wav", () => Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1"), Buffer.alloc(28)])],
    ["video/quicktime", () => samples.isoMedia("isom")],
    ["video/webm", () => Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0])],
    ["font/woff2", () => Buffer.from("wOF2\x00\x01\x00\x00", "latin1")],
    ["model/gltf-binary", () => Buffer.from("glTF\x02\x00\x00\x00", "latin1")],
    ["x-custom/x-anything", () => Buffer.from("bytes of some kind")],
    // Bytes that look like a listed media type do not make a document's upload fail.
    ["application/pdf", samples.png],
    ["text/plain", samples.jpeg],
    ["application/vnd.ms-excel", () => samples.isoMedia("isom")],
    // The spec's document entry itself.
    ["application/octet-stream", samples.png],
  ];
  it.each(documents)("stores %s as a document, byte for byte, with its type", async (type, make) => {
    const bytes = make();
    const up = await upload(type, bytes);
    expect(up.res.status, JSON.stringify(up.body)).toBe(201);
    const down = await call(server.app, "downloadMedia", `/v1/media/${mediaId(up.body)}`, { headers: auth });
    expect(down.res.status).toBe(200);
    expect(down.res.headers.get("content-type")).toBe(type);
    expect(Buffer.from(await down.res.arrayBuffer())).toEqual(bytes);
  });

  it("limits every document type to the document limit of the spec, not to a media type's", async () => {
    // The spec's document entry: one concrete type (generators take a */* body for JSON) standing for every type.
    const document = getOperation("uploadMedia").operation.requestBody!.content["application/octet-stream"]!;
    expect(document["x-media-range"]).toBe("*/*");
    const documentLimit = document["x-max-bytes"];
    expect(documentLimit).toBe(100 * 1024 * 1024);
    // An image/gif of 6 MiB is over the 5 MB image limit but well under the document limit.
    const gif = Buffer.concat([samples.gif(), Buffer.alloc(6 * 1024 * 1024)]);
    expect((await upload("image/gif", gif)).res.status).toBe(201);
  });

  it("still answers 400 (1008) for an empty document", async () => {
    const r = await upload("image/gif", new Uint8Array(0));
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);
  });
});

describe("upload refusals", () => {
  it("415 for a range or a non-type as Content-Type and for bytes that do not match a listed media type", async () => {
    const refusals: Array<[string, Buffer, string]> = [
      ["text/*", Buffer.from("hello"), "Content-Type text/* is a media range, not the type of a body"],
      ["*/*", samples.pdf(), "Content-Type */* is a media range"],
      ["image/*", samples.png(), "Content-Type image/* is a media range"],
      ["*/plain", Buffer.from("hello"), "Content-Type */plain is a media range"],
      ["not a type", samples.png(), "Content-Type must be a MIME type (type/subtype), got: not a type"],
      ["image/png", samples.jpeg(), "Declared Content-Type image/png does not match the content (image/jpeg)"],
      ["image/jpeg", samples.png(), "does not match the content (image/png)"],
      ["image/webp", samples.png(), "does not match"],
      ["audio/ogg; codecs=opus", samples.mp3(), "does not match"],
      ["video/mp4", Buffer.from("plain text, not a video"), "(unrecognised bytes)"],
    ];
    for (const [type, bytes, details] of refusals) {
      const r = await upload(type, bytes);
      expect(r.res.status, type).toBe(415);
      expect(whatsAppError(r.body).code).toBe(1009);
      expect(whatsAppError(r.body).details, type).toContain(details);
    }
    expect(storedBlobs()).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  it("415 with a clear reason for stereo Ogg Opus and animated WebP stickers", async () => {
    let r = await upload("audio/ogg; codecs=opus", samples.oggOpus(2));
    expect(r.res.status).toBe(415);
    expect(whatsAppError(r.body).details).toMatch(/^audio\/ogg; codecs=opus must be mono: .*2 channels/);
    r = await upload("image/webp", samples.animatedWebp());
    expect(r.res.status).toBe(415);
    expect(whatsAppError(r.body).details).toBe("Animated image/webp stickers cannot be sent");
    expect(storedBlobs()).toEqual([]);
  });

  it("400 (1008) without Content-Type or with an empty body", async () => {
    let r = await upload(undefined, samples.png());
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body)).toEqual({ code: 1008, details: "Content-Type header is required" });
    r = await upload("image/png", new Uint8Array(0));
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);
    r = await upload("image/png", null);
    expect(r.res.status).toBe(400);
    expect(whatsAppError(r.body).code).toBe(1008);
    expect(storedBlobs()).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  it("413 past the per-type limit from the spec, without reading the rest", async () => {
    const content = getOperation("uploadMedia").operation.requestBody!.content;
    const stickerLimit = content["image/webp"]!["x-max-bytes"] as number;
    const imageLimit = content["image/png"]!["x-max-bytes"] as number;
    // Exactly at the limit is fine.
    const atLimit = Buffer.concat([samples.webp(), Buffer.alloc(stickerLimit - samples.webp().length)]);
    expect((await upload("image/webp", atLimit)).res.status).toBe(201);

    const { stream, state } = countingStream(50 * 1024 * 1024, samples.png());
    const r = await upload("image/png", stream);
    expect(r.res.status).toBe(413);
    expect(whatsAppError(r.body)).toEqual({ code: 1009, details: `image media must be at most ${imageLimit} bytes` });
    expect(state.pulled).toBeLessThan(imageLimit + 1024 * 1024);
    expect(state.cancelled).toBe(true);
    expect(storedBlobs()).toHaveLength(1);
    expect(tmpFiles()).toEqual([]);
  });

  it("413 up front when Content-Length already says too much", async () => {
    const { stream, state } = countingStream(10 * 1024 * 1024, samples.webp());
    const r = await upload("image/webp", stream, { "Content-Length": String(10 * 1024 * 1024) });
    expect(r.res.status).toBe(413);
    expect(r.res.headers.get("connection")).toBe("close");
    expect(state.pulled).toBeLessThanOrEqual(64 * 1024);
  });

  it("applies WA_MEDIA_MAX_BYTES below the per-type limits", async () => {
    server.dispose();
    server = await startTestServer({ env: { WA_MEDIA_MAX_BYTES: "1000" } });
    auth = bearer(await login(server.app, "admin", ADMIN_PASSWORD));
    const r = await upload("application/pdf", Buffer.concat([samples.pdf(), Buffer.alloc(1000)]));
    expect(r.res.status).toBe(413);
    expect(whatsAppError(r.body).details).toBe("document media must be at most 1000 bytes");
    expect((await upload("application/pdf", samples.pdf())).res.status).toBe(201);
  });

  it(
    "authenticates before reading the body: " + "a large unauthenticated upload is refused after a bounded read",
    async () => {
      const { stream, state } = countingStream(100 * 1024 * 1024, samples.pdf());
      const res = await server.app.request("/v1/media", {
        method: "POST",
        headers: { "Content-Type": "application/pdf", "Transfer-Encoding": "chunked" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      const body = await (await import("../../support/spec-response.ts")).expectResponseMatchesSpec("uploadMedia", res);
      expect(res.status).toBe(401);
      expect(whatsAppError(body).code).toBe(1005);
      expect(state.pulled).toBeLessThanOrEqual(64 * 1024);
      expect(tmpFiles()).toEqual([]);
    },
  );
});

describe("download and delete of unknown ids", () => {
  it("GET answers 404 with no body for unknown and non-UUID ids", async () => {
    for (const id of [
      "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68",
      "not-a-uuid",
      "..%2F..%2Fserver.sqlite",
      "tmp",
      "..%5C..%5Cserver.sqlite",
    ]) {
      const r = await call(server.app, "downloadMedia", `/v1/media/${id}`, { headers: auth });
      expect(r.res.status, id).toBe(404);
      expect(await r.res.text()).toBe("");
    }
  });

  it("non-UUID ids never reach the file system", async () => {
    // A file that a naive implementation would serve for this id.
    writeFileSync(path.join(mediaDir(), "planted"), "secret");
    server.storage.db
      .prepare(
        "INSERT INTO media (id, content_type, size, sha256, created_at) VALUES ('planted', 'text/plain', 6, '', 0)",
      )
      .run();
    expect((await server.app.request("/v1/media/planted", { headers: auth })).status).toBe(404);
    expect(
      (await call(server.app, "deleteMedia", "/v1/media/planted", { method: "DELETE", headers: auth })).res.status,
    ).toBe(404);
    expect(readFileSync(path.join(mediaDir(), "planted"), "utf8")).toBe("secret");
  });

  it("DELETE answers 404 (1006) in the envelope", async () => {
    for (const id of ["f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68", "nope"]) {
      const r = await call(server.app, "deleteMedia", `/v1/media/${id}`, { method: "DELETE", headers: auth });
      expect(r.res.status).toBe(404);
      expect(whatsAppError(r.body)).toEqual({ code: 1006, details: `Media ${id} not found` });
    }
  });
});

describe("storage failures", () => {
  it("503 (1011) when the media folder is not writable, leaving nothing behind", async () => {
    // Running as root, permissions do not stop writes: replace the temporary folder by a file instead.
    const tmp = path.join(mediaDir(), "tmp");
    rmSync(tmp, { recursive: true });
    writeFileSync(tmp, "");
    const r = await upload("image/png", samples.png());
    expect(r.res.status).toBe(503);
    expect(whatsAppError(r.body).code).toBe(1011);
    expect(storedBlobs()).toEqual([]);
    expect(server.storage.db.prepare("SELECT COUNT(*) AS n FROM media").get()).toEqual({ n: 0 });
  });

  it("503 (1011) past WA_MEDIA_VOLUME_MAX_BYTES; deleting frees the space", async () => {
    server.dispose();
    server = await startTestServer({ env: { WA_MEDIA_VOLUME_MAX_BYTES: "1000" } });
    auth = bearer(await login(server.app, "admin", ADMIN_PASSWORD));
    const first = await upload("application/pdf", Buffer.concat([samples.pdf(), Buffer.alloc(600)]));
    expect(first.res.status).toBe(201);
    const second = await upload("application/pdf", Buffer.concat([samples.pdf(), Buffer.alloc(600)]));
    expect(second.res.status).toBe(503);
    expect(whatsAppError(second.body).details).toContain("full");
    expect(storedBlobs()).toHaveLength(1);
    expect(tmpFiles()).toEqual([]);
    await call(server.app, "deleteMedia", `/v1/media/${mediaId(first.body)}`, { method: "DELETE", headers: auth });
    expect((await upload("application/pdf", Buffer.concat([samples.pdf(), Buffer.alloc(600)]))).res.status).toBe(201);
  });

  it("removes leftover temporary files at start", async () => {
    const dataDir = server.dataDir;
    server.close();
    writeFileSync(path.join(dataDir, "media", "tmp", "crashed-upload"), "partial");
    server = await startTestServer({ dataDir });
    expect(tmpFiles()).toEqual([]);
  });
});
