/**
 * The media routes served by @hono/node-server over loopback: there, uploads read Node's request stream directly
 * and downloads pipe the file into Node's response (server/edge/request-body.ts, server/edge/node-response.ts),
 * paths that `app.request` never takes. Bytes, limits, client aborts and error replies must be the same as in-process.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { serveNode, type NodeServer } from "../../../server/edge/serve-node.ts";
import { getOperation } from "../../../spec-model/openapi-document.ts";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import * as samples from "../../../conformance/media-files.ts";
import { until } from "../../support/until.ts";
import { startTestServer, type TestServer } from "../../support/server-harness.ts";

let server: TestServer;
let http1: NodeServer;
let base: string;
let token: string;

beforeEach(async () => {
  server = await startTestServer();
  token = server.adminToken!;
  http1 = await serveNode(server.app, { host: "127.0.0.1", port: 0 });
  base = http1.url;
});
afterEach(async () => {
  await http1.close();
  server.dispose();
});

const mediaDir = () => path.join(server.dataDir, "media");
const storedBlobs = () => readdirSync(mediaDir()).filter((f) => f !== "tmp");
const tmpFiles = () => readdirSync(path.join(mediaDir(), "tmp"));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A POST /v1/media whose body is written in `chunkSize` pieces with chunked transfer encoding (no length announced).
 */
function chunkedUpload(contentType: string, body: Buffer, chunkSize = 64 * 1024): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/v1/media`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType, "Transfer-Encoding": "chunked" },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + chunkSize);
        offset += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

function download(id: string, method = "GET"): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    http
      .request(`${base}/v1/media/${id}`, { method, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject)
      .end();
  });
}

function asResponse(reply: RawReply): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(reply.headers)) if (typeof value === "string") headers.set(name, value);
  return new Response(reply.status === 204 || reply.body.length === 0 ? null : new Uint8Array(reply.body), {
    status: reply.status,
    headers,
  });
}

describe("media over a real socket", () => {
  it("streams a chunked upload to disk and the download back byte for byte, with the documented headers", async () => {
    const bytes = Buffer.concat([samples.pdf(), Buffer.alloc(3 * 1024 * 1024 + 12345, 7)]);
    const up = await chunkedUpload("application/pdf", bytes);
    expect(up.status).toBe(201);
    await expectResponseMatchesSpec("uploadMedia", asResponse(up));
    const id = (JSON.parse(up.body.toString()) as { media: Array<{ id: string }> }).media[0]!.id;

    const down = await download(id);
    expect(down.status).toBe(200);
    expect(down.headers["content-type"]).toBe("application/pdf");
    expect(down.headers["content-length"]).toBe(String(bytes.length));
    expect(down.headers["x-content-type-options"]).toBe("nosniff");
    expect(sha256(down.body)).toBe(sha256(bytes));

    const head = await download(id, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(bytes.length));
    expect(head.body).toHaveLength(0);
    expect(tmpFiles()).toEqual([]);
  });

  it("answers 413 (1009) once the count passes the per-type limit, and keeps nothing", async () => {
    const limit = getOperation("uploadMedia").operation.requestBody!.content["image/png"]!["x-max-bytes"] as number;
    const bytes = Buffer.concat([samples.png(), Buffer.alloc(limit + 1024 * 1024)]);
    const reply = await chunkedUpload("image/png", bytes);
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe("close");
    expect(JSON.parse(reply.body.toString()).errors[0]).toMatchObject({
      code: 1009,
      details: `image media must be at most ${limit} bytes`,
    });
    await expectResponseMatchesSpec("uploadMedia", asResponse(reply));
    expect(storedBlobs()).toEqual([]);
    await until(() => tmpFiles().length === 0, "the temporary file to be removed");
  });

  it("a client that goes away mid-upload leaves nothing behind and is not logged as a server fault", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const req = http.request(`${base}/v1/media`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/pdf",
          "Content-Length": String(20 * 1024 * 1024),
        },
      });
      req.on("error", () => undefined);
      req.write(Buffer.concat([samples.pdf(), Buffer.alloc(1024 * 1024)]));
      await until(() => tmpFiles().length === 1, "the upload to start writing");
      req.destroy();
      await until(() => tmpFiles().length === 0, "the temporary file to be removed");
      expect(storedBlobs()).toEqual([]);
      // The server keeps serving, and nothing was reported as a fault (500 / 1014).
      const after = await chunkedUpload("application/pdf", samples.pdf());
      expect(after.status).toBe(201);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  it("a client that goes away mid-download does not disturb the next one", async () => {
    const bytes = Buffer.concat([samples.pdf(), Buffer.alloc(8 * 1024 * 1024, 1)]);
    const id = (
      JSON.parse((await chunkedUpload("application/pdf", bytes)).body.toString()) as { media: Array<{ id: string }> }
    ).media[0]!.id;
    await new Promise<void>((resolve) => {
      const req = http.request(`${base}/v1/media/${id}`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.end();
    });
    const down = await download(id);
    expect(down.status).toBe(200);
    expect(sha256(down.body)).toBe(sha256(bytes));
  });
});
