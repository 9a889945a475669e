/** The error thrown by the WhatsApp client for any non-2xx reply, with the WA error envelope's fields. */
import type { components } from "../generated/openapi.d.ts";
import { type WhatsAppErrorEntry, whatsAppErrorForStatus } from "./errors/whatsapp-error-catalogue.ts";

/** One entry of a WA error envelope, as the spec's `WaError` schema describes it. */
export type WaError = components["schemas"]["WaError"];
/** The `meta` object of WA replies (`WaMeta`). */
export type WaMeta = components["schemas"]["WaMeta"];
type WaErrorResponse = components["schemas"]["WaErrorResponse"];

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

  /** Whether the reply is of the kind a catalogue entry describes (same status and code), e.g. `notFound`. */
  is(entry: WhatsAppErrorEntry): boolean {
    return this.status === entry.status && this.errors[0]?.code === entry.code;
  }

  /** Builds the error from a reply and its parsed body (anything: an envelope, text, or nothing). */
  static fromReply(response: Response, body: unknown): WhatsAppApiError {
    if (isWaErrorResponse(body)) return new WhatsAppApiError(response.status, body.errors, body.meta);
    // A reply without the envelope (a body-less 404 of a download, a proxy's page): the catalogue says what it means.
    const { code, title } = whatsAppErrorForStatus(response.status);
    const details =
      typeof body === "string" && body.trim() !== ""
        ? body.trim().slice(0, 500)
        : response.status === 404
          ? "Resource not found"
          : `HTTP ${response.status} ${response.statusText}`.trim();
    return new WhatsAppApiError(response.status, [{ code, title, details }]);
  }
}
