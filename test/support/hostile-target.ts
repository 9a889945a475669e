/**
 * Misbehaving targets for `meta-media-openapi test`, on loopback: the reference server wrapped so that chosen
 * requests get what a hostile or broken deployment could answer (a redirect to another origin, a reply that never
 * ends, silence, no role enforcement, an upload reply without its id, a 401 to every login), and a "catcher" server
 * standing for the other origin, recording whatever reaches it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";

/** What a request looks like to the wrapper. */
export interface Seen {
  method: string;
  path: string;
}

/** Decides what a request gets: a Response of its own, or undefined to let the reference server answer. */
export type Misbehaviour = (
  request: Request,
  seen: Seen,
  app: (request: Request) => Promise<Response>,
) => Promise<Response | undefined> | Response | undefined;

/** A reference server behind a misbehaviour. */
export async function startHostileTarget(misbehave: Misbehaviour): Promise<ReferenceTarget> {
  return startReferenceTarget({
    wrap: (app) => ({
      fetch: async (request, env) => {
        // The Node request (env) belongs to the original request only: a request made anew goes without it.
        const forward = (r: Request) => Promise.resolve(r === request ? app.fetch(r, env) : app.fetch(r));
        const seen = { method: request.method, path: new URL(request.url).pathname };
        return (await misbehave(request, seen, forward)) ?? forward(request);
      },
    }),
  });
}

/** Another origin (a port of the same host): every request that reaches it is recorded. */
export async function startCatcher(): Promise<{
  url: string;
  received: Array<{ method: string; url: string; authorization?: string; body: string }>;
  close(): Promise<void>;
}> {
  const received: Array<{ method: string; url: string; authorization?: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A body of zeros produced as it is read: `bytes` of them, or without end. */
export function zeros(bytes = Number.POSITIVE_INFINITY): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024);
  let left = bytes;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(chunk.length, left);
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
      left -= n;
    },
  });
}

/** 2 GiB, as a reply may declare. */
export const TWO_GIB = 2 * 1024 * 1024 * 1024;

/** A request that never gets an answer (the connection stays open). */
export const never = () => new Promise<Response>(() => undefined);

/** The user name of a Basic Authorization header. */
export function basicUser(request: Request): string {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!m) return "(none)";
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  return decoded.slice(0, Math.max(0, decoded.indexOf(":")));
}
