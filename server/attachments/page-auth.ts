/** Page access tokens and `appsecret_proof`: which page a Graph request acts for. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { MessengerConfig } from "./config.ts";
import { type GraphError, graphErrors } from "./graph-errors.ts";

const PROOF = /^[0-9a-f]{64}$/;

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** `appsecret_proof` for a token: lower-case hex HMAC-SHA256 of the token keyed by the app secret. */
export function appsecretProof(token: string, appSecret: string): string {
  return createHmac("sha256", appSecret).update(token, "utf8").digest("hex");
}

/** Checks tokens and proofs against the configured pages. */
export interface PageAuth {
  /** The page the token belongs to, or the Graph error to answer (190 for the token, 100 for the proof). */
  authenticate(token: string | undefined, proof: string | undefined): { pageId: string } | GraphError;
}

/** Builds the checker; only hashes of the tokens are kept. */
export function createPageAuth(config: Pick<MessengerConfig, "pages" | "pageTokenHashes" | "appSecret">): PageAuth {
  const pages = [
    ...Object.entries(config.pages).map(([pageId, token]) => ({ pageId, hash: sha256(token) })),
    ...Object.entries(config.pageTokenHashes ?? {}).map(([pageId, hash]) => ({ pageId, hash })),
  ];
  const appSecret = config.appSecret;
  return {
    authenticate(token, proof) {
      if (token === undefined || token === "") return graphErrors.missingToken();
      const presented = sha256(token);
      let match: string | undefined;
      // Compare with every page (no early exit) so timing says nothing about which hash came close.
      for (const page of pages) {
        if (timingSafeEqual(presented, page.hash)) match ??= page.pageId;
      }
      if (match === undefined) return graphErrors.invalidToken();
      if (appSecret !== undefined) {
        if (proof === undefined || !PROOF.test(proof)) return graphErrors.appsecretProof();
        const expected = sha256(appsecretProof(token, appSecret));
        if (!timingSafeEqual(sha256(proof), expected)) return graphErrors.appsecretProof();
      }
      return { pageId: match };
    },
  };
}
