/**
 * Authentication middleware for the WA operations. They run before anything reads the request body, so an
 * unauthenticated client cannot make the server store or parse anything.
 */
import type { MiddlewareHandler } from "hono";
import type { LoginThrottle } from "../users/login-throttle.ts";
import type { User, UserStore } from "../users/user-store.ts";
import { clientAddress } from "./client-address.ts";
import { WaHttpError } from "./wa-envelope.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The authenticated WA user. */
    waUser: User;
    /** sha256 of the bearer token of this request (what logout revokes). */
    waTokenHash: Buffer;
  }
}

const REALM = "WhatsApp Business API";
const BEARER_CHALLENGE = `Bearer realm="${REALM}"`;

function unauthorized(details: string, challenge: string): WaHttpError {
  return new WaHttpError(401, 1005, details, { "WWW-Authenticate": challenge });
}

/** `Authorization: Bearer <token>` resolved to a user; 401 with `WWW-Authenticate: Bearer` otherwise. */
export function bearerAuth(users: UserStore): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw unauthorized("Authentication required: send Authorization: Bearer <token> from POST /v1/users/login", BEARER_CHALLENGE);
    const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header);
    const resolved = match ? users.resolveToken(match[1]!) : undefined;
    if (!resolved) {
      throw unauthorized("Invalid, revoked or expired token; log in again with POST /v1/users/login", `${BEARER_CHALLENGE}, error="invalid_token"`);
    }
    c.set("waUser", resolved.user);
    c.set("waTokenHash", resolved.tokenHash);
    await next();
  };
}

/**
 * `Authorization: Basic base64(user:password)` checked against the stored hash; 401 with `WWW-Authenticate: Basic`
 * otherwise, and 429 (1015) with `Retry-After`, before any hashing, once the client address or the user name has
 * failed too often (LoginThrottle).
 */
export function basicAuth(users: UserStore, throttle: LoginThrottle): MiddlewareHandler {
  const challenge = `Basic realm="${REALM}", charset="UTF-8"`;
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header ? /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header) : null;
    if (!match) throw unauthorized("Authentication required: send Authorization: Basic with your user name and password", challenge);
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) throw unauthorized("Malformed Basic credentials: expected base64(username:password)", challenge);
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const admission = throttle.admit(clientAddress(c), username);
    if (!admission.admitted) {
      const wait = admission.retryAfterSeconds;
      const details = `Too many failed logins from this address or for this user name: retry in ${wait} s`;
      throw new WaHttpError(429, 1015, details, { "Retry-After": String(wait) });
    }
    let user: User | undefined;
    try {
      user = await users.authenticate(username, password);
    } finally {
      admission.finish(user !== undefined);
    }
    if (!user) throw unauthorized("Invalid user name or password", challenge);
    c.set("waUser", user);
    await next();
  };
}

/** 403 (1005) unless the authenticated user is an admin. */
export const adminOnly: MiddlewareHandler = async (c, next) => {
  if (c.get("waUser").role !== "ROLE_ADMIN") {
    throw new WaHttpError(403, 1005, "Access denied: only an admin (ROLE_ADMIN) may call this operation");
  }
  await next();
};
