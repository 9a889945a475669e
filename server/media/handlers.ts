/** Handlers of the Media operations: streamed upload, streamed download, delete. */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Context } from "hono";
import type { ServerConfig } from "../config.ts";
import { formatMediaType, isMediaRange, parseMediaType } from "../edge/content-type.ts";
import type { JsonReply } from "../edge/operation-types.ts";
import { streamReply } from "../edge/node-response.ts";
import { requestBodyChunks } from "../edge/request-body.ts";
import { WaHttpError, waMeta } from "../edge/wa-envelope.ts";
import type { WaOperation, WaOperationId } from "../edge/wa-routes.ts";
import { BlobStorageUnavailableError, BlobTooLargeError, type BlobStore } from "../storage/blob-store.ts";
import { INSPECTION_HEAD_BYTES, inspectUploadHead } from "./media-inspection.ts";
import type { MediaStore } from "./media-store.ts";
import { resolveUploadType } from "./media-types.ts";

function notFound(id: string): WaHttpError {
  return new WaHttpError(404, 1006, `Media ${id} not found`);
}

/** The Media part of the WA operation table. */
export function mediaOperations(
  records: MediaStore,
  blobs: BlobStore,
  config: Pick<ServerConfig, "mediaMaxBytes" | "apiVersion">,
): Pick<Record<WaOperationId, WaOperation>, "uploadMedia" | "downloadMedia" | "deleteMedia"> {
  const meta = waMeta(config.apiVersion);
  return {
    uploadMedia: {
      async handler(c: Context) {
        const rawType = c.req.header("content-type");
        if (rawType === undefined || rawType.trim() === "") throw new WaHttpError(400, 1008, "Content-Type header is required");
        const declared = parseMediaType(rawType);
        if (!declared) {
          throw new WaHttpError(415, 1009, `Content-Type must be a MIME type (type/subtype), got: ${rawType}`);
        }
        const contentType = formatMediaType(declared);
        if (isMediaRange(declared)) {
          const range = `Content-Type ${declared.essence} is a media range, not the type of a body`;
          throw new WaHttpError(415, 1009, `${range}: send the file's own MIME type`);
        }
        const type = resolveUploadType(declared);
        if (!type) throw new WaHttpError(415, 1009, `Unsupported media type: ${contentType}`);
        const limit = Math.min(type.maxBytes, config.mediaMaxBytes);
        const tooLarge = () => new WaHttpError(413, 1009, `${type.category} media must be at most ${limit} bytes`);
        // A declared length over the limit is refused before a byte of the body is read.
        const declaredLength = c.req.header("content-length");
        if (declaredLength !== undefined && /^[0-9]+$/.test(declaredLength) && Number(declaredLength) > limit) throw tooLarge();
        const body = requestBodyChunks(c);
        if (!body) throw new WaHttpError(400, 1008, "Request body is empty: send the media bytes");

        const id = randomUUID();
        let written;
        try {
          written = await blobs.write(id, body, {
            maxBytes: limit,
            headBytes: INSPECTION_HEAD_BYTES,
            inspect: (head) => inspectUploadHead(type, contentType, head),
          });
        } catch (err) {
          if (err instanceof BlobTooLargeError) throw tooLarge();
          if (err instanceof BlobStorageUnavailableError) {
            throw new WaHttpError(503, 1011, `Media storage is not writable or full: ${err.message}`);
          }
          throw err;
        }
        try {
          records.add({ id, contentType, size: written.size, sha256: written.sha256 });
        } catch (err) {
          await blobs.delete(id).catch(() => undefined);
          throw err;
        }
        const reply: JsonReply<"uploadMedia", 201> = { media: [{ id }], meta };
        return c.json(reply, 201);
      },
    },

    downloadMedia: {
      // Not-found is an empty 404 (FACTS §3), and a non-UUID is not-found without touching the disk.
      invalidPathParam: () => new Response(null, { status: 404 }),
      async handler(c: Context) {
        const id = c.req.param("media_id")!;
        const record = records.get(id);
        if (!record) return new Response(null, { status: 404 });
        const headers = {
          "Content-Type": record.contentType,
          "Content-Length": String(record.size),
          "X-Content-Type-Options": "nosniff",
          "Content-Disposition": "attachment",
        };
        if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });
        const opened = await blobs.open(id);
        if (!opened) return new Response(null, { status: 404 });
        return streamReply(c, opened.stream as Readable, { ...headers, "Content-Length": String(opened.size) });
      },
    },

    deleteMedia: {
      invalidPathParam: (c) => {
        throw notFound(c.req.param("media_id") ?? "");
      },
      async handler(c: Context) {
        const id = c.req.param("media_id")!;
        if (!records.get(id)) throw notFound(id);
        try {
          await blobs.delete(id);
        } catch (err) {
          if (err instanceof BlobStorageUnavailableError) throw new WaHttpError(503, 1011, `Media storage is not writable: ${err.message}`);
          throw err;
        }
        records.remove(id);
        const reply: JsonReply<"deleteMedia", 200> = { meta };
        return c.json(reply, 200);
      },
    },
  };
}
