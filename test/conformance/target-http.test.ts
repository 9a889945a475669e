// The suite's HTTP layer (conformance/target-http.ts) on its own, against loopback servers that misbehave: only the
// allowed origins, no redirect followed, replies read up to the cap (declared, endless, compressed), downloads
// compared as they stream, a deadline on the whole exchange, and an abandoned request when the run stops.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NoReply, OriginRefused, TargetHttp } from "../../conformance/target-http.ts";

const CAP = 64 * 1024;
let server: http.Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const url = req.url ?? "/";
    if (url === "/json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    } else if (url === "/redirect") {
      res.writeHead(307, { location: "http://127.0.0.2:1/elsewhere" });
      res.end();
    } else if (url === "/declared-huge") {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(2 ** 31) });
      const write = () => {
        while (res.write(Buffer.alloc(16 * 1024))) if (res.destroyed) return;
      };
      res.on("drain", write);
      write();
    } else if (url === "/endless") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 1);
      res.on("close", () => clearInterval(timer));
    } else if (url === "/bomb") {
      // 8 MiB of zeros compressed to a few KiB: decoded, it is past the cap.
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(Buffer.alloc(8 * 1024 * 1024)));
    } else if (url === "/bytes") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from([1, 2, 3, 4, 5]));
    } else if (url === "/silent") {
      // Never answers.
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const http1 = () => new TargetHttp([base], { requestTimeoutMs: 2000, maxReplyBytes: CAP });
const get = (path: string, opts = {}) => http1().send({ url: `${base}${path}`, method: "GET" }, opts);

describe("TargetHttp", () => {
  it("reads a JSON reply whole, and refuses any origin it was not given before sending", async () => {
    const reply = await get("/json");
    expect(reply).toMatchObject({ status: 200, text: '{"ok":true}', size: 11 });
    const before = hits.length;
    await expect(
      http1().send({ url: "http://127.0.0.1:1/json", method: "GET", headers: { authorization: "Bearer secret" } }),
    ).rejects.toBeInstanceOf(OriginRefused);
    expect(hits.length).toBe(before);
  });

  it("returns a redirect as it is: the Location is never asked", async () => {
    const reply = await get("/redirect");
    expect(reply.status).toBe(307);
    expect(reply.headers.get("location")).toBe("http://127.0.0.2:1/elsewhere");
  });

  it("stops reading past the cap: a reply declaring 2 GiB, an endless one, a compressed one", async () => {
    for (const path of ["/declared-huge", "/endless", "/bomb"]) {
      const reply = await get(path);
      expect(reply.oversized, path).toBe(true);
      expect(reply.text, path).toBeUndefined();
      expect(reply.size, path).toBeLessThanOrEqual(CAP);
    }
  });

  it("compares a download with the bytes expected as it streams", async () => {
    expect((await get("/bytes", { expectBytes: new Uint8Array([1, 2, 3, 4, 5]) })).mismatch).toBeUndefined();
    expect((await get("/bytes", { expectBytes: new Uint8Array([1, 2, 9, 4, 5]) })).mismatch).toMatch(/at byte 2/);
    expect((await get("/bytes", { expectBytes: new Uint8Array([1, 2, 3, 4]) })).mismatch).toMatch(/longer than/);
    expect((await get("/bytes", { expectBytes: new Uint8Array([1, 2, 3, 4, 5, 6]) })).mismatch).toMatch(
      /has 5 bytes, 6 were expected/,
    );
    // An endless download stops at the bytes expected.
    const endless = await get("/endless", { expectBytes: new Uint8Array(CAP * 4) });
    expect(endless.mismatch).toMatch(/longer than/);
  });

  it("gives up at the deadline, and abandons a request when the run stops", async () => {
    const late = get("/silent", { timeoutMs: 300 });
    await expect(late).rejects.toBeInstanceOf(NoReply);
    await expect(late).rejects.toMatchObject({ kind: "timeout" });
    const stop = new AbortController();
    const abandoned = get("/silent", { signal: stop.signal });
    stop.abort();
    await expect(abandoned).rejects.toMatchObject({ kind: "aborted" });
  });
});
