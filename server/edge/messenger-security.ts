/**
 * The security schemes of the Messenger family, by their names in the spec: `graphAccessToken` (the page access
 * token in the `access_token` query parameter, or, as Meta's own example sends it, in the JSON body) and
 * `graphBearerAuth` (the same token as `Authorization: Bearer`). A token names its page; with an app secret
 * configured, `appsecret_proof` is required. Only hashes of the tokens are kept.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { CredentialsAbsent, type SecurityHandler } from "./api-family.ts";
import { messengerErrors } from "./messenger-envelope.ts";
import { isJsonContentType } from "./json-body.ts";
import type { OperationRequest } from "./operation-request.ts";

/** The page a Graph request acts for. */
export interface MessengerAuth {
  pageId: string;
}

const PROOF = /^[0-9a-f]{64}$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** `appsecret_proof` for a token: lower-case hex HMAC-SHA256 of the token keyed by the app secret. */
export function appsecretProof(token: string, appSecret: string): string {
  return createHmac("sha256", appSecret).update(token, "utf8").digest("hex");
}

/** The pages and their tokens, and the app secret when proofs are required. */
export interface PageCredentials {
  /** page id -> page access token */
  pages: Record<string, string>;
  /** page id -> sha256 of its token, for pages known by the hash only (the persisted development page). */
  pageTokenHashes?: Record<string, Buffer>;
  appSecret?: string;
}

/** Checks tokens and proofs against the configured pages. */
export interface PageAuth {
  /** The page the token belongs to; throws the Graph error (190 for the token, 100 for the proof). */
  authenticate(token: string | undefined, proof: string | undefined): MessengerAuth;
}

/** Builds the checker; only hashes of the tokens are kept. */
export function createPageAuth(config: PageCredentials): PageAuth {
  const pages = [
    ...Object.entries(config.pages).map(([pageId, token]) => ({ pageId, hash: sha256(token) })),
    ...Object.entries(config.pageTokenHashes ?? {}).map(([pageId, hash]) => ({ pageId, hash })),
  ];
  const appSecret = config.appSecret;
  return {
    authenticate(token, proof) {
      if (token === undefined || token === "") throw messengerErrors.missingToken();
      const presented = sha256(token);
      let match: string | undefined;
      // Compare with every page (no early exit) so timing says nothing about which hash came close.
      for (const page of pages) {
        if (timingSafeEqual(presented, page.hash)) match ??= page.pageId;
      }
      if (match === undefined) throw messengerErrors.invalidToken();
      if (appSecret !== undefined) {
        if (proof === undefined || !PROOF.test(proof)) throw messengerErrors.appsecretProof();
        const expected = sha256(appsecretProof(token, appSecret));
        if (!timingSafeEqual(sha256(proof), expected)) throw messengerErrors.appsecretProof();
      }
      return { pageId: match };
    },
  };
}

/**
 * `graphAccessToken`: the `access_token` query parameter; without one, and without a bearer header (the other
 * alternative), the `access_token` of a JSON body, read through the family's bounded reader. A multipart body is
 * never read before the token has been checked.
 */
export function accessTokenSecurity(auth: PageAuth): SecurityHandler<MessengerAuth> {
  return async (request: OperationRequest) => {
    let token = request.query("access_token");
    if (token === undefined) {
      // A bearer header is the other alternative's; a body is read only when it is JSON and nothing else has a token.
      const absent = new CredentialsAbsent(messengerErrors.missingToken());
      if (BEARER.test(request.header("authorization") ?? "")) return absent;
      if (!isJsonContentType(request.header("content-type"))) return absent;
      const read = await request.readJson();
      const value = read.kind === "json" ? read.value : undefined;
      const inBody =
        typeof value === "object" && value !== null ? (value as { access_token?: unknown }).access_token : undefined;
      if (typeof inBody !== "string") return absent;
      token = inBody;
    }
    return auth.authenticate(token, request.query("appsecret_proof"));
  };
}

/** `graphBearerAuth`: `Authorization: Bearer <page access token>`. */
export function bearerTokenSecurity(auth: PageAuth): SecurityHandler<MessengerAuth> {
  return (request: OperationRequest) => {
    const header = request.header("authorization");
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (token === undefined) return new CredentialsAbsent(messengerErrors.missingToken());
    return auth.authenticate(token, request.query("appsecret_proof"));
  };
}
