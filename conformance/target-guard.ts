/**
 * A loopback forwarder between the Prism validating proxy and the target. Prism's own HTTP client follows
 * redirects (dropping credentials only when the host name changes) and reads whole replies into memory, so it never
 * talks to the target itself: it talks to this guard, which forwards each request to the target's origin only, never
 * follows a redirect, reads at most `maxReplyBytes` of a reply (decoding gzip, deflate and br itself, within the same
 * cap), and gives up at the request deadline. One guard serves every family under test: the header
 * `x-conformance-family` (set by the suite, passed on by Prism) names the family, whose base URL (origin and path) the
 * request goes to; a request naming no family the guard was given reaches no target. What it refused is recorded
 * under the request's id (the header `x-conformance-request`), for the suite to fail that check with.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { request as undiciRequest } from "undici";
import type { HttpLimits } from "./target-http.ts";
import { apiFamilies, type ApiFamily } from "../spec-model/spec-bundles.ts";

/** The header carrying the suite's request id through Prism to the guard. */
export const REQUEST_ID_HEADER = "x-conformance-request";
/** The header naming the request's API family, whose base URL the guard forwards it to. */
export const FAMILY_HEADER = "x-conformance-family";

/** What the guard refused to pass on for one request. */
export interface GuardEvent {
  kind: "redirect" | "oversized" | "no reply";
  detail: string;
  /** The target's status, when it answered (a redirect's 3xx, an oversized reply's status). */
  status?: number;
}

/** A running guard: its origin (Prism's upstream) and what it refused. */
export interface RunningGuard {
  url: string;
  /** The event of a request id, taken (each is read once). */
  take(requestId: string): GuardEvent | undefined;
  close(): Promise<void>;
}

// Hop-by-hop headers, and those the guard sets itself.
const DROPPED_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "accept-encoding",
  REQUEST_ID_HEADER,
  FAMILY_HEADER,
]);
const DROPPED_REPLY_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "trailer",
  "upgrade",
]);

class ReplyTooLarge extends Error {
  override message = "a body larger than the guard passes on";
}

/** The largest request body the guard passes on (the suite's biggest is its oversized JSON, just over 1 MiB). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const errorCode = (err: unknown) => (err as { code?: string }).code;

/** Reads a stream into one buffer of at most `cap` bytes; throws ReplyTooLarge past it. */
async function readCapped(stream: NodeJS.ReadableStream, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) throw new ReplyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function decoderFor(encoding: string): NodeJS.ReadWriteStream | undefined | "unsupported" {
  switch (encoding.trim().toLowerCase()) {
    case "":
    case "identity":
      return undefined;
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return "unsupported";
  }
}

/**
 * Starts a guard in front of each family's base URL: a request goes to its family's origin, at that base URL's path
 * followed by the request's own.
 */
export async function startTargetGuard(
  upstreams: Readonly<Partial<Record<ApiFamily, string>>>,
  limits: HttpLimits,
): Promise<RunningGuard> {
  const bases = new Map<string, { origin: string; path: string }>();
  for (const family of apiFamilies) {
    const base = upstreams[family];
    if (base === undefined) continue;
    const url = new URL(base);
    bases.set(family, { origin: url.origin, path: url.pathname.replace(/\/+$/, "") });
  }
  const events = new Map<string, GuardEvent>();
  const sockets = new Set<import("node:net").Socket>();

  const server = http.createServer(async (req, res) => {
    const id = String(req.headers[REQUEST_ID_HEADER] ?? "");
    const refuse = (event: GuardEvent) => {
      if (id) events.set(id, event);
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end(`conformance guard: ${event.kind}: ${event.detail}\n`);
      }
    };
    const family = String(req.headers[FAMILY_HEADER] ?? "");
    const base = bases.get(family);
    if (!base) {
      refuse({
        kind: "no reply",
        detail:
          `the conformance guard forwards no request of family ${JSON.stringify(family)} ` +
          `(it forwards ${[...bases.keys()].join(", ")})`,
      });
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    // Replies come plain, so that the cap counts what Prism would have to hold.
    headers["accept-encoding"] = "identity";
    const deadline = AbortSignal.timeout(limits.requestTimeoutMs);
    try {
      // Read whole before it is forwarded (the JSON bodies the suite sends through Prism are small): a target that
      // answers before reading it (a 401) would otherwise leave its unread part on Prism's kept-alive connection,
      // where the next request would wait behind it.
      const requestBody =
        req.method === "GET" || req.method === "HEAD" ? undefined : await readCapped(req, MAX_REQUEST_BYTES);
      // Joined as text: a path starting with "//" stays a path on the target's origin (resolved against it, it would
      // name another host).
      const destination = new URL(`${base.origin}${base.path}${req.url ?? "/"}`);
      if (!req.url?.startsWith("/") || destination.origin !== base.origin)
        throw new Error(`the request target ${JSON.stringify(req.url)} is not a path on the target's origin`);
      const reply = await undiciRequest(destination, {
        method: (req.method ?? "GET") as "GET",
        headers,
        ...(requestBody ? { body: requestBody } : {}),
        signal: deadline,
      });
      // Dropping a body (a redirect's, one past the cap) makes it emit an error: nobody is waiting for it.
      reply.body.on("error", () => undefined);
      if (reply.statusCode >= 300 && reply.statusCode < 400) {
        reply.body.destroy();
        const location = reply.headers.location;
        refuse({
          kind: "redirect",
          status: reply.statusCode,
          detail: `the target answered ${reply.statusCode} with Location ${JSON.stringify(location ?? null)}`,
        });
        return;
      }
      const encoding = String(reply.headers["content-encoding"] ?? "");
      const decoder = decoderFor(encoding);
      if (decoder === "unsupported") {
        reply.body.destroy();
        refuse({
          kind: "oversized",
          status: reply.statusCode,
          detail: `the reply has a Content-Encoding the suite does not decode: ${JSON.stringify(encoding)}`,
        });
        return;
      }
      let body: Buffer;
      try {
        body = await readCapped(decoder ? reply.body.pipe(decoder) : reply.body, limits.maxReplyBytes);
      } catch (err) {
        reply.body.destroy();
        if (!(err instanceof ReplyTooLarge)) throw err;
        const declared = reply.headers["content-length"];
        refuse({
          kind: "oversized",
          status: reply.statusCode,
          detail:
            `the reply body is larger than ${limits.maxReplyBytes} bytes` +
            `${declared ? ` (Content-Length ${declared})` : ""}${decoder ? ` once decoded (${encoding})` : ""}`,
        });
        return;
      }
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(reply.headers))
        if (value !== undefined && !DROPPED_REPLY_HEADERS.has(name) && !name.startsWith("x-conformance-"))
          out[name] = value;
      out["content-length"] = String(body.length);
      res.writeHead(reply.statusCode, out);
      res.end(body);
    } catch (err) {
      refuse({
        kind: "no reply",
        detail: deadline.aborted
          ? `no complete reply within ${limits.requestTimeoutMs} ms`
          : `${(err as Error).message}${errorCode(err) ? ` (${errorCode(err)})` : ""}`,
      });
    }
  });
  // Prism's client keeps idle connections for a few seconds: the guard keeps them longer, so that it is never the
  // one closing a connection Prism is about to reuse (Prism would report the reset as a 500 of the target's).
  server.keepAliveTimeout = 65_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take(requestId) {
      const event = events.get(requestId);
      events.delete(requestId);
      return event;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
