/** A downloaded media file and the helper that saves one to disk through a stream pipeline. */
import { requireNodeBuiltin } from "./node-builtin.ts";

/** What `downloadMedia` resolves to: the stored content type, the length the server announced, and the bytes. */
export interface DownloadedMedia {
  /** `Content-Type` of the reply: the type the media was uploaded with. */
  contentType: string;
  /** `Content-Length` of the reply, when the server sent one. */
  contentLength: number | undefined;
  /** The bytes; read it (or cancel it) to release the connection. */
  stream: ReadableStream<Uint8Array>;
}

/**
 * Streams a downloaded media file into `filePath` (created or truncated) and resolves to the number of bytes written.
 * Node only: in a browser, read `media.stream` (or `new Response(media.stream).blob()`).
 */
export async function saveMediaToFile(media: DownloadedMedia, filePath: string): Promise<number> {
  const needs = <Module>(id: string) =>
    requireNodeBuiltin<Module>(id, "saveMediaToFile", "elsewhere read media.stream: new Response(media.stream).blob()");
  const { createWriteStream } = needs<typeof import("node:fs")>("node:fs");
  const { Readable } = needs<typeof import("node:stream")>("node:stream");
  const { pipeline } = needs<typeof import("node:stream/promises")>("node:stream/promises");
  let bytes = 0;
  await pipeline(
    Readable.fromWeb(media.stream as Parameters<typeof Readable.fromWeb>[0]),
    async function* count(chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        bytes += chunk.byteLength;
        yield chunk;
      }
    },
    createWriteStream(filePath),
  );
  return bytes;
}
