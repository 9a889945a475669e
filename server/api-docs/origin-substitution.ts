/**
 * The served spec and docs name the origin the request reached instead of the spec's fixed local-server origin
 * (`http://127.0.0.1:8080`, the `Local reference server` entry of `servers`, with `/{version}` under it on the Graph
 * paths). The files are rendered once (the docs page with the spec inlined); serving substitutes the origin into the
 * bytes, split once per file version and joined once per origin, then kept: no re-rendering, no parsing.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { SAFE_ORIGIN } from "../edge/request-origin.ts";

/** The origin spec/ gives the local reference server; what the served documents replace. */
export const SPEC_LOCAL_ORIGIN = "http://127.0.0.1:8080";

/** How many origins' copies of one file are kept (the Host header is the client's: the cache must stay bounded). */
const ORIGINS_PER_FILE = 4;

/** A served document with the origin substituted, and its validator. */
export interface SubstitutedDocument {
  body: Buffer;
  /** Changes with the file (size, modification time) and with the origin. */
  etag: string;
}

interface FileEntry {
  version: string;
  /** The file's bytes split at each occurrence of SPEC_LOCAL_ORIGIN. */
  parts: Buffer[];
  byOrigin: Map<string, SubstitutedDocument>;
}

function splitAt(bytes: Buffer, needle: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(needle, from); at !== -1; at = bytes.indexOf(needle, from)) {
    parts.push(bytes.subarray(from, at));
    from = at + needle.length;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Per-process cache of the served documents, by file and origin. */
export class OriginSubstitution {
  private readonly files = new Map<string, FileEntry>();
  private readonly needle = Buffer.from(SPEC_LOCAL_ORIGIN);

  /**
   * `file` with SPEC_LOCAL_ORIGIN replaced by `origin` (unchanged when origin is undefined). Throws what reading the
   * file throws (ENOENT when it is missing).
   */
  async document(file: string, origin: string | undefined): Promise<SubstitutedDocument> {
    const target = origin ?? SPEC_LOCAL_ORIGIN;
    // Validated upstream; checked again because the value goes into HTML, inline JSON and YAML without escaping.
    if (!SAFE_ORIGIN.test(target)) throw new Error(`not a safe origin: ${JSON.stringify(target)}`);
    const info = await stat(file);
    const version = `${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}`;
    let entry = this.files.get(file);
    if (entry?.version !== version) {
      entry = { version, parts: splitAt(await readFile(file), this.needle), byOrigin: new Map() };
      this.files.set(file, entry);
    }
    const cached = entry.byOrigin.get(target);
    if (cached) {
      // Most recently used last: the oldest origin is the one dropped.
      entry.byOrigin.delete(target);
      entry.byOrigin.set(target, cached);
      return cached;
    }
    const glue = Buffer.from(target);
    const pieces = entry.parts.flatMap((part, i) => (i === 0 ? [part] : [glue, part]));
    const originTag = createHash("sha256").update(target).digest("hex").slice(0, 8);
    const made = { body: Buffer.concat(pieces), etag: `"${version}-${originTag}"` };
    if (entry.byOrigin.size >= ORIGINS_PER_FILE) entry.byOrigin.delete(entry.byOrigin.keys().next().value!);
    entry.byOrigin.set(target, made);
    return made;
  }
}
