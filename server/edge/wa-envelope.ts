/** The WhatsApp envelope: `meta` on every reply, `errors: [{code, title, details}]` on failures (FACTS §1). */
import type { components } from "../../generated/openapi.d.ts";

export type WaMeta = components["schemas"]["WaMeta"];
export type WaErrorResponse = components["schemas"]["WaErrorResponse"];

/** Fixed titles of the WA application error codes. */
export const WA_ERROR_TITLES = {
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

export type WaErrorCode = keyof typeof WA_ERROR_TITLES;

/** `meta` of every WA reply. */
export function waMeta(version: string): WaMeta {
  return { api_status: "stable", version };
}

/** The error body for one code. */
export function waErrorBody(code: WaErrorCode, details: string, version: string): WaErrorResponse {
  return { errors: [{ code, title: WA_ERROR_TITLES[code], details }], meta: waMeta(version) };
}

/**
 * A WA error raised anywhere below the edge (stores, body reading, handlers) and turned into its envelope by the
 * app's error handler, so that code deep in a feature does not need the request context to answer.
 */
export class WaHttpError extends Error {
  override name = "WaHttpError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 503,
    readonly code: WaErrorCode,
    readonly details: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(details);
  }
}

/** Turns a WaHttpError into its JSON reply. */
export function waErrorResponse(err: WaHttpError, version: string): Response {
  return new Response(JSON.stringify(waErrorBody(err.code, err.details, version)), {
    status: err.status,
    headers: { "Content-Type": "application/json", ...err.headers },
  });
}
