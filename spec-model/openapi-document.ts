/**
 * The OpenAPI document as a value: its types, the loader of the bundle (generated/openapi.json), typed access to its
 * operations, and `perDocument`, which derives a fact from a document once per document object. The server never
 * reaches for the bundle itself: `createApp` receives a document (the bundle by default) and everything it derives
 * (validators, media types, settings facts, error texts, limits) comes from that value.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const bundlePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../generated/openapi.json");

export type JsonSchema = Record<string, unknown>;

export interface MediaTypeObject {
  schema?: JsonSchema;
  examples?: Record<string, { summary?: string; value?: unknown; $ref?: string }>;
  example?: unknown;
  encoding?: Record<string, { contentType?: string }>;
  [extension: `x-${string}`]: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaTypeObject>;
  $ref?: string;
}

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  $ref?: string;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  /** The API family the operation belongs to (`whatsapp`, `messenger`): its security, envelope and base path. */
  "x-api-family"?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
}

export const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Partial<Record<HttpMethod, OperationObject>> & { parameters?: ParameterObject[]; servers?: unknown[] }
  >;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** One operation of the spec with where it lives. */
export interface SpecOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  operation: OperationObject;
  /** Path-level and operation-level parameters, with `$ref`s resolved. */
  parameters: ParameterObject[];
}

/** Reads and parses a bundled document (a new object on every call). */
export function readOpenApiDocument(file: string = bundlePath): OpenApiDocument {
  return JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument;
}

let bundle: OpenApiDocument | undefined;

/**
 * The project's bundle, read once per process and treated as immutable: the default spec of `createApp`, and what
 * tests and tools compare the server with. A caller that wants to change a document reads its own copy.
 */
export function loadOpenApiDocument(): OpenApiDocument {
  bundle ??= readOpenApiDocument();
  return bundle;
}

/**
 * `derive` memoised per document object: facts computed from a spec (compiled validators, media types, limits) are
 * computed once for each document an app is given, and never shared between two different documents.
 */
export function perDocument<T>(derive: (doc: OpenApiDocument) => T): (doc: OpenApiDocument) => T {
  const cache = new WeakMap<OpenApiDocument, T>();
  return (doc) => {
    if (cache.has(doc)) return cache.get(doc)!;
    const value = derive(doc);
    cache.set(doc, value);
    return value;
  };
}

/** Resolves a local `#/...` JSON pointer in the document. */
export function resolvePointer<T>(doc: OpenApiDocument, ref: string): T {
  if (!ref.startsWith("#/")) throw new Error(`Only local references are supported: ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) throw new Error(`Unresolvable reference ${ref}`);
  }
  return node as T;
}

/** Follows `$ref` (possibly chained) on parameters, responses and examples. */
export function deref<T extends object>(doc: OpenApiDocument, node: T | { $ref: string }): T {
  let current: unknown = node;
  while (current && typeof current === "object" && "$ref" in current && typeof current.$ref === "string") {
    current = resolvePointer(doc, current.$ref);
  }
  return current as T;
}

/** Every operation of the spec, in document order (a new array; the operations are shared). */
export function listOperations(doc: OpenApiDocument = loadOpenApiDocument()): SpecOperation[] {
  return [...operationsOf(doc)];
}

const operationsOf = perDocument((doc): SpecOperation[] => {
  const out: SpecOperation[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    const shared = (item.parameters ?? []).map((x) => deref<ParameterObject>(doc, x));
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      const own = (operation.parameters ?? []).map((x) => deref<ParameterObject>(doc, x));
      const parameters = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      out.push({ method, path: p, operationId: operation.operationId, operation, parameters });
    }
  }
  return out;
});

/** The operation with this operationId; throws for an unknown id so typos fail loudly. */
export function getOperation(operationId: string, doc: OpenApiDocument = loadOpenApiDocument()): SpecOperation {
  const found = listOperations(doc).find((o) => o.operationId === operationId);
  if (!found) throw new Error(`No operation ${operationId} in the spec`);
  return found;
}
