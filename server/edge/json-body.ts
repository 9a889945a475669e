/**
 * The one bounded JSON reader of both families: the body is read up to a limit (a declared Content-Length over it is
 * refused before reading), then parsed. The outcome is returned, not thrown, so that each family answers it with
 * its own error; a body that breaks off mid-way throws RequestBodyIncompleteError.
 */
import { parseMediaType, type MediaType } from "./content-type.ts";
import { BodyTooLargeError, readBoundedBody } from "./request-body.ts";

/** What reading a JSON body gave. */
export type JsonBodyRead =
  | { kind: "json"; value: unknown }
  | { kind: "empty" }
  | { kind: "tooLarge"; maxBytes: number }
  | { kind: "malformed" };

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

/** Reads and parses `request`'s body, at most `maxBytes`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBodyRead> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > maxBytes)
    return { kind: "tooLarge", maxBytes };
  let raw: Buffer;
  try {
    raw = await readBoundedBody(request.body, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return { kind: "tooLarge", maxBytes };
    throw err;
  }
  const text = raw.toString("utf8");
  if (text.trim() === "") return { kind: "empty" };
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "malformed" };
  }
}
