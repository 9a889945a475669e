/** Typed client for the Messenger Platform attachment upload and Send API (Graph API). */
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/openapi.d.ts";
import { MessengerApiError } from "./messenger-api-error.ts";
import type { FetchFunction, OpenApiClient } from "./whatsapp-client.ts";

type Schemas = components["schemas"];
/** `image`, `video`, `audio` or `file` (the spec's `AttachmentType`). */
export type AttachmentType = Schemas["AttachmentType"];

/** Options of `createMessengerClient`; only the page access token is required. */
export interface MessengerClientOptions {
  /** Page access token, sent as the `access_token` query parameter. */
  accessToken: string;
  /** Page id, or `me` (default) for the page the token belongs to. */
  pageId?: string;
  /** Graph API version path segment (default `v21.0`); `""` for a server without one (a mock). */
  version?: string;
  /** Default `https://graph.facebook.com`. */
  baseUrl?: string;
  /** When given, every call carries `appsecret_proof` (hex HMAC-SHA256 of the token keyed by this secret). */
  appSecret?: string;
  fetch?: FetchFunction;
}

/** Where `sendAttachment` takes the attachment from: an uploaded id, or a URL to upload and send in one call. */
export type AttachmentSource = { attachmentId: string; type?: AttachmentType } | { url: string; type: AttachmentType };

/** The Messenger operations this package covers, plus the underlying typed client as `api`. */
export interface MessengerClient {
  /** The underlying openapi-fetch client; `access_token` (and `appsecret_proof`) ride on every request. */
  readonly api: OpenApiClient;
  /** `POST /{page_id}/message_attachments` from a URL the server fetches. */
  uploadAttachmentFromUrl(
    url: string,
    type: AttachmentType,
    options?: { isReusable?: boolean },
  ): Promise<Schemas["AttachmentUploadResponse"]>;
  /** `POST /{page_id}/message_attachments` with the file as `multipart/form-data`. */
  uploadAttachmentFile(
    file: Blob,
    filename: string,
    type: AttachmentType,
    options?: { isReusable?: boolean },
  ): Promise<Schemas["AttachmentUploadResponse"]>;
  /**
   * `POST /{page_id}/messages` sending an uploaded attachment (its type defaults to the one this client uploaded it
   * as) or a URL.
   */
  sendAttachment(recipientId: string, attachment: AttachmentSource): Promise<Schemas["SendMessageResponse"]>;
}

/**
 * The `appsecret_proof` Graph expects: lower-case hex HMAC-SHA256 of the access token keyed by the app secret.
 * Computed with Web Crypto (`crypto.subtle`, in Node and in browsers' secure contexts), hence a promise.
 */
export async function appsecretProof(accessToken: string, appSecret: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new TypeError("appsecretProof needs Web Crypto (crypto.subtle): Node, or a browser's secure context");
  }
  const encoder = new TextEncoder();
  const hmac = { name: "HMAC", hash: "SHA-256" };
  const key = await subtle.importKey("raw", encoder.encode(appSecret), hmac, false, ["sign"]);
  const mac = new Uint8Array(await subtle.sign("HMAC", key, encoder.encode(accessToken)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

type Reply = { data?: unknown; error?: unknown; response: Response };
type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;

async function succeeded<R extends Reply>(pending: Promise<R>): Promise<SuccessData<R>> {
  const reply = await pending;
  if (!reply.response.ok) throw MessengerApiError.fromReply(reply.response, reply.error);
  return reply.data as SuccessData<R>;
}

/** Creates a Messenger Platform client for one page. */
export function createMessengerClient(options: MessengerClientOptions): MessengerClient {
  const { accessToken, pageId = "me", version = "v21.0", baseUrl = "https://graph.facebook.com", appSecret } = options;
  const root = baseUrl.replace(/\/+$/, "");
  // Web Crypto is asynchronous and a query serializer is not: the proof is computed as the client is made, and each
  // method waits for it before its request is built, so the serializer adds it to the URL. Rebuilding a Request to add
  // it later would turn a FormData body into a stream, which browsers only upload over HTTP/2.
  let proof: string | undefined;
  const proofReady =
    appSecret === undefined
      ? Promise.resolve()
      : appsecretProof(accessToken, appSecret).then((value) => {
          proof = value;
        });
  proofReady.catch(() => undefined); // reported by the first call that needs it, not as an unhandled rejection
  const api = createClient<paths>({
    baseUrl: version === "" ? root : `${root}/${version}`,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // The token is a security scheme, not a declared parameter, so it is added here for every request.
    querySerializer: (query: Record<string, unknown>) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
      search.set("access_token", accessToken);
      if (proof !== undefined) search.set("appsecret_proof", proof);
      return search.toString();
    },
  });
  if (appSecret !== undefined) {
    // A call through `api` made before the proof was ready: add it now (a body-less or small request, in practice).
    api.use({
      async onRequest({ request }) {
        const url = new URL(request.url);
        if (url.searchParams.has("appsecret_proof")) return undefined;
        await proofReady;
        url.searchParams.set("appsecret_proof", proof!);
        return new Request(url, request);
      },
    });
  }
  /** Sends once the proof (if any) is ready, and turns a non-2xx reply into a MessengerApiError. */
  const send = async <R extends Reply>(request: () => Promise<R>): Promise<SuccessData<R>> => {
    await proofReady;
    return succeeded(request());
  };
  const page = { path: { page_id: pageId } };
  // Send API needs the type next to an attachment id; remember the ones this client uploaded.
  const uploadedTypes = new Map<string, AttachmentType>();

  async function remember(pending: Promise<Schemas["AttachmentUploadResponse"]>, type: AttachmentType) {
    const data = await pending;
    uploadedTypes.set(data.attachment_id, type);
    return data;
  }

  return {
    api,
    uploadAttachmentFromUrl: (url, type, { isReusable = false } = {}) =>
      remember(
        send(() =>
          api.POST("/{page_id}/message_attachments", {
            params: page,
            body: { message: { attachment: { type, payload: { url, is_reusable: isReusable } } } },
          }),
        ),
        type,
      ),
    uploadAttachmentFile(file, filename, type, { isReusable = false } = {}) {
      const message: Schemas["AttachmentFileMessage"] = { attachment: { type, payload: { is_reusable: isReusable } } };
      const form: Schemas["AttachmentUploadForm"] = { message: JSON.stringify(message), filedata: file };
      return remember(
        send(() =>
          api.POST("/{page_id}/message_attachments", {
            params: page,
            body: form,
            // No clone of the request (fetch tees a body it may have to resend): the file is streamed once.
            redirect: "error",
            // FormData keeps the file a Blob part (streamed), with its name and MIME type.
            bodySerializer: () => {
              const data = new FormData();
              data.append("message", form.message);
              data.append("filedata", form.filedata, filename);
              return data;
            },
          }),
        ),
        type,
      );
    },
    sendAttachment(recipientId, attachment) {
      const type =
        attachment.type ?? ("attachmentId" in attachment ? uploadedTypes.get(attachment.attachmentId) : undefined);
      if (type === undefined) {
        throw new TypeError(
          "sendAttachment: give the attachment's type (this client did not upload that attachment id)",
        );
      }
      const payload: Schemas["SendMessageRequest"]["message"]["attachment"]["payload"] =
        "attachmentId" in attachment ? { attachment_id: attachment.attachmentId } : { url: attachment.url };
      return send(() =>
        api.POST("/{page_id}/messages", {
          params: page,
          body: {
            recipient: { id: recipientId },
            messaging_type: "RESPONSE",
            message: { attachment: { type, payload } },
          },
        }),
      );
    },
  };
}
