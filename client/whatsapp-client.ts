/** Typed client for the WhatsApp Business On-Premises API: lazy Basic login, kept token, one re-login and retry. */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "../generated/openapi.d.ts";
import { uploadBodySource, type MediaUploadBody } from "./media-body.ts";
import type { DownloadedMedia } from "./media-download.ts";
import { WhatsAppApiError } from "./whatsapp-api-error.ts";

type Schemas = components["schemas"];
type JsonRequest<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { "application/json": infer T } };
}
  ? T
  : never;

/**
 * A content type `uploadMedia` accepts: one the spec's request body lists, or any other `type/subtype`, a document
 * (the spec's `application/octet-stream` entry stands for every type: its `x-media-range` is `*\/*`, which the
 * generated types cannot carry).
 */
export type MediaContentType = keyof operations["uploadMedia"]["requestBody"]["content"] | `${string}/${string}`;

/** The fetch function the clients call (the global `fetch` fits). */
export type FetchFunction = NonNullable<ClientOptions["fetch"]>;

/** Where the WhatsApp client sends its requests, and with which fetch (default: the global one). */
interface WhatsAppClientTarget {
  baseUrl: string;
  /** The fetch to send with: a test double, an in-process emulator's `fetch`, an instrumented one. */
  fetch?: FetchFunction;
}

/** How the WhatsApp client authenticates: user name and password (it logs in when needed), or a ready token. */
export type WhatsAppClientOptions =
  | (WhatsAppClientTarget & { username: string; password: string; token?: string })
  | (WhatsAppClientTarget & { token: string });

/** The typed openapi-fetch client over every path of the spec. */
export type OpenApiClient = Client<paths>;

/** Every WA operation, named by its operationId, plus the underlying typed client as `api`. */
export interface WhatsAppClient {
  /** The underlying openapi-fetch client; it adds the bearer token (logging in first if needed) but does not retry. */
  readonly api: OpenApiClient;
  /**
   * `POST /v1/users/login` with Basic credentials; keeps the token, and the new password when `new_password` is
   * sent.
   */
  loginUser(body?: JsonRequest<"loginUser">): Promise<Schemas["LoginResponse"]>;
  /** `POST /v1/users/logout`: revokes the kept token and forgets it. */
  logoutUser(): Promise<Schemas["WaMetaResponse"]>;
  /** `POST /v1/users` (admin). */
  createUser(body: JsonRequest<"createUser">): Promise<Schemas["UsersResponse"]>;
  /** `DELETE /v1/users/{username}` (admin). */
  deleteUser(username: string): Promise<Schemas["UsersResponse"]>;
  /** `POST /v1/media`: streams the body with its content type and resolves to the new media id. */
  uploadMedia(body: MediaUploadBody, contentType: MediaContentType): Promise<Schemas["MediaId"]>;
  /** `GET /v1/media/{media_id}`: the content type, length and a stream of the bytes. */
  downloadMedia(mediaId: string): Promise<DownloadedMedia>;
  /** `DELETE /v1/media/{media_id}`. */
  deleteMedia(mediaId: string): Promise<Schemas["WaMetaResponse"]>;
  /** `GET /v1/settings/application` (admin). */
  getApplicationSettings(): Promise<Schemas["ApplicationSettingsResponse"]>;
  /** `PATCH /v1/settings/application` (admin) with the settings to change. */
  updateApplicationSettings(
    patch: JsonRequest<"updateApplicationSettings">,
  ): Promise<Schemas["ApplicationSettingsUpdateResponse"]>;
  /** `DELETE /v1/settings/application` (admin): every setting back to its default. */
  resetApplicationSettings(): Promise<Schemas["WaOptionalMetaResponse"]>;
  /** `GET /v1/settings/application/media/providers` (admin); secrets come back masked. */
  getMediaProviders(): Promise<Schemas["MediaProvidersResponse"]>;
  /** `POST /v1/settings/application/media/providers` (admin): creates or replaces the provider in the array. */
  updateMediaProviders(providers: JsonRequest<"updateMediaProviders">): Promise<Schemas["WaOptionalMetaResponse"]>;
  /** `DELETE /v1/settings/application/media/providers/{provider_name}` (admin). */
  deleteMediaProvider(providerName: string): Promise<Schemas["WaOptionalMetaResponse"]>;
}

interface KeptToken {
  token: string;
  /** Epoch ms of `expires_after`; undefined when unknown (a ready token). */
  expiresAt: number | undefined;
}

type Reply = { data?: unknown; error?: unknown; response: Response };
type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;

// `expires_after` reads `2099-11-29 10:15:00+00:00`: a space where ISO 8601 has `T`.
function parseExpiresAfter(value: string): number | undefined {
  const ms = Date.parse(value.trim().replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : ms;
}

// UTF-8 bytes of `user:password` in base64; btoa takes one character per byte, so the bytes go through a binary string.
function basicAuthorization(username: string, password: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(`${username}:${password}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Creates a WhatsApp Business On-Premises client; with a user name and password it logs in on first use.
 * `fetch` goes in the options; the second argument is the older way to pass it and still works.
 */
export function createWhatsAppClient(options: WhatsAppClientOptions, legacyFetch?: FetchFunction): WhatsAppClient {
  const fetch = options.fetch ?? legacyFetch;
  const api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ""), ...(fetch ? { fetch } : {}) });
  const credentials = "username" in options ? { username: options.username, password: options.password } : undefined;
  let kept: KeptToken | undefined = options.token ? { token: options.token, expiresAt: undefined } : undefined;
  let pendingLogin: Promise<string> | undefined;

  async function loginUser(body?: JsonRequest<"loginUser">): Promise<Schemas["LoginResponse"]> {
    if (!credentials) throw new TypeError("loginUser needs a username and password in createWhatsAppClient's options");
    const reply = await api.POST("/v1/users/login", {
      headers: { Authorization: basicAuthorization(credentials.username, credentials.password) },
      ...(body === undefined ? {} : { body }),
    });
    if (reply.error !== undefined || !reply.response.ok || !reply.data) {
      throw WhatsAppApiError.fromReply(reply.response, reply.error);
    }
    const user = reply.data.users[0];
    if (!user) throw WhatsAppApiError.fromReply(reply.response, "login reply without a token");
    kept = { token: user.token, expiresAt: parseExpiresAfter(user.expires_after) };
    if (body?.new_password !== undefined) credentials.password = body.new_password;
    return reply.data;
  }

  // One login at a time: concurrent calls that need a token share it.
  function login(): Promise<string> {
    pendingLogin ??= loginUser()
      .then(() => kept!.token)
      .finally(() => {
        pendingLogin = undefined;
      });
    return pendingLogin;
  }

  function isExpired(token: KeptToken): boolean {
    return token.expiresAt !== undefined && Date.now() >= token.expiresAt;
  }

  async function currentToken(): Promise<string> {
    if (kept && !(credentials && isExpired(kept))) return kept.token;
    if (!credentials) throw new TypeError("createWhatsAppClient needs a token or a username and password");
    return login();
  }

  // Another call may already have replaced the token that was refused; log in only if it is still the kept one.
  async function tokenAfterRefusal(refused: string): Promise<string> {
    if (kept && kept.token !== refused) return kept.token;
    kept = undefined;
    return login();
  }

  /**
   * Sends with the kept token; on 401 logs in again once (with credentials) and resends once. A stream body cannot be
   * resent: its 401 is thrown, and the refused token is dropped so that the next call logs in again.
   */
  async function authed<R extends Reply>(
    send: (authorization: string) => Promise<R>,
    replayable = true,
  ): Promise<SuccessData<R>> {
    const token = await currentToken();
    let reply = await send(`Bearer ${token}`);
    if (reply.response.status === 401 && credentials) {
      if (replayable) reply = await send(`Bearer ${await tokenAfterRefusal(token)}`);
      else if (kept?.token === token) kept = undefined;
    }
    if (!reply.response.ok) throw WhatsAppApiError.fromReply(reply.response, reply.error);
    return reply.data as SuccessData<R>;
  }

  api.use({
    async onRequest({ request, schemaPath }) {
      if (schemaPath === "/v1/users/login" || request.headers.has("Authorization")) return undefined;
      request.headers.set("Authorization", `Bearer ${await currentToken()}`);
      return request;
    },
  });

  return {
    api,
    loginUser,
    async logoutUser() {
      const data = await authed((authorization) =>
        api.POST("/v1/users/logout", { headers: { Authorization: authorization } }),
      );
      kept = undefined;
      return data;
    },
    createUser: (body) =>
      authed((authorization) => api.POST("/v1/users", { body, headers: { Authorization: authorization } })),
    deleteUser: (username) =>
      authed((authorization) =>
        api.DELETE("/v1/users/{username}", {
          params: { path: { username } },
          headers: { Authorization: authorization },
        }),
      ),
    async uploadMedia(body, contentType) {
      const source = await uploadBodySource(body);
      const data = await authed((authorization) => {
        const prepared = source.attempt();
        return api.POST("/v1/media", {
          // The body goes to fetch as is (Blob, bytes or stream); the spec types it as the Blob it stands for.
          body: prepared.body as Blob,
          bodySerializer: (raw: unknown) => raw,
          headers: { Authorization: authorization, "Content-Type": contentType },
          ...(prepared.duplex ? { duplex: prepared.duplex } : {}),
          // With redirect "follow", fetch (undici) clones the request to be able to resend it, teeing the body: the
          // unread branch would hold the whole upload in memory. A streamed upload cannot follow a redirect anyway.
          redirect: "error",
        });
      }, source.replayable);
      const id = data.media[0]?.id;
      if (id === undefined) throw new Error("uploadMedia: the reply carries no media id");
      return id;
    },
    async downloadMedia(mediaId) {
      let response: Response | undefined;
      const data = await authed(async (authorization) => {
        const reply = await api.GET("/v1/media/{media_id}", {
          params: { path: { media_id: mediaId } },
          headers: { Authorization: authorization },
          parseAs: "stream",
        });
        response = reply.response;
        return reply;
      });
      const length = response!.headers.get("Content-Length");
      return {
        contentType: response!.headers.get("Content-Type") ?? "application/octet-stream",
        contentLength: length === null ? undefined : Number(length),
        // openapi-fetch hands over no stream for an empty (Content-Length: 0) file.
        stream: (data as ReadableStream<Uint8Array> | null | undefined) ?? new Blob([]).stream(),
      };
    },
    deleteMedia: (mediaId) =>
      authed((authorization) =>
        api.DELETE("/v1/media/{media_id}", {
          params: { path: { media_id: mediaId } },
          headers: { Authorization: authorization },
        }),
      ),
    getApplicationSettings: () =>
      authed((authorization) => api.GET("/v1/settings/application", { headers: { Authorization: authorization } })),
    updateApplicationSettings: (patch) =>
      authed((authorization) =>
        api.PATCH("/v1/settings/application", { body: patch, headers: { Authorization: authorization } }),
      ),
    resetApplicationSettings: () =>
      authed((authorization) => api.DELETE("/v1/settings/application", { headers: { Authorization: authorization } })),
    getMediaProviders: () =>
      authed((authorization) =>
        api.GET("/v1/settings/application/media/providers", { headers: { Authorization: authorization } }),
      ),
    updateMediaProviders: (providers) =>
      authed((authorization) =>
        api.POST("/v1/settings/application/media/providers", {
          body: providers,
          headers: { Authorization: authorization },
        }),
      ),
    deleteMediaProvider: (providerName) =>
      authed((authorization) =>
        api.DELETE("/v1/settings/application/media/providers/{provider_name}", {
          params: { path: { provider_name: providerName } },
          headers: { Authorization: authorization },
        }),
      ),
  };
}
