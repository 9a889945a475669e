/**
 * The one bounded JSON reader of both families: the body is read up to a limit, then parsed. The outcome is
 * returned, not thrown, so that each family answers it with its own error; a body that breaks off mid-way throws
 * RequestBodyIncompleteError.
 */
import { parseMediaType, type MediaType } from "../../spec-model/content-type.ts";
import { BodyTooLargeError, readBoundedBody } from "./request-body.ts";

/** What reading a JSON body gave. */
export type JsonBodyRead =
  | { kind: "json"; value: unknown }
  | { kind: "empty" }
  /** `abandoned`: reading stopped mid-body, so the connection cannot carry another request. */
  | { kind: "tooLarge"; maxBytes: number; abandoned: boolean }
  | { kind: "malformed" }
  /** The bytes are not UTF-8, which JSON text must be (RFC 8259 §8.1). */
  | { kind: "notUtf8" };

/** JSON text is UTF-8; bytes that are not are refused, not decoded with replacement characters. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** `application/json` or a `+json` type, in UTF-8 (or without a charset). */
export function isJsonMediaType(mt: MediaType | undefined): boolean {
  if (!mt) return false;
  const charset = mt.parameters.get("charset")?.toLowerCase();
  const json = mt.essence === "application/json" || (mt.type === "application" && mt.subtype.endsWith("+json"));
  return json && (charset === undefined || charset === "utf-8" || charset === "utf8");
}

/** Whether a `Content-Type` header value names a JSON media type. */
export function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && isJsonMediaType(parseMediaType(value));
}

/** How the reader bounds a body. */
export interface JsonBodyLimits {
  maxBytes: number;
  /**
   * Refuse a body whose Content-Length is over the bound without reading any of it (the server then drains or
   * closes); otherwise read up to the bound first.
   */
  refuseDeclaredOversize: boolean;
}

/** Reads and parses `request`'s body within `limits`. */
export async function readJsonBody(request: Request, limits: JsonBodyLimits): Promise<JsonBodyRead> {
  const { maxBytes } = limits;
  const declared = request.headers.get("content-length");
  if (limits.refuseDeclaredOversize && declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > maxBytes) {
    return { kind: "tooLarge", maxBytes, abandoned: false };
  }
  let raw: Buffer;
  try {
    raw = await readBoundedBody(request.body, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return { kind: "tooLarge", maxBytes, abandoned: true };
    throw err;
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    return { kind: "notUtf8" };
  }
  if (text.trim() === "") return { kind: "empty" };
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "malformed" };
  }
}
