/**
 * Handlers of the Messenger operations: `uploadAttachment` (from a URL, or a file as multipart/form-data) and
 * `sendMessage` (by attachment id, or upload-and-send from a URL). The page comes from the family's security; the
 * path's page must be `me` or that page.
 */
import type { Clock } from "../clock.ts";
import { requestOrigin } from "../edge/request-origin.ts";
import { messengerErrors, invalidParameterFromAjv } from "../edge/messenger-envelope.ts";
import type { MessengerAuth } from "../edge/messenger-security.ts";
import type { HandlerTable } from "../edge/operation-handler.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { AttachmentRecords } from "../storage/records.ts";
import { ajvFor } from "../../spec-model/openapi-ajv.ts";
import type { OpenApiDocument } from "../../spec-model/openapi-document.ts";
import { ExpirySweeper, type SweepRunner } from "./attachment-expiry.ts";
import { type AttachmentFileMessage, readAttachmentForm } from "./attachment-form.ts";
import { attachmentLimits } from "./attachment-limits.ts";
import { AttachmentStore } from "./attachment-store.ts";
import { AttachmentUploads } from "./attachment-uploads.ts";
import type { SafeFetcher } from "./safe-fetcher.ts";

/** What the Messenger handlers work with. */
export interface AttachmentHandlerDeps {
  spec: OpenApiDocument;
  records: AttachmentRecords;
  blobs: BlobStore;
  clock: Clock;
  fetcher: SafeFetcher;
  /** Configured fetch time limits that replace the spec's. */
  fetchTimeoutMs?: { video?: number; other?: number };
  /** How the expiry sweep runs (one instance at a time where several share the storage); default: at once. */
  sweepRunner?: SweepRunner;
}

/** `me`, or the page the token belongs to; anything else is an object this token cannot use (100/33). */
function authorizePage(auth: MessengerAuth, params: { page_id: string }): void {
  const requested = params.page_id;
  if (requested !== "me" && requested !== auth.pageId) throw messengerErrors.unknownPage(requested);
}

/** The Messenger handler table. */
export function attachmentHandlers(deps: AttachmentHandlerDeps): HandlerTable<MessengerAuth> {
  const { spec, blobs, clock, fetcher } = deps;
  const store = new AttachmentStore(deps.records, clock);
  const sweeper = new ExpirySweeper(store, blobs, clock, undefined, deps.sweepRunner);
  const limits = attachmentLimits(spec);
  const uploads = new AttachmentUploads({
    store,
    blobs,
    fetcher,
    limits,
    sweeper,
    ...(deps.fetchTimeoutMs ? { timeoutsMs: deps.fetchTimeoutMs } : {}),
  });
  const validateFileMessage = ajvFor(spec).component("AttachmentFileMessage");

  function parseFileMessage(text: string): AttachmentFileMessage {
    // busboy decodes a text field with replacement characters; a file part arrives as bytes and is decoded strictly
    // (attachment-form.ts). Either way, bytes that were not UTF-8 are refused rather than stored replaced.
    if (text.includes("\uFFFD")) throw messengerErrors.invalidParameter("Param message is not valid UTF-8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw messengerErrors.invalidParameter("Param message must be a JSON object");
    }
    if (!validateFileMessage(value)) throw invalidParameterFromAjv(validateFileMessage.errors, "/message");
    return value as AttachmentFileMessage;
  }

  return {
    uploadAttachment: {
      authorize: authorizePage,
      async handle({ auth, body, request }) {
        const { pageId } = auth;
        if (body === undefined) {
          // Not JSON: the registrar let through the operation's other media type, multipart/form-data.
          const form = await readAttachmentForm({
            body: request.bodyStream(),
            contentType: request.header("content-type") ?? "",
            maxFileBytes: limits.maxBytesAny,
            parseMessage: parseFileMessage,
            writeFile: (stream, message) => uploads.writeFile(stream, message?.attachment.type),
            discardFile: (file) => uploads.discard(file),
          });
          const { type, payload } = form.message.attachment;
          const rec = await uploads.completeFile(form.file, {
            pageId,
            type,
            isReusable: payload?.is_reusable === true,
          });
          return { status: 200, body: { attachment_id: rec.id } };
        }
        const { attachment } = body.message;
        const rec = await uploads.fromUrl({
          pageId,
          type: attachment.type,
          url: attachment.payload.url,
          ownOrigin: requestOrigin(request.context),
          isReusable: attachment.payload.is_reusable === true,
          signal: request.signal,
        });
        return { status: 200, body: { attachment_id: rec.id } };
      },
    },

    sendMessage: {
      authorize: authorizePage,
      // The schema forbids `is_reusable: true` beside a URL; this case deserves its own documented error.
      precheckBody(value) {
        const payload = (value as { message?: { attachment?: { payload?: unknown } } } | null)?.message?.attachment
          ?.payload;
        if (typeof payload === "object" && payload !== null && "url" in payload) {
          if ((payload as { is_reusable?: unknown }).is_reusable === true) throw messengerErrors.reusableInSend();
        }
      },
      async handle({ auth, body, request }) {
        const { pageId } = auth;
        const { recipient, message } = body;
        const { attachment } = message;
        let attachmentId: string;
        if ("attachment_id" in attachment.payload) {
          const rec = await store.findSendable(attachment.payload.attachment_id, pageId);
          if (!rec) throw messengerErrors.attachmentInvalid();
          if (rec.type !== attachment.type) throw messengerErrors.typeMismatch();
          attachmentId = rec.id;
        } else {
          const rec = await uploads.fromUrl({
            pageId,
            type: attachment.type,
            url: attachment.payload.url,
            ownOrigin: requestOrigin(request.context),
            isReusable: false,
            signal: request.signal,
          });
          attachmentId = rec.id;
        }
        const sent = await store.recordMessage({ pageId, recipientId: recipient.id, attachmentId });
        return { status: 200, body: { recipient_id: recipient.id, message_id: sent.id } };
      },
    },
  };
}
