/**
 * Ajv (JSON Schema 2020-12, strict, with ajv-formats) loaded with every component schema of the bundle, so that the
 * server validates requests and the tests validate responses and examples against the very same rules.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { loadOpenApiDocument, perDocument, type JsonSchema, type OpenApiDocument } from "./openapi-document.ts";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type AddFormats = typeof addFormatsModule.default;
const addFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const SCHEMA_ID = "openapi.json";
/** OpenAPI's own schema keywords beside JSON Schema 2020-12; they annotate and never validate. */
const OPENAPI_KEYWORDS = ["discriminator", "xml", "externalDocs", "example"];

/** Rewrites `#/components/schemas/X` to the id under which ajv knows the components. */
export function toAjvRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMA_ID}#/$defs/`)) as T;
}

function collectExtensionKeywords(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectExtensionKeywords(item, into);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) into.add(key);
      collectExtensionKeywords(value, into);
    }
  }
  return into;
}

export interface OpenApiAjv {
  ajv: Ajv2020;
  /** Validator for `#/components/schemas/<name>`. */
  component(name: string): ValidateFunction;
  /** Validator for an inline schema taken from the document (its `$ref`s may point at components). */
  schema(schema: JsonSchema): ValidateFunction;
}

/** Builds the validator set for a document (the bundle by default). Compile once, reuse everywhere. */
export function createOpenApiAjv(doc: OpenApiDocument = loadOpenApiDocument()): OpenApiAjv {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateFormats: true });
  addFormats(ajv);
  // `format: binary` marks raw bytes (OpenAPI convention); there is nothing to check in JSON.
  ajv.addFormat("binary", true);
  const schemas = (doc.components?.schemas ?? {}) as Record<string, JsonSchema>;
  for (const keyword of [...OPENAPI_KEYWORDS, ...collectExtensionKeywords(schemas, new Set())]) {
    if (!ajv.getKeyword(keyword))
      ajv.addKeyword({ keyword, schemaType: ["string", "number", "boolean", "object", "array", "null"] });
  }
  ajv.addSchema({ $id: SCHEMA_ID, $defs: toAjvRefs(schemas) });
  const byComponent = new Map<string, ValidateFunction>();
  const byInline = new WeakMap<object, ValidateFunction>();
  return {
    ajv,
    component(name) {
      let fn = byComponent.get(name);
      if (!fn) {
        if (!(name in schemas)) throw new Error(`No schema component ${name}`);
        fn = ajv.compile({ $ref: `${SCHEMA_ID}#/$defs/${name}` });
        byComponent.set(name, fn);
      }
      return fn;
    },
    schema(schema) {
      let fn = byInline.get(schema);
      if (!fn) {
        fn = ajv.compile(toAjvRefs(schema));
        byInline.set(schema, fn);
      }
      return fn;
    },
  };
}

/** The validator set of a document, compiled once per document object (what the server uses). */
export const ajvFor: (doc: OpenApiDocument) => OpenApiAjv = perDocument((doc) => createOpenApiAjv(doc));

/** A one-line, human-readable account of ajv errors: `/webhooks/url must match pattern ...`. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      const named = e.keyword === "additionalProperties" ? `: ${String(extra)}` : "";
      return `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}${named}`;
    })
    .join("; ");
}
