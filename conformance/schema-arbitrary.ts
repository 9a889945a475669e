/**
 * JSON Schema (the subset the bundle uses) -> fast-check arbitrary. Every value it yields is filtered through the
 * spec's own ajv validator, so a generator shortcut can never turn into a false "the server rejected a valid
 * request" report.
 */
import fc from "fast-check";
import { createOpenApiAjv, type OpenApiAjv } from "../spec-model/openapi-ajv.ts";
import {
  loadOpenApiDocument,
  resolvePointer,
  type JsonSchema,
  type OpenApiDocument,
} from "../spec-model/openapi-document.ts";

export interface SchemaArbitraryOptions {
  doc?: OpenApiDocument;
  /** Leave `readOnly` properties out (request bodies) or `writeOnly` ones (responses). */
  direction?: "request" | "response";
  /** How many extra characters/items past a minimum when the schema gives no maximum. */
  slack?: number;
}

let sharedAjv: OpenApiAjv | undefined;
/** The process-wide ajv set of the bundle (compiled once). */
export function bundleAjv(): OpenApiAjv {
  sharedAjv ??= createOpenApiAjv(loadOpenApiDocument());
  return sharedAjv;
}

/** Follows `$ref`s, keeping sibling keywords (`default`, extensions) on top of the target. */
export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 32 && typeof current.$ref === "string"; i++) {
    const { $ref, ...siblings } = current;
    current = { ...resolvePointer<JsonSchema>(doc, $ref as string), ...siblings };
  }
  return current;
}

const LOOKAHEAD = /^\(\?=\.\*(\[(?:\\.|[^\]])*\]|\\.|[^()])\)/;

/**
 * `fc.stringMatching` without lookaheads: `^(?=.*X)(?=.*Y)rest$` becomes "one X, one Y, then rest", checked afterwards.
 */
function patternArbitrary(pattern: string, maxLength: number | undefined): fc.Arbitrary<string> {
  const regex = new RegExp(pattern, "u");
  let body = pattern.startsWith("^") ? pattern.slice(1) : pattern;
  const required: string[] = [];
  for (let m = LOOKAHEAD.exec(body); m; m = LOOKAHEAD.exec(body)) {
    required.push(m[1]!);
    body = body.slice(m[0].length);
  }
  const main = fc.stringMatching(new RegExp(`^${body}`));
  if (required.length === 0) return main.filter((s) => regex.test(s));
  return fc
    .tuple(fc.tuple(...required.map((atom) => fc.stringMatching(new RegExp(`^${atom}$`)))), main)
    .map(([head, rest]) => (head.join("") + rest).slice(0, maxLength ?? Number.MAX_SAFE_INTEGER))
    .filter((s) => regex.test(s));
}

/**
 * `format: uri` strings: http(s) URLs with a domain, an optional port, path segments and a query, with percent-escapes.
 * Not `fc.webUrl`: creating its first instance builds fast-check's percent-character tables, about a second of CPU,
 * which every `meta-media-openapi test` run paid before sending a request. Made once, when first needed.
 */
let webUrls: fc.Arbitrary<string> | undefined;
function webUrlArbitrary(): fc.Arbitrary<string> {
  if (webUrls) return webUrls;
  const segment = fc.stringMatching(/^(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-F]{2}){0,12}$/);
  const word = fc.stringMatching(/^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2}){1,10}$/);
  webUrls = fc
    .record({
      scheme: fc.constantFrom("https", "http"),
      host: fc.domain(),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      segments: fc.array(segment, { maxLength: 4 }),
      query: fc.array(fc.tuple(word, word), { maxLength: 3 }),
    })
    .map(({ scheme, host, port, segments, query }) => {
      const search = query.length === 0 ? "" : `?${query.map(([key, value]) => `${key}=${value}`).join("&")}`;
      return `${scheme}://${host}${port === undefined ? "" : `:${port}`}/${segments.join("/")}${search}`;
    });
  return webUrls;
}

function stringArbitrary(
  schema: JsonSchema,
  opts: Required<Omit<SchemaArbitraryOptions, "doc">> & { doc: OpenApiDocument },
): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = schema.maxLength as number | undefined;
  const lengthOk = (s: string) => [...s].length >= minLength && (maxLength === undefined || [...s].length <= maxLength);
  if (typeof schema.contentMediaType === "string" && /json/.test(schema.contentMediaType) && schema.contentSchema) {
    return schemaArbitraryOf(schema.contentSchema as JsonSchema, opts).map((v) => JSON.stringify(v));
  }
  let base: fc.Arbitrary<string>;
  if (schema.format === "uuid") base = fc.uuid();
  else if (schema.format === "uri") base = webUrlArbitrary();
  else if (typeof schema.pattern === "string") base = patternArbitrary(schema.pattern, maxLength);
  else base = fc.string({ minLength, maxLength: maxLength ?? minLength + opts.slack, unit: "grapheme" });
  const pattern = typeof schema.pattern === "string" ? new RegExp(schema.pattern, "u") : undefined;
  return base.filter((s) => lengthOk(s) && (!pattern || pattern.test(s)));
}

function integerArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min =
    (schema.minimum as number | undefined) ??
    (typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : -(2 ** 31));
  const max =
    (schema.maximum as number | undefined) ??
    (typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - 1 : 2 ** 31 - 1);
  return fc.integer({ min, max });
}

function objectArbitrary(
  schema: JsonSchema,
  opts: Required<Omit<SchemaArbitraryOptions, "doc">> & { doc: OpenApiDocument },
): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const prop = resolveSchema(opts.doc, raw);
    if (
      !required.has(name) &&
      ((opts.direction === "request" && prop.readOnly) || (opts.direction === "response" && prop.writeOnly))
    )
      continue;
    model[name] = schemaArbitraryOf(prop, opts);
  }
  return fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

function arrayArbitrary(
  schema: JsonSchema,
  opts: Required<Omit<SchemaArbitraryOptions, "doc">> & { doc: OpenApiDocument },
): fc.Arbitrary<unknown[]> {
  const items = schemaArbitraryOf((schema.items ?? {}) as JsonSchema, opts);
  const minLength = (schema.minItems as number | undefined) ?? 0;
  const maxLength = (schema.maxItems as number | undefined) ?? minLength + Math.min(opts.slack, 6);
  return schema.uniqueItems
    ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
    : fc.array(items, { minLength, maxLength });
}

function typedArbitrary(
  type: string,
  schema: JsonSchema,
  opts: Required<Omit<SchemaArbitraryOptions, "doc">> & { doc: OpenApiDocument },
): fc.Arbitrary<unknown> {
  switch (type) {
    case "string":
      return stringArbitrary(schema, opts);
    case "integer":
      return integerArbitrary(schema);
    case "number":
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(typeof schema.minimum === "number" ? { min: schema.minimum } : {}),
        ...(typeof schema.maximum === "number" ? { max: schema.maximum } : {}),
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return arrayArbitrary(schema, opts);
    case "object":
      return objectArbitrary(schema, opts);
    default:
      throw new Error(`Unsupported schema type ${type}`);
  }
}

function schemaArbitraryOf(
  raw: JsonSchema,
  opts: Required<Omit<SchemaArbitraryOptions, "doc">> & { doc: OpenApiDocument },
): fc.Arbitrary<unknown> {
  const schema = resolveSchema(opts.doc, raw);
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (branches) {
    const { oneOf: _o, anyOf: _a, ...parent } = schema;
    return fc.oneof(...branches.map((b) => schemaArbitraryOf({ ...parent, ...resolveSchema(opts.doc, b) }, opts)));
  }
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : typeof schema.type === "string"
      ? [schema.type]
      : undefined;
  if (!types) {
    if (schema.properties) return typedArbitrary("object", schema, opts);
    if (schema.items) return typedArbitrary("array", schema, opts);
    return fc.jsonValue({ maxDepth: 2 });
  }
  return types.length === 1
    ? typedArbitrary(types[0]!, schema, opts)
    : fc.oneof(...types.map((t) => typedArbitrary(t, schema, opts)));
}

/** An arbitrary of values valid against `schema` (a schema of the bundle, `$ref`s into its components allowed). */
export function schemaArbitrary(schema: JsonSchema, options: SchemaArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const doc = options.doc ?? loadOpenApiDocument();
  const opts = { doc, direction: options.direction ?? "request", slack: options.slack ?? 24 } as const;
  const validate = (options.doc ? createOpenApiAjv(doc) : bundleAjv()).schema(schema);
  return schemaArbitraryOf(schema, opts).filter((value) => validate(value) === true);
}
