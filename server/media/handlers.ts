/** Handlers of the Media operations: streamed upload, streamed download, delete. */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Clock } from "../clock.ts";
import { formatMediaType, isMediaRange, parseMediaType } from "../../spec-model/content-type.ts";
import type { HandlerTable } from "../edge/operation-handler.ts";
import { whatsAppErrors, whatsAppMeta } from "../edge/whatsapp-envelope.ts";
import type { WhatsAppAuth } from "../edge/whatsapp-security.ts";
import {
  BlobStorageUnavailableError,
  BlobTooLargeError,
  type BlobStore,
  type BlobWriteResult,
} from "../storage/blob-store.ts";
import type { MediaRecords } from "../storage/records.ts";
import type { OpenApiDocument } from "../../spec-model/openapi-document.ts";
import { INSPECTION_HEAD_BYTES, inspectUploadHead } from "./media-inspection.ts";
import { resolveUploadType, uploadMediaTypes } from "./media-types.ts";

/** The form of the ids the media handlers give blobs and records (crypto.randomUUID). */
export const MEDIA_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function notFound(id: string) {
  return whatsAppErrors.notFound(`Media ${id} not found`);
}

function storageUnavailable(err: BlobStorageUnavailableError, what: string) {
  return whatsAppErrors.serviceNotReady(`Media storage is not ${what}: ${err.message}`);
}

/** What the Media handlers work with. */
export interface MediaHandlerDeps {
  spec: OpenApiDocument;
  records: MediaRecords;
  blobs: BlobStore;
  clock: Clock;
  config: { mediaMaxBytes: number; apiVersion: string };
}

/** The Media part of the WA handler table. */
export function mediaHandlers({ spec, records, blobs, clock, config }: MediaHandlerDeps): HandlerTable<WhatsAppAuth> {
  const meta = whatsAppMeta(config.apiVersion);
  const uploadTypes = uploadMediaTypes(spec);
  return {
    uploadMedia: {
      async handle({ request }) {
        const rawType = request.header("content-type");
        if (rawType === undefined || rawType.trim() === "") {
          throw whatsAppErrors.missingParameter("Content-Type header is required");
        }
        const declared = parseMediaType(rawType);
        if (!declared)
          throw whatsAppErrors.unsupportedMediaType(`Content-Type must be a MIME type (type/subtype), got: ${rawType}`);
        const contentType = formatMediaType(declared);
        if (isMediaRange(declared)) {
          const range = `Content-Type ${declared.essence} is a media range, not the type of a body`;
          throw whatsAppErrors.unsupportedMediaType(`${range}: send the file's own MIME type`);
        }
        const type = resolveUploadType(uploadTypes, declared);
        if (!type) throw whatsAppErrors.unsupportedMediaType(`Unsupported media type: ${contentType}`);
        const limit = Math.min(type.maxBytes, config.mediaMaxBytes);
        const tooLarge = () => whatsAppErrors.payloadTooLarge(`${type.category} media must be at most ${limit} bytes`);
        // A declared length over the limit is refused before a byte of the body is read.
        const declaredLength = request.header("content-length");
        if (declaredLength !== undefined && /^[0-9]+$/.test(declaredLength) && Number(declaredLength) > limit) {
          throw tooLarge();
        }
        const body = request.bodyChunks();
        if (!body) throw whatsAppErrors.missingParameter("Request body is empty: send the media bytes");

        const id = randomUUID();
        let written: BlobWriteResult;
        try {
          written = await blobs.write(id, body, {
            maxBytes: limit,
            headBytes: INSPECTION_HEAD_BYTES,
            inspect: (head) => inspectUploadHead(type, contentType, head),
          });
        } catch (err) {
          if (err instanceof BlobTooLargeError) throw tooLarge();
          if (err instanceof BlobStorageUnavailableError) throw storageUnavailable(err, "writable or full");
          throw err;
        }
        try {
          await records.add({ id, contentType, size: written.size, sha256: written.sha256, createdAt: clock.now() });
        } catch (err) {
          await blobs.delete(id).catch(() => undefined);
          throw err;
        }
        return { status: 201, body: { media: [{ id }], meta } };
      },
    },

    downloadMedia: {
      // Not-found is an empty 404 (`spec/paths/v1_media_{media_id}.yaml`), and a non-UUID is not-found without touching
      // the disk.
      invalidPathParameter: () => ({ status: 404 }),
      async handle({ params }) {
        const id = params.media_id;
        const record = await records.get(id);
        if (!record) return { status: 404 };
        const opened = await blobs.open(id);
        if (!opened) return { status: 404 };
        return {
          status: 200,
          stream: opened.stream as Readable,
          headers: {
            "Content-Type": record.contentType,
            "Content-Length": String(opened.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "attachment",
          },
        };
      },
    },

    deleteMedia: {
      invalidPathParameter: (_name, value) => {
        throw notFound(value);
      },
      async handle({ params }) {
        const id = params.media_id;
        if (!(await records.get(id))) throw notFound(id);
        try {
          await blobs.delete(id);
        } catch (err) {
          if (err instanceof BlobStorageUnavailableError) throw storageUnavailable(err, "writable");
          throw err;
        }
        // Another request (on this instance or another) may have deleted it in the meantime: one of them says so.
        if (!(await records.remove(id))) throw notFound(id);
        return { status: 200, body: { meta } };
      },
    },
  };
}
