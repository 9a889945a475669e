/**
 * Fetches a caller-supplied URL without letting the caller reach anything the address policy refuses: every URL
 * (the first and each redirect) is checked, and so is every address the socket is about to dial, so DNS rebinding
 * and odd IP spellings get nowhere. The body is streamed, never buffered, and counted against a byte limit.
 */
import { promises as dnsPromises, type LookupAddress } from "node:dns";
import net from "node:net";
import { Agent, buildConnector, request } from "undici";
import { type AddressPolicy, parseIp } from "./address-policy.ts";

/** Why a fetch failed (for logs and tests; API callers get one message for all of them). */
export type FetchFailureReason = "badUrl" | "refused" | "network" | "status" | "redirects" | "tooLarge" | "aborted";

/** A fetch that did not produce a body within the rules. */
export class FetchError extends Error {
  override name = "FetchError";
  constructor(
    readonly reason: FetchFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The connection was refused by the address policy before any packet was sent. */
export class AddressRefusedError extends FetchError {
  override name = "AddressRefusedError";
  constructor(
    readonly address: string,
    readonly hostname: string | undefined,
  ) {
    super("refused", `Address ${address}${hostname ? ` (${hostname})` : ""} is not allowed`);
  }
}

/** `dns.promises.lookup`, injectable so tests can play DNS. */
export type LookupFunction = typeof dnsPromises.lookup;

export interface SafeFetcherOptions {
  policy: AddressPolicy;
  lookup?: LookupFunction;
  /** Redirects followed at most (5). */
  maxRedirects?: number;
  /** TCP/TLS connect timeout (ms). */
  connectTimeoutMs?: number;
  /**
   * The connector that actually dials, after the checks; tests
   * pass a spy. Defaults to undici's with the checked lookup.
   */
  dial?: buildConnector.connector;
}

/** A successful response whose body is yet to be read. */
export interface FetchedResource {
  /** The final URL, after redirects. */
  url: string;
  contentType: string | undefined;
  contentLength: number | undefined;
  /**
   * The body, counted: iterating past `maxBytes` throws FetchError("tooLarge"). Stopping early closes the connection.
   */
  body: AsyncIterable<Uint8Array>;
  /** Drops the body unread (for a caller that gives up before iterating it). */
  discard(): void;
}

export interface SafeFetcher {
  /** GETs the URL following at most `maxRedirects` redirects; `signal` bounds the whole exchange including the body. */
  get(url: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<FetchedResource>;
  close(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function bareHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** Parses and checks a URL before any connection: scheme, credentials, and IP-literal hosts. */
export function checkFetchUrl(raw: string | URL, policy: AddressPolicy): URL {
  let url: URL;
  try {
    // The WHATWG parser turns 0x7f000001, 2130706433, 017700000001, 127.1 ... into 127.0.0.1 and compresses IPv6.
    url = new URL(raw);
  } catch {
    throw new FetchError("badUrl", "Not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new FetchError("badUrl", `Scheme ${url.protocol} is not allowed`);
  if (url.username !== "" || url.password !== "")
    throw new FetchError("badUrl", "Credentials in the URL are not allowed");
  const host = bareHost(url.hostname);
  if (host === "") throw new FetchError("badUrl", "The URL has no host");
  if (parseIp(host)) {
    const verdict = policy.check(host);
    if (!verdict.allowed) throw new AddressRefusedError(host, undefined);
  }
  url.hash = "";
  return url;
}

/** Where a redirect leads, judged like the first URL; FetchError for no target, an invalid one, or one too many. */
export function redirectTarget(
  status: number,
  location: string | null | undefined,
  from: URL,
  redirects: number,
  maxRedirects: number,
  policy: AddressPolicy,
): URL {
  if (!location) throw new FetchError("status", `Redirect ${status} without Location`);
  if (redirects >= maxRedirects) throw new FetchError("redirects", `More than ${maxRedirects} redirects`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new FetchError("badUrl", "Redirect to an invalid URL");
  }
  return checkFetchUrl(next, policy);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A callback-style lookup for net.connect that refuses the whole name if any of its addresses is refused. */
export function guardedLookup(policy: AddressPolicy, lookup: LookupFunction) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string } | number,
    callback: LookupCallback,
  ): void => {
    const opts = typeof options === "number" ? { family: options } : (options ?? {});
    const family =
      opts.family === "IPv4" ? 4 : opts.family === "IPv6" ? 6 : typeof opts.family === "number" ? opts.family : 0;
    lookup(hostname, { all: true, family: family as 0 | 4 | 6 }).then(
      (addresses) => {
        const list = (Array.isArray(addresses) ? addresses : [addresses]) as LookupAddress[];
        if (list.length === 0) {
          callback(Object.assign(new Error(`No address for ${hostname}`), { code: "ENOTFOUND" }), []);
          return;
        }
        // Every address is one the socket may dial (happy eyeballs tries them all), so every one must pass.
        for (const { address } of list) {
          if (!policy.check(address, hostname).allowed) {
            callback(new AddressRefusedError(address, hostname) as NodeJS.ErrnoException, []);
            return;
          }
        }
        if (opts.all) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/**
 * The connector of the fetcher's Agent: IP-literal hosts are checked
 * here (net.connect skips lookup for them), names in the lookup.
 */
export function guardedConnector(policy: AddressPolicy, dial: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const host = bareHost(options.hostname);
    const hostIsIp = net.isIP(host) !== 0;
    if (hostIsIp && !policy.check(host).allowed) {
      callback(new AddressRefusedError(host, undefined), null);
      return;
    }
    dial(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new FetchError("network", "No socket"), null);
      // Belt and braces: the peer must be an address the policy accepts for this host.
      const remote = socket.remoteAddress;
      if (remote && !policy.check(remote, hostIsIp ? undefined : host).allowed) {
        socket.destroy();
        return callback(new AddressRefusedError(remote, hostIsIp ? undefined : host), null);
      }
      callback(null, socket);
    });
  };
}

/** undici's connector with the checked lookup: what actually opens sockets for names. */
export function createDial(
  policy: AddressPolicy,
  lookup: LookupFunction = dnsPromises.lookup,
  connectTimeoutMs = 10_000,
): buildConnector.connector {
  return buildConnector({ lookup: guardedLookup(policy, lookup) as never, timeout: connectTimeoutMs });
}

async function* counted(
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown },
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.length;
      if (total > maxBytes) throw new FetchError("tooLarge", `The body is larger than ${maxBytes} bytes`);
      yield chunk;
    }
  } finally {
    // Ends the download at once when the consumer stops (limit, type mismatch, timeout).
    drop(body);
  }
}

/** Closes a body we no longer want; its "aborted" error is expected and must not surface as unhandled. */
function drop(body: { destroy(err?: Error): unknown; on?(event: "error", fn: () => void): unknown }): void {
  body.on?.("error", () => undefined);
  body.destroy();
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Builds the fetcher (one undici Agent; call close() when done). */
export function createSafeFetcher(options: SafeFetcherOptions): SafeFetcher {
  const { policy, maxRedirects = 5, connectTimeoutMs = 10_000 } = options;
  const lookup = options.lookup ?? dnsPromises.lookup;
  const dial = options.dial ?? createDial(policy, lookup, connectTimeoutMs);
  const agent = new Agent({ connect: guardedConnector(policy, dial), connections: 16 });

  return {
    async get(raw, { maxBytes, signal }) {
      let url = checkFetchUrl(raw, policy);
      for (let redirects = 0; ; redirects++) {
        let res: Awaited<ReturnType<typeof request>>;
        try {
          res = await request(url, {
            dispatcher: agent,
            method: "GET",
            headers: {
              accept: "*/*",
              "accept-encoding": "identity",
              "user-agent": "meta-media-openapi-reference-server",
            },
            signal,
          });
        } catch (err) {
          if (err instanceof FetchError) throw err;
          if (signal?.aborted) throw new FetchError("aborted", "The fetch was aborted", { cause: err });
          // undici may wrap the connector's error; surface a refusal as such.
          const cause = (err as { cause?: unknown }).cause;
          if (cause instanceof AddressRefusedError) throw cause;
          throw new FetchError("network", (err as Error).message ?? "Network error", { cause: err });
        }
        if (REDIRECTS.has(res.statusCode)) {
          drop(res.body);
          url = redirectTarget(res.statusCode, header(res.headers, "location"), url, redirects, maxRedirects, policy);
          continue;
        }
        if (res.statusCode < 200 || res.statusCode >= 300) {
          drop(res.body);
          throw new FetchError("status", `HTTP ${res.statusCode}`);
        }
        const lengthHeader = header(res.headers, "content-length");
        const contentLength =
          lengthHeader !== undefined && /^[0-9]{1,16}$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
        if (contentLength !== undefined && contentLength > maxBytes) {
          drop(res.body);
          throw new FetchError("tooLarge", `Content-Length ${contentLength} is over ${maxBytes}`);
        }
        return {
          url: url.href,
          contentType: header(res.headers, "content-type"),
          contentLength,
          body: counted(res.body, maxBytes),
          discard: () => drop(res.body),
        };
      }
    },
    close: () => agent.close(),
  };
}
