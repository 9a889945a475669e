/**
 * Parsing of `Content-Type` values (RFC 9110 media types):
 * case-insensitive type, subtype and parameter names, quoted values.
 */

export interface MediaType {
  /** `type/subtype`, lower case. */
  essence: string;
  type: string;
  subtype: string;
  /** Parameter names in lower case; values unquoted, case kept. */
  parameters: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a media type; undefined when the value is not a valid `type/subtype *(; name=value)`. */
export function parseMediaType(value: string | null | undefined): MediaType | undefined {
  if (value === null || value === undefined) return undefined;
  const [essencePart = "", ...rest] = splitParameters(value);
  const slash = essencePart.indexOf("/");
  if (slash < 0) return undefined;
  const type = essencePart.slice(0, slash).trim().toLowerCase();
  const subtype = essencePart
    .slice(slash + 1)
    .trim()
    .toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const parameters = new Map<string, string>();
  for (const part of rest) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) return undefined;
    const name = part.slice(0, eq).trim().toLowerCase();
    let raw = part.slice(eq + 1).trim();
    if (!TOKEN.test(name)) return undefined;
    if (raw.startsWith('"')) {
      if (raw.length < 2 || !raw.endsWith('"')) return undefined;
      raw = raw.slice(1, -1).replace(/\\(.)/g, "$1");
    } else if (!TOKEN.test(raw)) {
      return undefined;
    }
    parameters.set(name, raw);
  }
  return { essence: `${type}/${subtype}`, type, subtype, parameters };
}

/** Splits on `;` outside quoted strings. */
function splitParameters(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === "\\" && i + 1 < value.length) {
      current += ch + value[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ";" && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** The canonical text of a media type: lower-case essence and parameter names, `; ` between parts. */
export function formatMediaType(mt: MediaType): string {
  let out = mt.essence;
  for (const [name, value] of mt.parameters)
    out += `; ${name}=${TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`}`;
  return out;
}

/**
 * Whether `actual` falls under the range `range` (as written in the spec, for example `text/*` or
 * `audio/ogg; codecs=opus`): same type, same subtype unless the range says `*`, and every parameter of the range
 * present with the same value (compared case-insensitively: codec names and charsets are case-insensitive).
 */
export function mediaTypeMatches(range: MediaType, actual: MediaType): boolean {
  if (range.type !== "*" && range.type !== actual.type) return false;
  if (range.subtype !== "*" && range.subtype !== actual.subtype) return false;
  for (const [name, value] of range.parameters) {
    if (actual.parameters.get(name)?.toLowerCase() !== value.toLowerCase()) return false;
  }
  return true;
}

/** Whether the type or subtype is `*`: a range (`text/*`, `*\/*`) that can match a body's type but is not one. */
export function isMediaRange(mt: MediaType): boolean {
  return mt.type === "*" || mt.subtype === "*";
}

/** How specific a range is, to prefer `audio/ogg; codecs=opus` over `audio/*` over `*\/*`. */
export function mediaTypeSpecificity(range: MediaType): number {
  return (range.type === "*" ? 0 : 100) + (range.subtype === "*" ? 0 : 10) + range.parameters.size;
}
