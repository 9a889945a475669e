/** Turns what a handler returns (a JSON, stream or empty reply) into the HTTP response. */
import type { Context } from "hono";
import { streamReply } from "./node-response.ts";
import type { EmptyReply, JsonReply, StreamReply } from "./operation-handler.ts";

/**
 * JSON text of frozen reply bodies. A handler that answers the same frozen object again and again (the settings
 * read, every admin's hot path) has it serialised once.
 */
const frozenJson = new WeakMap<object, string>();

function jsonText(body: unknown): string {
  if (typeof body !== "object" || body === null || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = frozenJson.get(body);
  if (text === undefined) {
    text = JSON.stringify(body);
    frozenJson.set(body, text);
  }
  return text;
}

/** Any reply of any operation. */
export type AnyReply = JsonReply<unknown, unknown> | StreamReply<unknown> | EmptyReply<unknown>;

/** The response for a handler's reply. */
export function replyResponse(c: Context, reply: AnyReply): Response {
  const status = Number(reply.status);
  if ("stream" in reply) {
    if (c.req.method !== "HEAD") return streamReply(c, reply.stream, reply.headers, status);
    // HEAD: the headers of the GET, and the file closed unread.
    reply.stream.destroy();
    return new Response(null, { status, headers: reply.headers });
  }
  if ("body" in reply) {
    // A fresh headers object every time: @hono/node-server's Response adds Content-Length to the one it is given.
    return new Response(jsonText(reply.body), {
      status,
      headers: { "Content-Type": "application/json", ...reply.headers },
    });
  }
  return new Response(null, { status, ...(reply.headers ? { headers: reply.headers } : {}) });
}
