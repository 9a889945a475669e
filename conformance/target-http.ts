/**
 * The one way the suite talks HTTP to a target, which it must treat as possibly hostile: it runs with admin
 * credentials against other people's deployments. Every request goes to an origin the run was given (the target, the
 * Graph base URL, or the suite's own loopback proxies) and nowhere else; no redirect is ever followed (a 3xx comes
 * back as it is, for the check to fail); replies are read with a cap (JSON and error bodies, any other body) or
 * compared as they stream against the bytes expected (downloads); and every request has a deadline covering its
 * reply's body.
 */

/** Limits of every exchange. */
export interface HttpLimits {
  /** Deadline of one request, its reply's body included (milliseconds). */
  requestTimeoutMs: number;
  /** Most bytes of a reply body that are read; past it the reply is `oversized` and the connection dropped. */
  maxReplyBytes: number;
}

/** The default limits: JSON replies of these APIs are a few KiB, and media the suite downloads is its own. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 15_000, maxReplyBytes: 4 * 1024 * 1024 };

/** What came back: the status, the headers, and as much of the body as the rules need. */
export interface HttpReply {
  status: number;
  headers: Headers;
  /** Bytes of the body read (all of it, unless `oversized` or a comparison stopped early). */
  size: number;
  /** The body as text, when it is JSON, text or empty. */
  text?: string;
  /** Its first bytes, for failure excerpts. */
  head: Uint8Array;
  /** The body went past `maxReplyBytes` (or past the bytes expected) and was not read further. */
  oversized?: boolean;
  /** Given the bytes expected: undefined when the body is exactly them, else where and how it differs. */
  mismatch?: string;
  /** Time from sending to the end of the body (or to where reading stopped). */
  ms: number;
}

/** No reply: the deadline passed, the connection failed, or the run stopped waiting (Ctrl-C). */
export class NoReply extends Error {
  override name = "NoReply";
  constructor(
    readonly kind: "timeout" | "network" | "aborted",
    message: string,
  ) {
    super(message);
  }
}

/** A request to an origin the run was not given: a bug of the suite, refused before anything is sent. */
export class OriginRefused extends Error {
  override name = "OriginRefused";
}

/** A request as the HTTP layer sends it. */
export interface HttpRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
}

/** Per-request choices. */
export interface SendOptions {
  /** Aborts the request (the run was interrupted). */
  signal?: AbortSignal;
  /** Replaces the default deadline (cleanup after Ctrl-C has less time). */
  timeoutMs?: number;
  /** Compare a 2xx body with these bytes as it streams, instead of keeping it. */
  expectBytes?: Uint8Array;
}

const HEAD_BYTES = 64;

const isTextual = (contentType: string | null) => contentType !== null && /json|^\s*text\//i.test(contentType);

/** Sends requests to the allowed origins only, with the limits above. */
export class TargetHttp {
  private readonly origins = new Set<string>();

  constructor(
    origins: readonly string[],
    readonly limits: HttpLimits = DEFAULT_HTTP_LIMITS,
  ) {
    for (const o of origins) this.allow(o);
  }

  /** Adds an origin (a base URL's scheme, host and port) that requests may go to. */
  allow(baseUrl: string): void {
    this.origins.add(new URL(baseUrl).origin);
  }

  /** Whether a URL is on an allowed origin. */
  allows(url: string): boolean {
    try {
      return this.origins.has(new URL(url).origin);
    } catch {
      return false;
    }
  }

  /** Sends one request and reads its reply within the limits; throws NoReply or OriginRefused. */
  async send(req: HttpRequest, opts: SendOptions = {}): Promise<HttpReply> {
    if (!this.allows(req.url)) {
      throw new OriginRefused(`refused to send ${req.method} ${safeUrl(req.url)}: not the target's origin`);
    }
    const timeoutMs = opts.timeoutMs ?? this.limits.requestTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    const started = performance.now();
    const fail = (err: unknown): never => {
      if (opts.signal?.aborted) throw new NoReply("aborted", "the run stopped waiting for the reply (interrupted)");
      if (deadline.aborted) throw new NoReply("timeout", `no complete reply within ${timeoutMs} ms`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new NoReply("network", `${(err as Error).message}${cause?.message ? `: ${cause.message}` : ""}`);
    };
    let response: Response;
    try {
      response = await fetch(req.url, {
        method: req.method,
        ...(req.headers ? { headers: req.headers } : {}),
        ...(req.body !== undefined ? { body: req.body as BodyInit } : {}),
        // Never followed: a redirect would carry the credentials (and a body with passwords) somewhere else.
        redirect: "manual",
        signal,
      });
    } catch (err) {
      return fail(err);
    }
    const contentType = response.headers.get("content-type");
    const redirect = response.status >= 300 && response.status < 400;
    try {
      const body = redirect
        ? await skipBody(response.body)
        : await readBody(response.body, {
            textual: isTextual(contentType),
            cap: this.limits.maxReplyBytes,
            // Only a success carries the media; an error reply is read like any other.
            ...(opts.expectBytes && response.ok ? { expect: opts.expectBytes } : {}),
          });
      return { status: response.status, headers: response.headers, ...body, ms: performance.now() - started };
    } catch (err) {
      return fail(err);
    }
  }
}

/** A URL for messages: without the access token. */
export function safeUrl(url: string): string {
  return url.replace(/(access_token=)[^&]+/, "$1…");
}

async function skipBody(
  body: ReadableStream<Uint8Array> | null,
): Promise<Omit<HttpReply, "status" | "headers" | "ms">> {
  await body?.cancel().catch(() => undefined);
  return { size: 0, head: new Uint8Array(0) };
}

/**
 * Reads a body within `cap` bytes: kept whole when textual, else counted (its head kept), or compared with `expect`
 * chunk by chunk (stopping at the first difference). Past the cap, or past the bytes expected, reading stops and the
 * stream is cancelled, which drops the connection: an endless or huge body costs at most the cap.
 */
async function readBody(
  body: ReadableStream<Uint8Array> | null,
  opts: { textual: boolean; cap: number; expect?: Uint8Array },
): Promise<Omit<HttpReply, "status" | "headers" | "ms">> {
  const chunks: Uint8Array[] = [];
  const head = new Uint8Array(HEAD_BYTES);
  let headLength = 0;
  let size = 0;
  let oversized = false;
  let mismatch: string | undefined;
  const expect = opts.expect;
  const cap = expect ? expect.length : opts.cap;
  const reader = body?.getReader();
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      if (headLength < HEAD_BYTES) {
        const take = value.subarray(0, HEAD_BYTES - headLength);
        head.set(take, headLength);
        headLength += take.length;
      }
      if (size + value.length > cap) {
        oversized = true;
        if (expect) {
          mismatch = `the body is longer than the ${expect.length} bytes expected`;
          if (!differsAt(value.subarray(0, cap - size), expect, size)) size = cap;
        }
        break;
      }
      if (expect) {
        const at = differsAt(value, expect, size);
        if (at !== undefined) {
          mismatch = `the body differs from the bytes expected at byte ${at}`;
          size += value.length;
          break;
        }
      } else if (opts.textual) {
        chunks.push(value);
      }
      size += value.length;
    }
    if (expect && !mismatch && size !== expect.length)
      mismatch = `the body has ${size} bytes, ${expect.length} were expected`;
  } finally {
    // Stops the transfer (and frees the connection) when reading ended early; a no-op after the end.
    await reader?.cancel().catch(() => undefined);
  }
  const text = !expect && (opts.textual || size === 0) ? new TextDecoder().decode(concat(chunks, size)) : undefined;
  return {
    size,
    head: head.subarray(0, headLength),
    ...(text !== undefined && !oversized ? { text } : {}),
    ...(oversized ? { oversized } : {}),
    ...(mismatch ? { mismatch } : {}),
  };
}

/** The first index (absolute, from `offset`) where `chunk` differs from `expect`, if any. */
function differsAt(chunk: Uint8Array, expect: Uint8Array, offset: number): number | undefined {
  for (let i = 0; i < chunk.length; i++) if (chunk[i] !== expect[offset + i]) return offset + i;
  return undefined;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
