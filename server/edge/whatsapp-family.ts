/**
 * The WhatsApp Business On-Premises family (`x-api-family: whatsapp`): Basic and Bearer security with roles as
 * scopes, the WA envelope and catalogue, 256 KB JSON bodies, 405 and 404 in the envelope. Its paths have no prefix.
 */
import type { LoginThrottle } from "../users/login-throttle.ts";
import type { UserStore } from "../users/user-store.ts";
import type { ApiFamily } from "./api-family.ts";
import { whatsAppErrorBody, whatsAppErrorResponse, WhatsAppHttpError, whatsAppErrors } from "./whatsapp-envelope.ts";
import { validationError } from "./whatsapp-validation-errors.ts";
import { basicSecurity, bearerSecurity, type WhatsAppAuth } from "./whatsapp-security.ts";
import { whatsAppErrorCatalogue } from "@meta-media-openapi/client";

/** Settings, providers and users are small: anything larger is not a legitimate body for them. */
export const WHATSAPP_JSON_BODY_MAX_BYTES = 256 * 1024;

function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/**
 * The WA family, authenticating against `users` (failed logins counted by `loginThrottle`) and answering with
 * `meta.version` = `apiVersion`.
 */
export function createWhatsAppFamily(deps: {
  users: UserStore;
  loginThrottle: LoginThrottle;
  apiVersion: string;
}): ApiFamily<WhatsAppAuth> {
  const version = deps.apiVersion;
  return {
    name: "whatsapp",
    pathPrefix: "",
    security: {
      waBasicAuth: basicSecurity(deps.users, deps.loginThrottle),
      waBearerAuth: bearerSecurity(deps.users),
    },
    jsonBodyMaxBytes: WHATSAPP_JSON_BODY_MAX_BYTES,
    closeAfterEarlyRefusal: true,
    errors: {
      invalidPathParameter: (name, _value, errors) => validationError(errors, { subject: `path parameter ${name}` }),
      unsupportedMediaType: (accepted) =>
        whatsAppErrors.unsupportedMediaType(`Content-Type must be ${accepted.join(" or ")}`),
      bodyTooLarge: (maxBytes) => whatsAppErrors.payloadTooLarge(`Request body must be at most ${maxBytes} bytes`),
      malformedBody: () => whatsAppErrors.invalidParameter("Request body is not valid JSON"),
      // Decoding with replacement characters would store text the client never sent.
      notUtf8Body: () => whatsAppErrors.invalidParameter("Request body is not valid UTF-8 (JSON text must be UTF-8)"),
      missingBody: () => whatsAppErrors.missingParameter("Request body is required"),
      invalidBody: (errors, wording) => validationError(errors, wording),
      incompleteBody: (cause) => whatsAppErrors.missingParameter(cause.message),
    },
    errorResponse: (err) => (err instanceof WhatsAppHttpError ? whatsAppErrorResponse(err, version) : undefined),
    faultResponse: () =>
      jsonResponse(whatsAppErrorBody(whatsAppErrorCatalogue.internalError, "Internal error", version), 500),
    methodNotAllowed(method, specPath, allow) {
      const list = allow.join(", ");
      const details = `Method ${method} is not allowed on ${specPath}; allowed: ${list}`;
      return whatsAppErrorResponse(whatsAppErrors.methodNotAllowed(details, { Allow: list }), version);
    },
    // Every path outside another family's space is WA's: unknown ones answer in its envelope.
    claimsPath: () => true,
    notFound: (method, path) =>
      whatsAppErrorResponse(whatsAppErrors.notFound(`Unknown path ${method} ${path}`), version),
  };
}
