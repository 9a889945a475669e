/**
 * JSON request bodies: Content-Type check (415), bounded read, parse (400 1009), then the spec's schema through ajv
 * (1008/1009/1010). Runs after authentication; the parsed body is handed to the handler in `waBody`.
 */
import type { MiddlewareHandler } from "hono";
import type { JsonSchema } from "../validation/openapi-document.ts";
import { parseMediaType } from "./content-type.ts";
import { BodyTooLargeError, readBoundedBody } from "./request-body.ts";
import { specAjv, validationError, type ValidationMappingOptions } from "./request-validation.ts";
import { WaHttpError } from "./wa-envelope.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The validated JSON body (undefined when an optional body was absent). */
    waBody: unknown;
  }
}

/** JSON text is UTF-8 (RFC 8259 §8.1); bytes that are not are refused, not replaced. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Settings, providers and users are small: anything larger is not a legitimate body for them. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

function isJson(contentType: string): boolean {
  const mt = parseMediaType(contentType);
  if (!mt) return false;
  const charset = mt.parameters.get("charset")?.toLowerCase();
  const jsonType = mt.essence === "application/json" || (mt.type === "application" && mt.subtype.endsWith("+json"));
  return jsonType && (charset === undefined || charset === "utf-8" || charset === "utf8");
}

/** Middleware validating an `application/json` body against `schema`. */
export function jsonBody(schema: JsonSchema, opts: { required: boolean } & ValidationMappingOptions): MiddlewareHandler {
  const validate = specAjv().schema(schema);
  return async (c, next) => {
    const contentType = c.req.header("content-type");
    if (contentType !== undefined && !isJson(contentType)) {
      throw new WaHttpError(415, 1009, "Content-Type must be application/json");
    }
    let raw: Buffer;
    try {
      raw = await readBoundedBody(c.req.raw.body, MAX_JSON_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new WaHttpError(413, 1009, `Request body must be at most ${MAX_JSON_BODY_BYTES} bytes`);
      throw err;
    }
    let text: string;
    try {
      text = UTF8.decode(raw);
    } catch {
      // Decoding with replacement characters would store text the client never sent.
      throw new WaHttpError(400, 1009, "Request body is not valid UTF-8 (JSON text must be UTF-8)");
    }
    if (text.trim() === "") {
      if (opts.required) throw new WaHttpError(400, 1008, "Request body is required");
      c.set("waBody", undefined);
      return next();
    }
    if (contentType === undefined) throw new WaHttpError(415, 1009, "Content-Type must be application/json");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WaHttpError(400, 1009, "Request body is not valid JSON");
    }
    if (!validate(body)) throw validationError(validate.errors, opts);
    c.set("waBody", body);
    await next();
  };
}
