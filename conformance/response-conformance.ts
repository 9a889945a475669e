/**
 * The spec's rules for a reply, as plain sentences and without a test framework (it ships in the tool that runs in
 * users' CI and must not load vitest): the status is documented, the Content-Type is one the status documents
 * (ranges and parameters understood, as the server's own content-type module reads them), a JSON body validates
 * with the spec's ajv set, a status documented without content has no body, and documented headers are well-formed.
 */
import { mediaTypeMatches, mediaTypeSpecificity, parseMediaType } from "../spec-model/content-type.ts";
import { describeAjvErrors } from "../spec-model/openapi-ajv.ts";
import {
  deref,
  getOperation,
  loadOpenApiDocument,
  type JsonSchema,
  type ResponseObject,
} from "../spec-model/openapi-document.ts";
import { bundleAjv } from "./schema-arbitrary.ts";

/** The documented response for a status (exact code, then `4XX`-style range, then `default`). */
export function documentedResponseOf(operationId: string, status: number): ResponseObject | undefined {
  const doc = loadOpenApiDocument();
  const { responses } = getOperation(operationId, doc).operation;
  const entry = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  return entry ? deref<ResponseObject>(doc, entry) : undefined;
}

/** A reply reduced to what the rules look at. */
export interface ReplyFacts {
  status: number;
  headers: Headers;
  /** Body length in bytes. */
  size: number;
  /** Body text when it is JSON (or empty). */
  text?: string;
}

/** Every way the reply departs from the spec, as readable sentences (empty when it conforms). */
export function responseProblems(operationId: string, reply: ReplyFacts): string[] {
  const doc = loadOpenApiDocument();
  const where = `${operationId} ${reply.status}`;
  const documented = documentedResponseOf(operationId, reply.status);
  if (!documented) return [`${operationId}: status ${reply.status} is not documented`];
  const problems: string[] = [];

  for (const [name, raw] of Object.entries(documented.headers ?? {})) {
    const header = deref<{ schema?: JsonSchema; required?: boolean }>(doc, raw as { $ref: string });
    const value = reply.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${where}: required header ${name} is missing`);
      continue;
    }
    if (!header.schema) continue;
    const schema = deref<JsonSchema>(doc, header.schema);
    const typed =
      (schema.type === "integer" || schema.type === "number") && value.trim() !== "" && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
    const validate = bundleAjv().schema(header.schema);
    if (!validate(typed)) problems.push(`${where}: header ${name}=${value}: ${describeAjvErrors(validate.errors)}`);
    if (name.toLowerCase() === "content-length" && Number(value) !== reply.size)
      problems.push(`${where}: Content-Length ${value} but the body has ${reply.size} bytes`);
  }

  const content = documented.content;
  if (!content || Object.keys(content).length === 0) {
    if (reply.size > 0) {
      const type = reply.headers.get("content-type") ?? "no content type";
      problems.push(`${where}: documented without a body, got ${reply.size} bytes (${type})`);
    }
    return problems;
  }
  const rawType = reply.headers.get("content-type");
  const contentType = parseMediaType(rawType);
  const documentedTypes = Object.keys(content).join(", ");
  if (!contentType) {
    return [
      ...problems,
      `${where}: no valid Content-Type (got ${JSON.stringify(rawType)}), documented: ${documentedTypes}`,
    ];
  }
  const match = Object.entries(content)
    .map(([key, media]) => ({ key, media, range: parseMediaType(key) }))
    .filter((m) => m.range && mediaTypeMatches(m.range, contentType))
    .sort((a, b) => mediaTypeSpecificity(b.range!) - mediaTypeSpecificity(a.range!))[0];
  if (!match)
    return [...problems, `${where}: Content-Type ${rawType} is not documented (documented: ${documentedTypes})`];
  const isJson = contentType.essence === "application/json" || contentType.subtype.endsWith("+json");
  if (!isJson || !match.media.schema) return problems;
  let body: unknown;
  try {
    body = JSON.parse(reply.text ?? "");
  } catch {
    return [...problems, `${where}: body is not JSON: ${(reply.text ?? "").slice(0, 200)}`];
  }
  const validate = bundleAjv().schema(match.media.schema);
  if (!validate(body)) problems.push(`${where}: body does not match the spec: ${describeAjvErrors(validate.errors)}`);
  return problems;
}
