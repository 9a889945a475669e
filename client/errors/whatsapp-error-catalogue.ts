/**
 * Every error the WhatsApp Business On-Premises operations answer: HTTP status, application code, the code's fixed
 * title, and when it is used (the project's decisions, spec `info.description`). The reference server raises these
 * entries and nothing else; the client reads them to describe a reply and to let callers test what went wrong.
 * Plain data with no dependency, so the client package carries it without any server code.
 */

/** The fixed titles of the WA application error codes. */
export const WHATSAPP_ERROR_TITLES = {
  1000: "Generic error",
  1004: "Resource already exists",
  1005: "Access denied",
  1006: "Resource not found",
  1008: "Required parameter is missing",
  1009: "Parameter value is not valid",
  1010: "Parameter is not required",
  1011: "Service not ready",
  1013: "User is not valid",
  1014: "Internal error",
  1015: "Too many requests",
  1016: "System overloaded",
  1017: "Not Primary Master",
  1018: "Not Primary Coreapp",
} as const;

/** A WA application error code. */
export type WhatsAppErrorCode = keyof typeof WHATSAPP_ERROR_TITLES;

/** One kind of WA error. */
export interface WhatsAppErrorEntry {
  readonly status: number;
  readonly code: WhatsAppErrorCode;
  readonly title: string;
  /** When the server answers it. */
  readonly when: string;
}

function entry<S extends number, C extends WhatsAppErrorCode>(status: S, code: C, when: string) {
  return { status, code, title: WHATSAPP_ERROR_TITLES[code], when } as const;
}

/**
 * The WA error catalogue. For each status, the first entry is the one a reply without an envelope stands for
 * (`whatsAppErrorForStatus`).
 */
export const whatsAppErrorCatalogue = {
  invalidParameter: entry(
    400,
    1009,
    "A parameter, header or field has a wrong type or value, or the body is not valid JSON; details name it.",
  ),
  missingParameter: entry(400, 1008, "A required parameter, header, field or body is missing."),
  unknownParameter: entry(400, 1010, "The body has a field the operation does not take, or a read-only one."),
  unauthorized: entry(
    401,
    1005,
    "Credentials are missing, malformed, unknown, revoked or expired (with WWW-Authenticate).",
  ),
  forbidden: entry(403, 1005, "The user lacks a role the operation's security requirement names (ROLE_ADMIN)."),
  notFound: entry(404, 1006, "No resource has this id or name, or the path is unknown."),
  methodNotAllowed: entry(405, 1009, "The path does not have this method (with Allow)."),
  alreadyExists: entry(409, 1004, "A resource of this name exists already."),
  payloadTooLarge: entry(413, 1009, "The body is larger than the limit of the operation or of its media type."),
  unsupportedMediaType: entry(
    415,
    1009,
    "The Content-Type is not one the operation takes, or does not match the bytes.",
  ),
  tooManyRequests: entry(429, 1015, "Too many requests from this client or for this user (with Retry-After)."),
  internalError: entry(500, 1014, "A fault of the server; never caused by the request."),
  genericError: entry(500, 1000, "A fault the server cannot name more precisely."),
  serviceNotReady: entry(503, 1011, "Storage is not writable or full; nothing was stored."),
} as const satisfies Record<string, WhatsAppErrorEntry>;

/** The name of an entry of the WA catalogue. */
export type WhatsAppErrorName = keyof typeof whatsAppErrorCatalogue;

/** The entry a reply of `status` without a WA envelope stands for (5xx: internalError; unknown: genericError). */
export function whatsAppErrorForStatus(status: number): WhatsAppErrorEntry {
  for (const found of Object.values(whatsAppErrorCatalogue)) if (found.status === status) return found;
  return status >= 500 ? whatsAppErrorCatalogue.internalError : { ...whatsAppErrorCatalogue.genericError, status };
}
