/** Turns the body kinds `uploadMedia` accepts into a fetch body that is streamed, never read whole. */
import { openAsBlob } from "node:fs";
import { Readable } from "node:stream";

/**
 * What `uploadMedia` accepts: bytes in memory (`Blob`, `Uint8Array`), a stream (web `ReadableStream`, Node `Readable`)
 * or a file path (streamed from disk).
 */
export type MediaUploadBody = Blob | Uint8Array | ReadableStream<Uint8Array> | NodeJS.ReadableStream | string;

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

function isNodeStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof (body as NodeJS.ReadableStream | undefined)?.pipe === "function";
}

/** Prepares a `MediaUploadBody`; a file path becomes a file-backed Blob (`fs.openAsBlob`), read lazily while sending. */
export async function uploadBodySource(body: MediaUploadBody): Promise<UploadBodySource> {
  if (typeof body === "string") {
    const file = await openAsBlob(body);
    return { replayable: true, attempt: () => ({ body: file }) };
  }
  if (body instanceof Blob || body instanceof Uint8Array) {
    return { replayable: true, attempt: () => ({ body }) };
  }
  let stream: ReadableStream<Uint8Array> | undefined;
  if (isWebStream(body)) stream = body;
  else if (isNodeStream(body)) {
    const readable = body instanceof Readable ? body : new Readable().wrap(body);
    stream = Readable.toWeb(readable) as ReadableStream<Uint8Array>;
  } else {
    throw new TypeError("uploadMedia: body must be a Blob, a Uint8Array, a ReadableStream, a Node Readable or a file path");
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
