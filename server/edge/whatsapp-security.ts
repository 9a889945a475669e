/**
 * The security schemes of the WA family, by their names in the spec: `waBasicAuth` (login) and `waBearerAuth`
 * (everything else). Roles are the scopes of the operation's security requirement: `waBearerAuth: [ROLE_ADMIN]`
 * admits only admins (403, 1005). Both run before anything reads the request body, so an unauthenticated client
 * cannot make the server store or parse anything; repeated failed logins are refused before any hashing (429).
 */
import type { LoginAdmission, LoginThrottle } from "../users/login-throttle.ts";
import type { ResolvedToken, User, UserStore } from "../users/user-store.ts";
import { CredentialsAbsent, type SecurityHandler } from "./api-family.ts";
import { clientAddress } from "./client-address.ts";
import type { OperationRequest } from "./operation-request.ts";
import { whatsAppErrors } from "./whatsapp-envelope.ts";

/** Who a WA request acts as, and how it proved it. */
export type WhatsAppAuth =
  | { scheme: "basic"; user: User }
  | { scheme: "bearer"; user: User /** sha256 of the bearer token (what logout revokes). */; tokenHash: Buffer };

const REALM = "WhatsApp Business API";
const BEARER_CHALLENGE = `Bearer realm="${REALM}"`;
const BASIC_CHALLENGE = `Basic realm="${REALM}", charset="UTF-8"`;
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i;

function unauthorized(details: string, challenge: string) {
  return whatsAppErrors.unauthorized(details, { "WWW-Authenticate": challenge });
}

/** 403 unless the user has one of the roles the requirement names (no roles named: any user). */
function checkRoles(user: User, scopes: readonly string[]): void {
  if (scopes.length > 0 && !scopes.includes(user.role)) {
    throw whatsAppErrors.forbidden(`Access denied: only ${scopes.join(" or ")} may call this operation`);
  }
}

/** `Authorization: Bearer <token>` resolved to a user; 401 with `WWW-Authenticate: Bearer` otherwise. */
export function bearerSecurity(users: UserStore): SecurityHandler<WhatsAppAuth> {
  return (request: OperationRequest, scopes) => {
    const header = request.header("authorization");
    if (!header) {
      return new CredentialsAbsent(
        unauthorized(
          "Authentication required: send Authorization: Bearer <token> from POST /v1/users/login",
          BEARER_CHALLENGE,
        ),
      );
    }
    const match = BEARER.exec(header);
    const resolved = match ? users.resolveToken(match[1]!) : undefined;
    const settle = (found: ResolvedToken | undefined): WhatsAppAuth => {
      if (!found) {
        throw unauthorized(
          "Invalid, revoked or expired token; log in again with POST /v1/users/login",
          `${BEARER_CHALLENGE}, error="invalid_token"`,
        );
      }
      checkRoles(found.user, scopes);
      return { scheme: "bearer", user: found.user, tokenHash: found.tokenHash };
    };
    // A token this process remembers is settled without a promise (the registrar's synchronous path).
    return resolved instanceof Promise ? resolved.then(settle) : settle(resolved);
  };
}

/**
 * `Authorization: Basic base64(user:password)` checked against the stored hash; 401 with `WWW-Authenticate: Basic`
 * otherwise, and 429 (1015) with `Retry-After`, before any hashing, once the client address or the user name has
 * failed too often (LoginThrottle).
 */
function tooManyFailures(waitSeconds: number) {
  const details = `Too many failed logins from this address or for this user name: retry in ${waitSeconds} s`;
  return whatsAppErrors.tooManyRequests(details, { "Retry-After": String(waitSeconds) });
}

export function basicSecurity(users: UserStore, throttle: LoginThrottle): SecurityHandler<WhatsAppAuth> {
  return async (request: OperationRequest, scopes) => {
    const header = request.header("authorization");
    const missing = "Authentication required: send Authorization: Basic with your user name and password";
    if (!header) return new CredentialsAbsent(unauthorized(missing, BASIC_CHALLENGE));
    const match = BASIC.exec(header);
    if (!match) throw unauthorized(missing, BASIC_CHALLENGE);
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1)
      throw unauthorized("Malformed Basic credentials: expected base64(username:password)", BASIC_CHALLENGE);
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const address = clientAddress(request.context);
    // Judged twice: on arrival, so that a throttled client costs nothing, and again when its hashing gets its turn
    // (one at a time), on the failures of the attempts hashed before it. Only the attempt being hashed counts as in
    // flight, so a burst of wrong logins is held to the limit while any number of right ones waiting together pass.
    const early = await throttle.retryAfter(address, username);
    if (early !== undefined) throw tooManyFailures(early);
    let admission: Extract<LoginAdmission, { admitted: true }> | undefined;
    let user: User | undefined;
    try {
      user = await users.authenticate(username, password, async () => {
        const turn = await throttle.admit(address, username);
        if (!turn.admitted) throw tooManyFailures(turn.retryAfterSeconds);
        admission = turn;
      });
    } finally {
      await admission?.finish(user !== undefined);
    }
    if (!user) throw unauthorized("Invalid user name or password", BASIC_CHALLENGE);
    checkRoles(user, scopes);
    return { scheme: "basic", user };
  };
}
