/** The request as a handler and a family's security see it, over Hono's context. */
import type { Context } from "hono";
import { readJsonBody, type JsonBodyLimits, type JsonBodyRead } from "./json-body.ts";
import { requestBodyChunks } from "./request-body.ts";

/** Node's request, when the app is served by @hono/node-server. */
type NodeHeaders = Record<string, string | string[] | undefined>;

/** One request to an operation. */
export class OperationRequest {
  private jsonRead?: Promise<JsonBodyRead>;
  /**
   * Node's parsed headers when served by @hono/node-server: reading them there spares building the web Request's
   * `Headers` from the raw ones, which showed on the settings read, every admin's hot path (scripts/bench).
   */
  private readonly nodeHeaders: NodeHeaders | undefined;
  /** True once reading the body stopped mid-way: the connection cannot carry another request. */
  bodyAbandoned = false;

  constructor(
    /** Hono's context: replies that write straight to Node's response need it. */
    readonly context: Context,
    private readonly jsonLimits: JsonBodyLimits,
  ) {
    const incoming = (context.env as { incoming?: { headers?: unknown } } | undefined)?.incoming;
    this.nodeHeaders = typeof incoming?.headers === "object" ? (incoming.headers as NodeHeaders) : undefined;
  }

  /** The web Request (headers, URL, signal, body). */
  get raw(): Request {
    return this.context.req.raw;
  }

  get method(): string {
    return this.context.req.method;
  }

  /** A header's value (names are case-insensitive; repeated headers joined as `Headers` does). */
  header(name: string): string | undefined {
    if (!this.nodeHeaders) return this.context.req.header(name);
    const value = this.nodeHeaders[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /** A query parameter's first value. */
  query(name: string): string | undefined {
    return this.context.req.query(name);
  }

  /** Aborted when the client goes away. */
  get signal(): AbortSignal {
    return this.context.req.raw.signal;
  }

  /** Whether the request announces a body (Content-Length above 0, or chunked). */
  announcesBody(): boolean {
    const length = Number(this.header("content-length") ?? "0");
    return length > 0 || this.header("transfer-encoding") !== undefined;
  }

  /** The body's chunks, read as a stream (straight from Node's socket when served by @hono/node-server). */
  bodyChunks(): AsyncIterable<Uint8Array> | undefined {
    return requestBodyChunks(this.context);
  }

  /** The body as a web stream, for parsers that want one (multipart). */
  bodyStream(): ReadableStream<Uint8Array> | null {
    return this.context.req.raw.body;
  }

  /** The JSON body through the bounded reader; read once, so security and the body step share it. */
  readJson(): Promise<JsonBodyRead> {
    this.jsonRead ??= readJsonBody(this.context.req.raw, this.jsonLimits).then((read) => {
      if (read.kind === "tooLarge" && read.abandoned) this.bodyAbandoned = true;
      return read;
    });
    return this.jsonRead;
  }
}
