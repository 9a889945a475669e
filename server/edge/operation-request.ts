/** The request as a handler and a family's security see it, over Hono's context. */
import type { Context } from "hono";
import { readJsonBody, type JsonBodyRead } from "./json-body.ts";
import { requestBodyChunks } from "./request-body.ts";

/** One request to an operation. */
export class OperationRequest {
  private jsonRead?: Promise<JsonBodyRead>;

  constructor(
    /** Hono's context: replies that write straight to Node's response need it. */
    readonly context: Context,
    private readonly jsonBodyMaxBytes: number,
  ) {}

  /** The web Request (headers, URL, signal, body). */
  get raw(): Request {
    return this.context.req.raw;
  }

  get method(): string {
    return this.context.req.method;
  }

  /** A header's value (names are case-insensitive). */
  header(name: string): string | undefined {
    return this.context.req.header(name);
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
    this.jsonRead ??= readJsonBody(this.context.req.raw, this.jsonBodyMaxBytes);
    return this.jsonRead;
  }
}
