/**
 * The Graph half of the reference server: `POST /{version}/{page_id}/message_attachments` (uploadAttachment) and
 * `POST /{version}/{page_id}/messages` (sendMessage), authenticated with a page access token before any body is read
 * (except the small JSON body that may carry the token itself, as Meta's example does).
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../app.ts";
import { createOpenApiAjv } from "../validation/openapi-ajv.ts";
import { createAddressPolicy } from "./address-policy.ts";
import { type AttachmentFileMessage, readAttachmentForm } from "./attachment-form.ts";
import { AttachmentStore, type AttachmentType } from "./attachment-store.ts";
import { ExpirySweeper } from "./attachment-expiry.ts";
import { AttachmentUploads } from "./attachment-uploads.ts";
import { GraphError, graphErrorBody, graphErrors, invalidParameterFromAjv } from "./graph-errors.ts";
import { createPageAuth } from "./page-auth.ts";
import { createSafeFetcher } from "./safe-fetcher.ts";

/** JSON bodies of these operations are a few hundred bytes; anything far larger is not one of them. */
export const JSON_BODY_MAX_BYTES = 64 * 1024;

const VERSION = "/:version{v[0-9]{1,3}\\.[0-9]{1,3}}";
const PAGE_ID = /^(me|[0-9]{1,32})$/;

let requestValidators: ReturnType<typeof compileValidators> | undefined;
function compileValidators() {
  const ajv = createOpenApiAjv();
  return {
    upload: ajv.component("AttachmentUploadRequest"),
    fileMessage: ajv.component("AttachmentFileMessage"),
    send: ajv.component("SendMessageRequest"),
  };
}

type BodyRead = { kind: "json"; value: unknown } | { kind: "tooLarge" } | { kind: "invalid" } | { kind: "notUtf8" };

/** JSON text is UTF-8 (RFC 8259 §8.1); bytes that are not are refused, not replaced. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Reads a JSON body, at most `JSON_BODY_MAX_BYTES`, without trusting Content-Length. */
async function readJson(req: Request): Promise<BodyRead> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > JSON_BODY_MAX_BYTES) return { kind: "tooLarge" };
  if (!req.body) return { kind: "invalid" };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch {
      return { kind: "invalid" };
    }
    if (step.done) break;
    total += step.value.length;
    if (total > JSON_BODY_MAX_BYTES) {
      await reader.cancel().catch(() => undefined);
      return { kind: "tooLarge" };
    }
    chunks.push(step.value);
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    return { kind: "notUtf8" };
  }
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "invalid" };
  }
}

function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function bodyToken(body: BodyRead | undefined): string | undefined {
  if (body?.kind !== "json" || body.value === null || typeof body.value !== "object") return undefined;
  const token = (body.value as { access_token?: unknown }).access_token;
  return typeof token === "string" ? token : undefined;
}

function errorResponse(c: Context, err: GraphError): Response {
  return c.json(graphErrorBody(err), err.status as 400, err.headers);
}

function bodyError(body: BodyRead): GraphError {
  if (body.kind === "tooLarge") {
    return graphErrors.invalidParameter(`The request body is larger than ${JSON_BODY_MAX_BYTES} bytes`);
  }
  if (body.kind === "notUtf8") return graphErrors.invalidParameter("The request body is not valid UTF-8");
  return graphErrors.invalidParameter("The request body is not valid JSON");
}

/** Registers the two Graph operations (and 405/404 for the rest of the versioned Graph space) on the app. */
export function registerGraphRoutes(app: Hono, deps: AppDeps): void {
  const messenger = deps.config.messenger;
  const policy = createAddressPolicy(messenger.fetchAllow);
  const fetcher = createSafeFetcher({ policy, ...(deps.lookup ? { lookup: deps.lookup } : {}) });
  const store = new AttachmentStore(deps.db, deps.clock);
  const sweeper = new ExpirySweeper(store, deps.attachments, deps.clock);
  const uploads = new AttachmentUploads({ store, blobs: deps.attachments, fetcher, timeoutsMs: messenger.fetchTimeoutMs, sweeper });
  const auth = createPageAuth(messenger);
  // Compiled once per process, shared by every app instance.
  requestValidators ??= compileValidators();
  const { upload: validateUpload, fileMessage: validateFileMessage, send: validateSend } = requestValidators;

  /**
   * Authenticates the request and resolves `{page_id}`. The body is read first only when the token is nowhere else
   * and the body is JSON (capped); a multipart body is never read before the token has been checked.
   */
  async function authorise(c: Context): Promise<{ pageId: string; body?: BodyRead }> {
    let token = c.req.query("access_token") ?? bearerToken(c);
    let body: BodyRead | undefined;
    if (token === undefined && mediaType(c) === "application/json") {
      body = await readJson(c.req.raw);
      token = bodyToken(body);
    }
    const result = auth.authenticate(token, c.req.query("appsecret_proof"));
    if (result instanceof GraphError) throw result;
    const requested = c.req.param("pageId") ?? "";
    if (!PAGE_ID.test(requested) || (requested !== "me" && requested !== result.pageId)) throw graphErrors.unknownPage(requested);
    return { pageId: result.pageId, ...(body ? { body } : {}) };
  }

  async function jsonBody(c: Context, already: BodyRead | undefined): Promise<unknown> {
    if (mediaType(c) !== "application/json") {
      throw graphErrors.invalidParameter("The request body must be application/json");
    }
    const body = already ?? (await readJson(c.req.raw));
    if (body.kind !== "json") throw bodyError(body);
    return body.value;
  }

  function parseFileMessage(text: string): AttachmentFileMessage {
    // busboy decodes a text field with replacement characters; a file part arrives as bytes and is decoded strictly
    // (attachment-form.ts). Either way, bytes that were not UTF-8 are refused rather than stored replaced.
    if (text.includes("\uFFFD")) throw graphErrors.invalidParameter("Param message is not valid UTF-8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw graphErrors.invalidParameter("Param message must be a JSON object");
    }
    if (!validateFileMessage(value)) throw invalidParameterFromAjv(validateFileMessage.errors, "/message");
    return value as AttachmentFileMessage;
  }

  async function uploadAttachment(c: Context): Promise<Response> {
    const { pageId, body } = await authorise(c);
    const type = mediaType(c);
    if (type === "multipart/form-data") {
      const form = await readAttachmentForm({
        body: c.req.raw.body,
        contentType: c.req.header("content-type")!,
        parseMessage: parseFileMessage,
        writeFile: (stream, message) => uploads.writeFile(stream, message?.attachment.type),
        discardFile: (file) => uploads.discard(file),
      });
      const rec = await uploads.completeFile(form.file, {
        pageId,
        type: form.message.attachment.type,
        isReusable: form.message.attachment.payload?.is_reusable === true,
      });
      return c.json({ attachment_id: rec.id });
    }
    if (type !== "application/json") {
      throw graphErrors.invalidParameter("The request body must be application/json or multipart/form-data");
    }
    const value = await jsonBody(c, body);
    if (!validateUpload(value)) throw invalidParameterFromAjv(validateUpload.errors);
    const { attachment } = (value as { message: { attachment: { type: AttachmentType; payload: { url: string; is_reusable?: boolean } } } }).message;
    const rec = await uploads.fromUrl({
      pageId,
      type: attachment.type,
      url: attachment.payload.url,
      isReusable: attachment.payload.is_reusable === true,
      signal: c.req.raw.signal,
    });
    return c.json({ attachment_id: rec.id });
  }

  async function sendMessage(c: Context): Promise<Response> {
    const { pageId, body } = await authorise(c);
    const value = await jsonBody(c, body);
    const payload = (value as { message?: { attachment?: { payload?: unknown } } } | null)?.message?.attachment?.payload;
    if (payload && typeof payload === "object" && "url" in payload && (payload as { is_reusable?: unknown }).is_reusable === true) {
      throw graphErrors.reusableInSend();
    }
    if (!validateSend(value)) throw invalidParameterFromAjv(validateSend.errors);
    const request = value as {
      recipient: { id: string };
      message: { attachment: { type: AttachmentType; payload: { attachment_id: string } | { url: string } } };
    };
    const { attachment } = request.message;
    let attachmentId: string;
    if ("attachment_id" in attachment.payload) {
      const rec = store.findSendable(attachment.payload.attachment_id, pageId);
      if (!rec) throw graphErrors.attachmentInvalid();
      if (rec.type !== attachment.type) throw graphErrors.typeMismatch();
      attachmentId = rec.id;
    } else {
      const rec = await uploads.fromUrl({ pageId, type: attachment.type, url: attachment.payload.url, isReusable: false, signal: c.req.raw.signal });
      attachmentId = rec.id;
    }
    const message = store.recordMessage({ pageId, recipientId: request.recipient.id, attachmentId });
    return c.json({ recipient_id: request.recipient.id, message_id: message.id });
  }

  const handle = (fn: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof GraphError) return errorResponse(c, err);
      console.error("Graph route failed:", err);
      return errorResponse(c, new GraphError(500, { message: "An unknown error has occurred.", type: "OAuthException", code: 1 }));
    }
  };

  const notAllowed = (c: Context) => errorResponse(c, graphErrors.methodNotAllowed(c.req.method));
  for (const [edge, fn] of [
    ["message_attachments", uploadAttachment],
    ["messages", sendMessage],
  ] as const) {
    const path = `${VERSION}/:pageId/${edge}`;
    app.post(path, handle(fn));
    app.all(path, notAllowed);
  }
  app.all(`${VERSION}/*`, (c) => errorResponse(c, graphErrors.unknownPath(new URL(c.req.url).pathname)));
}
