/** Reading request bodies as streams, never as one buffer beyond a stated bound. */
import { Readable } from "node:stream";
import type { Context } from "hono";

/** The body could not be read to its end: the client went away or the connection broke mid-body. */
export class RequestBodyIncompleteError extends Error {
  override name = "RequestBodyIncompleteError";
  constructor(cause: unknown) {
    super(`The request body ended before it was complete (${(cause as Error | undefined)?.message ?? String(cause)})`, {
      cause,
    });
  }
}

/**
 * The values `read` gives until it is done. A failed read is a RequestBodyIncompleteError; leaving the loop early
 * (break or throw) calls `stopEarly`, so the rest of the body is not read.
 */
async function* bodyChunks(
  read: () => Promise<IteratorResult<unknown>>,
  stopEarly: () => Promise<unknown>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await read();
      } catch (err) {
        done = true;
        throw new RequestBodyIncompleteError(err);
      }
      if (next.done) {
        done = true;
        return;
      }
      yield next.value as Uint8Array;
    }
  } finally {
    if (!done) await stopEarly();
  }
}

/** The chunks of a web stream; leaving the loop early cancels the stream. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  try {
    yield* bodyChunks(
      () => reader.read(),
      () => reader.cancel().catch(() => undefined),
    );
  } finally {
    reader.releaseLock();
  }
}

/**
 * The request body's chunks, or undefined when the request has none. Served by @hono/node-server, they come straight
 * from Node's request stream, as long as nothing has started reading it: the web `ReadableStream` that
 * `c.req.raw.body` builds around it costs a promise and a copy-free wrap per chunk, which showed in upload throughput
 * (scripts/bench). Leaving the loop early stops reading without destroying the socket, so the error reply still
 * reaches the client (the adapter then drains or closes the connection); on `app.request` the web body is used.
 */
export function requestBodyChunks(c: Context): AsyncIterable<Uint8Array> | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof Readable && incoming.readableFlowing === null && !incoming.readableEnded) {
    return nodeChunks(incoming);
  }
  const body = c.req.raw.body;
  return body ? streamChunks(body) : undefined;
}

function nodeChunks(incoming: Readable): AsyncGenerator<Uint8Array, void, undefined> {
  const chunks = incoming.iterator({ destroyOnReturn: false });
  return bodyChunks(
    () => chunks.next(),
    async () => {
      await chunks.return?.();
      incoming.pause();
    },
  );
}

/** The body exceeded the bound given to `readBoundedBody`. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`The request body is larger than ${maxBytes} bytes`);
  }
}

/** Reads a (small) body fully, failing as soon as it passes `maxBytes`. */
export async function readBoundedBody(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of streamChunks(stream)) {
    total += chunk.length;
    if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
