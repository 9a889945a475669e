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

/**
 * Asserts that a fetch Response conforms to the spec for `operationId` and returns its parsed JSON body
 * (or `undefined` for an empty or non-JSON body). The response body is consumed.
 */
export async function expectResponseMatchesSpec(operationId: string, response: Response): Promise<unknown> {
  const contentType = response.headers.get("content-type");
  const isJson = contentType !== null && /json/i.test(contentType);
  const text = isJson || !contentType ? await response.text() : undefined;
  if (!isJson && contentType) {
    // Binary bodies are not parsed here; only their presence against the documented content matters.
    const bytes = new Uint8Array(await response.arrayBuffer());
    const problems = specProblems(operationId, response.status, contentType, bytes.length ? "binary" : "");
    if (problems.length) throw new Error(problems.join("\n"));
    return undefined;
  }
  const problems = specProblems(operationId, response.status, contentType, text);
  if (problems.length) throw new Error(problems.join("\n"));
  return text ? JSON.parse(text) : undefined;
}
