/**
 * One request/response pair of the contract suite: how a request is described, where it goes (the target, or a
 * validating proxy in front of it), how its reply is checked against the spec, and how a broken rule is reported
 * (credentials and secrets shortened, replies excerpted). Sending is target-http.ts's job, through the session.
 */
import { familyOf, type ApiFamily } from "../spec-model/spec-bundles.ts";
import { responseProblems } from "./response-conformance.ts";
import { safeUrl, type HttpReply } from "./target-http.ts";

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

/** What came back, read within the suite's limits (see target-http.ts). */
export type ContractResponse = HttpReply;

/** Where requests of each family go (a server, or a validating proxy in front of it). */
export type BaseUrls = Record<ApiFamily, string>;

/** The absolute URL a request goes to. Built by hand so malformed escapes in the path reach the server untouched. */
export function requestUrl(bases: BaseUrls, req: ContractRequest): string {
  const base = bases[familyOf(req.operationId)].replace(/\/+$/, "");
  const query = req.query && Object.keys(req.query).length ? `?${new URLSearchParams(req.query).toString()}` : "";
  return `${base}${req.path}${query}`;
}

const SECRET_HEADERS = new Set(["authorization", "cookie"]);
/** JSON fields whose values are secrets the suite sends (its own accounts' passwords, provider credentials). */
const SECRET_FIELDS = /("(?:password|new_password|bearer|access_token)"\s*:\s*")((?:[^"\\]|\\.)*)"/g;

function redact(value: string): string {
  const [scheme, secret = ""] = value.split(/\s+/, 2);
  return secret ? `${scheme} ${secret.slice(0, 4)}…(${secret.length} chars)` : `${value.slice(0, 4)}…`;
}

/** A body as a failure shows it: excerpted, secrets shortened. */
function bodyExcerpt(body: ContractRequest["body"], max = 300): string {
  if (body === undefined) return "(none)";
  if (typeof body === "string") {
    const shown = body.replace(SECRET_FIELDS, (_m, key: string, v: string) => `${key}${v.slice(0, 2)}…"`);
    return shown.length > max ? `${shown.slice(0, max)}… (${body.length} chars)` : shown || "(empty)";
  }
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

/** The reply as a failure shows it: status, type and an excerpt. */
export function replyExcerpt(res: ContractResponse): string {
  const ct = res.headers.get("content-type") ?? "no content type";
  const excerpt =
    res.text !== undefined
      ? res.text.slice(0, 300)
      : `${res.size}${res.oversized ? "+" : ""} bytes: ${Buffer.from(res.head.subarray(0, 24)).toString("hex")}`;
  return `${res.status} ${ct} ${excerpt}`;
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
    const lines = [
      `${operationId} broke rule "${rule}": ${detail}`,
      `  request:  ${req.method} ${safeUrl(url)}`,
      `  headers:  ${headers || "(none)"}`,
      `  body:     ${bodyExcerpt(req.body)}`,
    ];
    if (res) lines.push(`  response: ${replyExcerpt(res)}`);
    if (replay) lines.push(`  replay:   ${replay}`);
    return lines.join("\n");
  }
}

/** Every way a reply departs from the spec for its operation (status, content type, JSON body, documented headers). */
export function conformanceProblems(operationId: string, res: ContractResponse): string[] {
  return responseProblems(operationId, {
    status: res.status,
    headers: res.headers,
    size: res.size,
    ...(res.text !== undefined ? { text: res.text } : {}),
  });
}
