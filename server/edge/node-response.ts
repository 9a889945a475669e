/** Writing a file stream straight to Node's response when the app is served by @hono/node-server. */
import { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";

/**
 * A reply whose body is `stream`. Served by @hono/node-server, the stream is piped into Node's response (no web
 * `ReadableStream` in between, which cost about a third of download throughput in scripts/bench) and the adapter is
 * told the reply is already sent; elsewhere (`app.request`, the emulator, other runtimes) it is a regular `Response`.
 * Either way a client that goes away closes the file.
 */
export function streamReply(c: Context, stream: Readable, headers: Record<string, string>, status = 200): Response {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  if (outgoing instanceof ServerResponse && !outgoing.headersSent) {
    outgoing.writeHead(status, headers);
    pipeline(stream, outgoing).catch(() => undefined);
    return RESPONSE_ALREADY_SENT;
  }
  return new Response(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, { status, headers });
}
