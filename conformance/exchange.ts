/**
 * One request/response pair of the contract suite: how a request is described, sent (to the server directly or
 * through a validating proxy), checked against the spec, and reported when it breaks a rule.
 */
import { familyOf, type ApiFamily } from "./spec.ts";
import { responseProblems } from "./response-conformance.ts";

/** A request the suite sends, tied to the operation it exercises. */
export interface ContractRequest {
  operationId: string;
  method: string;
  /** The path as sent (path ids already substituted; may deliberately hold malformed escapes). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
}

/** What came back, fully read. */
export interface ContractResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  /** The body as text when it is JSON or empty. */
  text?: string;
}

/** Where requests of each family go (a server, or a validating proxy in front of it). */
export type BaseUrls = Record<ApiFamily, string>;

/** The absolute URL a request goes to. Built by hand so malformed escapes in the path reach the server untouched. */
export function requestUrl(bases: BaseUrls, req: ContractRequest): string {
  const base = bases[familyOf(req.operationId)].replace(/\/+$/, "");
  const query = req.query && Object.keys(req.query).length ? `?${new URLSearchParams(req.query).toString()}` : "";
  return `${base}${req.path}${query}`;
}

/** Sends a request and reads the whole reply (test-sized bodies only). */
export async function sendRequest(
  bases: BaseUrls,
  req: ContractRequest,
  timeoutMs = 30_000,
): Promise<ContractResponse> {
  const url = requestUrl(bases, req);
  const response = await fetch(url, {
    method: req.method,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body as BodyInit } : {}),
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const contentType = response.headers.get("content-type");
  const textual = bytes.length === 0 || (contentType !== null && /json|^text\//i.test(contentType));
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    ...(textual ? { text: new TextDecoder().decode(bytes) } : {}),
  };
}

const SECRET_HEADERS = new Set(["authorization", "cookie"]);

function redact(value: string): string {
  const [scheme, secret = ""] = value.split(/\s+/, 2);
  return secret ? `${scheme} ${secret.slice(0, 4)}…(${secret.length} chars)` : `${value.slice(0, 4)}…`;
}

function bodyExcerpt(body: ContractRequest["body"], max = 300): string {
  if (body === undefined) return "(none)";
  if (typeof body === "string")
    return body.length > max ? `${body.slice(0, max)}… (${body.length} chars)` : body || "(empty)";
  if (body instanceof Uint8Array) {
    return `${body.length} bytes: ${Buffer.from(body.subarray(0, 24)).toString("hex")}${body.length > 24 ? "…" : ""}`;
  }
  const parts: string[] = [];
  for (const [name, value] of body.entries()) {
    parts.push(
      typeof value === "string"
        ? `${name}=${value.slice(0, 120)}`
        : `${name}=<file ${value.type || "no type"} ${value.size} bytes>`,
    );
  }
  return `multipart: ${parts.join("; ")}`;
}

/** A broken rule, with everything needed to reproduce it. */
export class ContractViolation extends Error {
  override name = "ContractViolation";
  constructor(
    readonly operationId: string,
    readonly rule: string,
    readonly detail: string,
    readonly request: ContractRequest,
    readonly url: string,
    readonly response?: ContractResponse,
    readonly replay?: string,
  ) {
    super(ContractViolation.describe(operationId, rule, detail, request, url, response, replay));
  }

  static describe(
    operationId: string,
    rule: string,
    detail: string,
    req: ContractRequest,
    url: string,
    res?: ContractResponse,
    replay?: string,
  ): string {
    const headers = Object.entries(req.headers ?? {})
      .map(([k, v]) => `${k}: ${SECRET_HEADERS.has(k.toLowerCase()) ? redact(v) : v}`)
      .join(", ");
    const shownUrl = url.replace(/(access_token=)[^&]+/, "$1…");
    const lines = [
      `${operationId} broke rule "${rule}": ${detail}`,
      `  request:  ${req.method} ${shownUrl}`,
      `  headers:  ${headers || "(none)"}`,
      `  body:     ${bodyExcerpt(req.body)}`,
    ];
    if (res) {
      const ct = res.headers.get("content-type") ?? "no content type";
      const excerpt = res.text !== undefined ? res.text.slice(0, 300) : `${res.bytes.length} bytes`;
      lines.push(`  response: ${res.status} ${ct} ${excerpt}`);
    }
    if (replay) lines.push(`  replay:   ${replay}`);
    return lines.join("\n");
  }
}

/** Every way a reply departs from the spec for its operation (status, content type, JSON body, documented headers). */
export function conformanceProblems(operationId: string, res: ContractResponse): string[] {
  return responseProblems(operationId, {
    status: res.status,
    headers: res.headers,
    size: res.bytes.length,
    ...(res.text !== undefined ? { text: res.text } : {}),
  });
}
