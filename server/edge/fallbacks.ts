/** The catch-alls: unknown paths 404 in the WA envelope, WA errors to their envelope, real faults 500 (1014) and logged. */
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppDeps } from "../app.ts";
import { RequestBodyIncompleteError } from "./request-body.ts";
import { WaHttpError, waErrorBody, waErrorResponse } from "./wa-envelope.ts";

/** Installs `notFound` and `onError` on the app. */
export function installFallbacks(app: Hono, deps: AppDeps): void {
  const version = deps.config.apiVersion;
  app.notFound((c) => c.json(waErrorBody(1006, `Unknown path ${c.req.method} ${c.req.path}`, version), 404));
  app.onError((err, c) => {
    if (err instanceof WaHttpError) {
      const res = waErrorResponse(err, version);
      // Refused before its body was read to the end (auth, size, type, storage): ask the client to stop sending
      // and close, rather than keep the connection and swallow the rest.
      const announcesBody = Number(c.req.header("content-length") ?? "0") > 0 || c.req.header("transfer-encoding") !== undefined;
      if (announcesBody && err.status !== 400) res.headers.set("Connection", "close");
      return res;
    }
    if (err instanceof RequestBodyIncompleteError) {
      // The client went away mid-body: nothing was kept, and nobody is likely to read this reply. Not a fault.
      const res = c.json(waErrorBody(1008, err.message, version), 400);
      res.headers.set("Connection", "close");
      return res;
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own client-error signals (for example a malformed request it refused to parse).
      return c.json(waErrorBody(1009, err.message || "Bad request", version), err.status);
    }
    console.error(`${c.req.method} ${c.req.path} failed:`, err);
    return c.json(waErrorBody(1014, "Internal error", version), 500);
  });
}
