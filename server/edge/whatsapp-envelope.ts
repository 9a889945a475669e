/**
 * The WhatsApp envelope: `meta` on every reply, `errors: [{code, title, details}]` on failures (spec:
 * `#/components/schemas/WaErrorResponse`), and the server's side of the WA error catalogue
 * (client/errors/whatsapp-error-catalogue.ts): `whatsAppErrors.notFound(details)` and its siblings are the only way
 * server code raises a WA error.
 */
import type { components } from "../../generated/openapi.d.ts";
import { whatsAppErrorCatalogue, type WhatsAppErrorEntry, type WhatsAppErrorName } from "@meta-media-openapi/client";

export type WaMeta = components["schemas"]["WaMeta"];
export type WaErrorResponse = components["schemas"]["WaErrorResponse"];

/** `meta` of every WA reply. */
export function whatsAppMeta(version: string): WaMeta {
  return { api_status: "stable", version };
}

/**
 * A WA error raised anywhere below the edge (stores, body reading, handlers) and turned into its envelope by the
 * WhatsApp family, so that code deep in a feature does not need the request to answer.
 */
export class WhatsAppHttpError extends Error {
  override name = "WhatsAppHttpError";
  constructor(
    readonly entry: WhatsAppErrorEntry,
    readonly details: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(details);
  }

  get status(): number {
    return this.entry.status;
  }

  get code(): WhatsAppErrorEntry["code"] {
    return this.entry.code;
  }
}

/** Raises the catalogue's errors: `throw whatsAppErrors.notFound("Media x not found")`. */
export const whatsAppErrors = Object.fromEntries(
  Object.entries(whatsAppErrorCatalogue).map(([name, entry]) => [
    name,
    (details: string, headers?: Record<string, string>) => new WhatsAppHttpError(entry, details, headers),
  ]),
) as { [N in WhatsAppErrorName]: (details: string, headers?: Record<string, string>) => WhatsAppHttpError };

/** The error body of an entry. */
export function whatsAppErrorBody(entry: WhatsAppErrorEntry, details: string, version: string): WaErrorResponse {
  return { errors: [{ code: entry.code, title: entry.title, details }], meta: whatsAppMeta(version) };
}

/** Turns a WhatsAppHttpError into its JSON reply. */
export function whatsAppErrorResponse(err: WhatsAppHttpError, version: string): Response {
  return new Response(JSON.stringify(whatsAppErrorBody(err.entry, err.details, version)), {
    status: err.status,
    headers: { "Content-Type": "application/json", ...err.headers },
  });
}
