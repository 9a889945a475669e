/** The error thrown by the WhatsApp client for any non-2xx reply, with the WA error envelope's fields. */
import type { components } from "../generated/openapi.d.ts";
// The fixed code titles live with the server's envelope (a plain constant, no server runtime): one table for both.
import { WA_ERROR_TITLES } from "../server/edge/wa-envelope.ts";

/** One entry of a WA error envelope, as the spec's `WaError` schema describes it. */
export type WaError = components["schemas"]["WaError"];
/** The `meta` object of WA replies (`WaMeta`). */
export type WaMeta = components["schemas"]["WaMeta"];
type WaErrorResponse = components["schemas"]["WaErrorResponse"];
type WaErrorCode = WaError["code"];

// The project's status-to-code decisions (FACTS §1), read backwards to describe a body-less or foreign reply.
function codeForStatus(status: number): WaErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 1009;
    case 401:
    case 403:
      return 1005;
    case 404:
      return 1006;
    case 409:
      return 1004;
    case 429:
      return 1015;
    case 503:
      return 1011;
    default:
      return status >= 500 ? 1014 : 1000;
  }
}

function isWaErrorResponse(body: unknown): body is WaErrorResponse {
  if (typeof body !== "object" || body === null) return false;
  const errors = (body as { errors?: unknown }).errors;
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((e) => typeof e === "object" && e !== null && typeof (e as WaError).code === "number")
  );
}

/** A non-2xx reply of a WhatsApp Business API operation. */
export class WhatsAppApiError extends Error {
  override name = "WhatsAppApiError";
  /** HTTP status of the reply. */
  readonly status: number;
  /** The envelope's `errors`; synthesized from the status when the reply had no envelope (e.g. 404 on a download). */
  readonly errors: WaError[];
  /** The envelope's `meta`, when present. */
  readonly meta: WaMeta | undefined;

  constructor(status: number, errors: WaError[], meta?: WaMeta) {
    const first = errors[0];
    super(first ? `WhatsApp API ${status}: ${first.code} ${first.title}: ${first.details}` : `WhatsApp API ${status}`);
    this.status = status;
    this.errors = errors;
    this.meta = meta;
  }

  /** Builds the error from a reply and its parsed body (anything: an envelope, text, or nothing). */
  static fromReply(response: Response, body: unknown): WhatsAppApiError {
    if (isWaErrorResponse(body)) return new WhatsAppApiError(response.status, body.errors, body.meta);
    const code = codeForStatus(response.status);
    const details =
      typeof body === "string" && body.trim() !== ""
        ? body.trim().slice(0, 500)
        : response.status === 404
          ? "Resource not found"
          : `HTTP ${response.status} ${response.statusText}`.trim();
    return new WhatsAppApiError(response.status, [{ code, title: WA_ERROR_TITLES[code], details }]);
  }
}
