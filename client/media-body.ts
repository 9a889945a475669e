/** Turns the body kinds `uploadMedia` accepts into a fetch body that is streamed, never read whole. */
import { requireNodeBuiltin } from "./node-builtin.ts";

/**
 * What `uploadMedia` accepts: bytes in memory (`Blob`, `Uint8Array`), a stream (web `ReadableStream`, or any async
 * iterable of bytes such as a Node `Readable`) or, in Node, a file path (streamed from disk).
 */
export type MediaUploadBody = Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string;

/** One attempt's body, with the `duplex` mode fetch needs when the body is a stream. */
export interface PreparedBody {
  body: Blob | Uint8Array | ReadableStream<Uint8Array>;
  duplex?: "half";
}

/**
 * A body that can be sent once, or again when it is replayable (a Blob, bytes or a file): a stream is consumed by its
 * first attempt, so a call that needs a retry after a 401 cannot resend it.
 */
export interface UploadBodySource {
  readonly replayable: boolean;
  attempt(): PreparedBody;
}

function isWebStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream | undefined)?.getReader === "function";
}

function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array | string> {
  return typeof (body as AsyncIterable<unknown> | undefined)?.[Symbol.asyncIterator] === "function";
}

/**
 * A web stream over an async iterable (a Node `Readable`...), pulling one chunk at a time so the source's own
 * back-pressure holds. `ReadableStream.from` would do it, but browsers other than Firefox lack it.
 */
function webStreamOf(chunks: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/** Prepares a `MediaUploadBody`; a file path becomes a file-backed Blob (`fs.openAsBlob`), read lazily when sent. */
export async function uploadBodySource(body: MediaUploadBody): Promise<UploadBodySource> {
  if (typeof body === "string") {
    const { openAsBlob } = requireNodeBuiltin<typeof import("node:fs")>(
      "node:fs",
      "uploadMedia with a file path",
      "elsewhere pass a Blob, a File, bytes or a stream",
    );
    const file = await openAsBlob(body);
    return { replayable: true, attempt: () => ({ body: file }) };
  }
  if (body instanceof Blob || body instanceof Uint8Array) {
    return { replayable: true, attempt: () => ({ body }) };
  }
  let stream: ReadableStream<Uint8Array> | undefined;
  if (isWebStream(body)) stream = body;
  else if (isAsyncIterable(body)) stream = webStreamOf(body);
  else {
    throw new TypeError(
      "uploadMedia: body must be a Blob, a Uint8Array, a ReadableStream, " +
        "an async iterable of bytes (a Node Readable) " +
        "or a file path",
    );
  }
  let used = false;
  return {
    replayable: false,
    attempt: () => {
      if (used) throw new Error("uploadMedia: a stream body can only be sent once");
      used = true;
      return { body: stream, duplex: "half" };
    },
  };
}
