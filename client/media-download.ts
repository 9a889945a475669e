/** A downloaded media file and the helper that saves one to disk through a stream pipeline. */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";

/** What `downloadMedia` resolves to: the stored content type, the length the server announced, and the bytes. */
export interface DownloadedMedia {
  /** `Content-Type` of the reply: the type the media was uploaded with. */
  contentType: string;
  /** `Content-Length` of the reply, when the server sent one. */
  contentLength: number | undefined;
  /** The bytes; read it (or cancel it) to release the connection. */
  stream: ReadableStream<Uint8Array>;
}

/** Streams a downloaded media file into `filePath` (created or truncated) and resolves to the number of bytes written. */
export async function saveMediaToFile(media: DownloadedMedia, filePath: string): Promise<number> {
  let bytes = 0;
  await pipeline(
    Readable.fromWeb(media.stream as NodeWebReadableStream<Uint8Array>),
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
