/**
 * Checks an HTTP response against what the spec documents for an operation: the status is documented, the
 * content type is one the status documents (or there is no body where none is documented), and a JSON body
 * validates against the documented schema. Shared by the server, client and contract suites.
 */
import { createOpenApiAjv, describeAjvErrors } from "../../server/validation/openapi-ajv.ts";
import {
  deref,
  getOperation,
  loadOpenApiDocument,
  type JsonSchema,
  type MediaTypeObject,
  type ResponseObject,
} from "../../server/validation/openapi-document.ts";

const doc = loadOpenApiDocument();
const validators = createOpenApiAjv(doc);

/** Normalises `Audio/Ogg ;codecs=opus` to `audio/ogg; codecs=opus` for comparison. */
export function normaliseMediaType(value: string): string {
  const [type = "", ...params] = value.split(";").map((part) => part.trim().toLowerCase());
  return [type, ...params.filter(Boolean).map((p) => p.replace(/\s*=\s*/, "="))].join("; ");
}

/** The documented media type entry matching an actual Content-Type (exact, with parameters, or a `type/*` range). */
export function matchMediaType(content: Record<string, MediaTypeObject>, actual: string): [string, MediaTypeObject] | undefined {
  const wanted = normaliseMediaType(actual);
  const essence = wanted.split(";")[0]!;
  const entries = Object.entries(content).map(([k, v]) => [normaliseMediaType(k), k, v] as const);
  const exact = entries.find(([n]) => n === wanted) ?? entries.find(([n]) => n === essence);
  if (exact) return [exact[1], exact[2]];
  const range = entries.find(([n]) => n.endsWith("/*") && essence.startsWith(n.slice(0, -1))) ?? entries.find(([n]) => n === "*/*");
  return range ? [range[1], range[2]] : undefined;
}

/** The documented response for a status (exact code, then `4XX`-style range, then `default`). */
export function documentedResponse(operationId: string, status: number): ResponseObject | undefined {
  const { operation } = getOperation(operationId, doc);
  const raw = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
  return raw ? deref<ResponseObject>(doc, raw) : undefined;
}

/** Every way a response departs from the spec, as readable sentences (empty when it conforms). */
export function specProblems(operationId: string, status: number, contentType: string | null, bodyText: string | undefined): string[] {
  const problems: string[] = [];
  const response = documentedResponse(operationId, status);
  if (!response) return [`${operationId}: status ${status} is not documented`];
  const hasBody = bodyText !== undefined && bodyText.length > 0;
  if (!response.content) {
    if (hasBody) problems.push(`${operationId} ${status}: the spec documents no body, got ${contentType ?? "no content type"}: ${bodyText!.slice(0, 200)}`);
    return problems;
  }
  if (!contentType) {
    problems.push(`${operationId} ${status}: no Content-Type, documented: ${Object.keys(response.content).join(", ")}`);
    return problems;
  }
  const match = matchMediaType(response.content, contentType);
  if (!match) {
    problems.push(`${operationId} ${status}: Content-Type ${contentType} is not documented (documented: ${Object.keys(response.content).join(", ")})`);
    return problems;
  }
  const [key, media] = match;
  if (normaliseMediaType(key).split(";")[0]!.endsWith("json") && media.schema) {
    let body: unknown;
    try {
      body = JSON.parse(bodyText ?? "");
    } catch {
      problems.push(`${operationId} ${status}: body is not JSON: ${(bodyText ?? "").slice(0, 200)}`);
      return problems;
    }
    const validate = validators.schema(media.schema);
    if (!validate(body)) {
      problems.push(`${operationId} ${status}: body does not match the spec: ${describeAjvErrors(validate.errors)}; body: ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  return problems;
}

/** Options of `expectResponseMatchesSpec`. */
export interface SpecResponseOptions {
  /** Documented headers that must be present (names, case-insensitive). */
  requireHeaders?: string[];
}

/** Problems with the documented headers of the response: required ones missing, present ones with invalid values. */
export function headerProblems(operationId: string, response: Response, opts: SpecResponseOptions = {}): string[] {
  const problems: string[] = [];
  const documented = documentedResponse(operationId, response.status);
  if (!documented) return problems;
  const names = Object.keys(documented.headers ?? {}).map((n) => n.toLowerCase());
  for (const name of opts.requireHeaders ?? []) {
    if (!names.includes(name.toLowerCase())) problems.push(`${operationId} ${response.status}: header ${name} is not documented`);
    else if (response.headers.get(name) === null) problems.push(`${operationId} ${response.status}: header ${name} is missing`);
  }
  for (const [name, raw] of Object.entries(documented.headers ?? {})) {
    const value = response.headers.get(name);
    const header = deref<{ schema?: JsonSchema }>(doc, raw as { $ref: string });
    if (value === null || !header.schema) continue;
    const schema = deref<JsonSchema>(doc, header.schema as JsonSchema & { $ref: string });
    const typed = schema.type === "integer" || schema.type === "number" ? Number(value) : value;
    const validate = validators.schema(header.schema);
    if (!validate(typed)) problems.push(`${operationId} ${response.status}: header ${name}: ${value}: ${describeAjvErrors(validate.errors)}`);
  }
  return problems;
}

/**
 * Asserts that a fetch Response conforms to the spec for `operationId` (status, Content-Type, JSON body, documented
 * headers) and returns its parsed JSON body (or `undefined` for an empty or non-JSON body). It reads a clone, so the
 * caller can still read the body (for example the bytes of a download).
 */
export async function expectResponseMatchesSpec(operationId: string, response: Response, opts: SpecResponseOptions = {}): Promise<unknown> {
  const copy = response.clone();
  const contentType = copy.headers.get("content-type");
  const isJson = contentType !== null && /json/i.test(contentType);
  const text = isJson || !contentType ? await copy.text() : undefined;
  let problems: string[];
  if (!isJson && contentType) {
    // Binary bodies are not parsed here; only their presence against the documented content matters.
    const bytes = new Uint8Array(await copy.arrayBuffer());
    problems = specProblems(operationId, response.status, contentType, bytes.length ? "binary" : "");
  } else {
    problems = specProblems(operationId, response.status, contentType, text);
  }
  problems.push(...headerProblems(operationId, response, opts));
  if (problems.length) throw new Error(problems.join("\n"));
  return text ? JSON.parse(text) : undefined;
}
