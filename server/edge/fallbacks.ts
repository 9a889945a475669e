/**
 * The app's last resort, for errors outside the operations (whose errors their family answers): the API docs routes and
 * Hono's own client-error signals. WA errors to their envelope, real faults 500 (1014) and logged.
 */
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { whatsAppErrorCatalogue } from "@meta-media-openapi/client";
import { whatsAppErrorBody, whatsAppErrorResponse, WhatsAppHttpError } from "./whatsapp-envelope.ts";

/** Installs `onError` on the app. */
export function installErrorFallback(app: Hono, apiVersion: string): void {
  app.onError((err, c) => {
    if (err instanceof WhatsAppHttpError) return whatsAppErrorResponse(err, apiVersion);
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own client-error signals (for example a malformed request it refused to parse).
      const body = whatsAppErrorBody(whatsAppErrorCatalogue.invalidParameter, err.message || "Bad request", apiVersion);
      return c.json(body, err.status);
    }
    console.error(`${c.req.method} ${c.req.path} failed:`, err);
    return c.json(whatsAppErrorBody(whatsAppErrorCatalogue.internalError, "Internal error", apiVersion), 500);
  });
}
