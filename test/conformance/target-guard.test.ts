// The guard between the Prism proxy and the target (conformance/target-guard.ts): it forwards to the base URL of the
// family a request names, on that family's origin only, follows no redirect, reads at most the cap (declared, endless
// or compressed), gives up at the deadline, and records what it refused under the request's id; a reply's own
// x-conformance-* headers never pass.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAMILY_HEADER,
  REQUEST_ID_HEADER,
  startTargetGuard,
  type RunningGuard,
} from "../../conformance/target-guard.ts";

let target: http.Server;
let other: http.Server;
let otherHits = 0;
let messenger: http.Server;
const messengerUrls: string[] = [];
let guard: RunningGuard;
const seen: Array<{ method?: string; url?: string; body: string; id?: string | string[]; family?: string | string[] }> =
  [];

const listen = async (s: http.Server) => {
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  other = http.createServer((_req, res) => {
    otherHits++;
    res.end("{}");
  });
  const otherUrl = await listen(other);
  messenger = http.createServer((req, res) => {
    messengerUrls.push(req.url ?? "");
    res.end("{}");
  });
  const messengerUrl = await listen(messenger);
  target = http.createServer((req, res) => {
    if (req.url?.startsWith("/base/early")) {
      res.writeHead(401, { "content-type": "application/json", connection: "close" });
      res.end("{}");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString(),
        id: req.headers[REQUEST_ID_HEADER],
        family: req.headers[FAMILY_HEADER],
      });
      const path = new URL(req.url ?? "/", "http://target").pathname.replace(/^\/base/, "");
      if (path === "/ok") {
        res.writeHead(201, { "content-type": "application/json", "x-conformance-guard": "forged" });
        res.end(`{"echo":${JSON.stringify(Buffer.concat(chunks).toString())}}`);
      } else if (path === "/redirect") {
        res.writeHead(308, { location: `${otherUrl}/steal` });
        res.end();
      } else if (path === "/endless") {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(2 ** 31) });
        const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 1);
        res.on("close", () => clearInterval(timer));
      } else if (path === "/bomb") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(Buffer.alloc(8 * 1024 * 1024)));
      } else if (path === "/gzip") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(Buffer.from('{"small":true}')));
      }
      // /silent: no answer
    });
  });
  const targetUrl = await listen(target);
  // The messenger family's base URL is another server's, at another path.
  guard = await startTargetGuard(
    { whatsapp: `${targetUrl}/base`, messenger: `${messengerUrl}/v99.0/` },
    { requestTimeoutMs: 500, maxReplyBytes: 64 * 1024 },
  );
});
afterAll(async () => {
  await guard.close();
  for (const s of [target, other, messenger]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const ask = (path: string, id: string, init: RequestInit = {}, family = "whatsapp") =>
  fetch(`${guard.url}${path}`, {
    ...init,
    headers: { ...(init.headers as object), [REQUEST_ID_HEADER]: id, [FAMILY_HEADER]: family },
  });

describe("the guard in front of the target", () => {
  it("forwards a request to the target's origin (method, path, body) and passes the reply back", async () => {
    const res = await ask("/ok?x=1", "r1", { method: "POST", body: "hello", headers: { authorization: "Bearer t" } });
    expect(res.status, JSON.stringify(guard.take("r1"))).toBe(201);
    expect(await res.json()).toEqual({ echo: "hello" });
    // A header of the target's cannot pass itself off as the guard's.
    expect(res.headers.get("x-conformance-guard")).toBeNull();
    expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/base/ok?x=1", body: "hello" });
    expect(seen.at(-1)?.id).toBeUndefined();
    expect(seen.at(-1)?.family).toBeUndefined();
    expect(guard.take("r1")).toBeUndefined();
  });

  it("forwards each family's requests to that family's base URL, and a request naming no family nowhere", async () => {
    const res = await ask("/123/messages", "f1", { method: "POST", body: "{}" }, "messenger");
    expect(res.status, JSON.stringify(guard.take("f1"))).toBe(200);
    expect(messengerUrls.at(-1)).toBe("/v99.0/123/messages");
    // A path starting with "//" stays a path on the family's origin.
    expect((await ask("//127.0.0.1:9/x", "f2", {}, "messenger")).status).toBe(200);
    expect(messengerUrls.at(-1)).toBe("/v99.0//127.0.0.1:9/x");
    const seenBefore = seen.length;
    for (const [family, id] of [
      ["", "f3"],
      ["instagram", "f4"],
    ]) {
      const refused = await ask("/ok", id!, {}, family);
      expect(refused.status, family).toBe(502);
      expect(guard.take(id!), family).toMatchObject({ kind: "no reply", detail: expect.stringContaining("family") });
    }
    expect(seen.length).toBe(seenBefore);
    expect(messengerUrls).toHaveLength(2);
  });

  it("reads a request body whole: a target answering before reading it never blocks the next request", async () => {
    // Prism keeps its connection to the guard alive: an unread rest of one body would hold the next request back.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${guard.url}${path}`,
          { method, agent, timeout: 5000, headers: { [FAMILY_HEADER]: "whatsapp" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode!));
          },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
        req.on("error", reject);
        req.end(body);
      });
    expect(await send("POST", "/early", Buffer.alloc(1024 * 1024, 120))).toBe(401);
    expect(await send("GET", "/ok")).toBe(201);
    agent.destroy();
  });

  it("records a redirect and never follows it", async () => {
    const res = await ask("/redirect", "r2", { headers: { authorization: "Basic c2VjcmV0" } });
    expect(res.status).toBe(502);
    expect(guard.take("r2")).toMatchObject({ kind: "redirect", status: 308 });
    expect(otherHits).toBe(0);
  });

  it("stops past the cap (2 GiB declared and never ending, compressed) and decodes small replies", async () => {
    for (const [path, id] of [
      ["/endless", "r3"],
      ["/bomb", "r4"],
    ] as const) {
      const res = await ask(path, id);
      expect(res.status, path).toBe(502);
      expect(guard.take(id), path).toMatchObject({ kind: "oversized" });
    }
    const small = await ask("/gzip", "r5");
    expect(await small.json()).toEqual({ small: true });
  });

  it("gives up on a target that does not answer", async () => {
    const res = await ask("/silent", "r6");
    expect(res.status).toBe(502);
    expect(guard.take("r6")).toMatchObject({ kind: "no reply", detail: "no complete reply within 500 ms" });
  });
});
