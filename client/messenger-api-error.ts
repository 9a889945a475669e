/** The error thrown by the Messenger client for any non-2xx reply, with the Graph error envelope's fields. */
import type { components } from "../generated/openapi.d.ts";
import {
  type MessengerErrorEntry,
  messengerErrorCatalogue,
  isMessengerErrorOf,
} from "./errors/messenger-error-catalogue.ts";

type GraphError = components["schemas"]["GraphError"];
type GraphErrorResponse = components["schemas"]["GraphErrorResponse"];

function isGraphErrorResponse(body: unknown): body is GraphErrorResponse {
  if (typeof body !== "object" || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === "object" && error !== null && typeof (error as GraphError).code === "number";
}

/** A non-2xx reply of a Graph API operation. */
export class MessengerApiError extends Error {
  override name = "MessengerApiError";
  /** HTTP status of the reply. */
  readonly status: number;
  /** Graph error code (100 invalid parameter, 190 access token...). */
  readonly code: GraphError["code"];
  /** Graph `error_subcode`, when present (e.g. 2018074, 2018008). */
  readonly subcode: GraphError["error_subcode"];
  /** Graph error type, e.g. `OAuthException`. */
  readonly type: GraphError["type"];
  /** Graph trace id to quote to Meta support. */
  readonly fbtrace_id: GraphError["fbtrace_id"];
  /** The whole `error` object of the envelope. */
  readonly error: GraphError;

  constructor(status: number, error: GraphError) {
    super(error.message);
    this.status = status;
    this.error = error;
    this.code = error.code;
    this.subcode = error.error_subcode;
    this.type = error.type;
    this.fbtrace_id = error.fbtrace_id;
  }

  /** Whether the error is of the kind a catalogue entry describes (same code and subcode), e.g. `fetchFailed`. */
  is(entry: MessengerErrorEntry): boolean {
    return isMessengerErrorOf(this.error, entry);
  }

  /** Builds the error from a reply and its parsed body; a reply without a Graph envelope is `unknownError` (code 1). */
  static fromReply(response: Response, body: unknown): MessengerApiError {
    if (isGraphErrorResponse(body)) return new MessengerApiError(response.status, body.error);
    const text = typeof body === "string" && body.trim() !== "" ? body.trim().slice(0, 500) : "";
    const { code, type } = messengerErrorCatalogue.unknownError;
    return new MessengerApiError(response.status, {
      message: text || `HTTP ${response.status} ${response.statusText}`.trim(),
      type,
      code,
      fbtrace_id: response.headers.get("x-fb-trace-id") ?? "",
    });
  }
}
