/**
 * Ways to make a valid JSON value invalid against its schema, found by walking schema and value together: a missing
 * required property, a value of the wrong type, a value out of range (enum, const, bounds, lengths, pattern, format,
 * item counts, duplicates) and an unknown property where `additionalProperties` is false. Each mutation says what
 * it broke and where, so a failure names the rule.
 */
import { loadOpenApiDocument, type JsonSchema, type OpenApiDocument } from "../spec-model/openapi-document.ts";
import { bundleAjv, resolveSchema } from "./schema-arbitrary.ts";

/** One way to break a value. */
export interface ValueMutation {
  kind: "missing required field" | "wrong type" | "out-of-range value" | "unknown property";
  /** JSON pointer of the changed spot. */
  at: string;
  apply(value: unknown): unknown;
}

type Path = Array<string | number>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function setAt(
  root: unknown,
  path: Path,
  replace: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  const copy = clone(root);
  if (path.length === 0) throw new Error("root replacement goes through replaceRoot");
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  replace(node, path[path.length - 1]!);
  return copy;
}

function replaceAt(path: Path, next: unknown): (value: unknown) => unknown {
  return (value) =>
    path.length === 0
      ? clone(next)
      : setAt(value, path, (parent, key) => {
          parent[key] = clone(next);
        });
}

const pointer = (path: Path) => (path.length ? `/${path.join("/")}` : "(root)");

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === "string") return [schema.type];
  if (schema.properties) return ["object"];
  if (schema.items) return ["array"];
  return [];
}

/** A value of none of the allowed types. */
function wrongTypeValue(types: string[]): unknown {
  const candidates: Array<[string[], unknown]> = [
    [["string"], 12345],
    [["integer", "number"], "not-a-number"],
    [["boolean"], "yes"],
    [["object"], ["an", "array"]],
    [["array"], { not: "an array" }],
    [["null"], false],
  ];
  const disallowed = (v: unknown) => {
    const t =
      v === null
        ? "null"
        : Array.isArray(v)
          ? "array"
          : typeof v === "number"
            ? Number.isInteger(v)
              ? "integer"
              : "number"
            : typeof v;
    return !types.includes(t) && !(t === "integer" && types.includes("number"));
  };
  for (const [, v] of candidates) if (disallowed(v)) return v;
  return Symbol.for("none");
}

/** Values that break a constraint of a scalar/array schema (each with a label). */
function outOfRangeValues(schema: JsonSchema, current: unknown): unknown[] {
  const out: unknown[] = [];
  if ("const" in schema)
    out.push(
      typeof schema.const === "boolean"
        ? !schema.const
        : typeof schema.const === "string"
          ? `${schema.const}-other`
          : null,
    );
  if (Array.isArray(schema.enum))
    out.push(
      typeof schema.enum[0] === "number" ? Math.max(...(schema.enum as number[])) + 1 : "not-a-documented-value",
    );
  if (typeof schema.minimum === "number") out.push(schema.minimum - 1);
  if (typeof schema.maximum === "number") out.push(schema.maximum + 1);
  if (typeof schema.maxLength === "number") out.push("x".repeat(schema.maxLength + 1));
  if (typeof schema.minLength === "number" && schema.minLength > 0) out.push("");
  if (typeof schema.pattern === "string") out.push(" not matching the pattern ", "");
  if (schema.format === "uuid") out.push("not-a-uuid");
  if (schema.format === "uri") out.push("not a uri");
  if (Array.isArray(current)) {
    if (typeof schema.minItems === "number" && schema.minItems > 0) out.push([]);
    if (typeof schema.maxItems === "number" && current.length > 0)
      out.push(Array.from({ length: schema.maxItems + 1 }, () => current[0]));
    if (schema.uniqueItems && current.length > 0) out.push([...current, current[0]]);
  }
  return out;
}

/** Every mutation that makes `value` invalid against `schema` (checked with ajv; ineffective ones are dropped). */
export function valueMutations(
  schema: JsonSchema,
  value: unknown,
  doc: OpenApiDocument = loadOpenApiDocument(),
): ValueMutation[] {
  const found: ValueMutation[] = [];
  const walk = (raw: JsonSchema, node: unknown, path: Path) => {
    let s = resolveSchema(doc, raw);
    const branches = (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
    if (branches) {
      const validate = (b: JsonSchema) => bundleAjv().schema(b)(node) === true;
      const branch = branches.find(validate);
      if (branch) {
        const { oneOf: _o, anyOf: _a, ...parent } = s;
        s = { ...parent, ...resolveSchema(doc, branch) };
      }
    }
    const types = typesOf(s);
    const wrong = wrongTypeValue(types);
    if (types.length && wrong !== Symbol.for("none"))
      found.push({ kind: "wrong type", at: pointer(path), apply: replaceAt(path, wrong) });
    for (const bad of outOfRangeValues(s, node))
      found.push({ kind: "out-of-range value", at: pointer(path), apply: replaceAt(path, bad) });
    if (node && typeof node === "object" && !Array.isArray(node)) {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const name of (s.required ?? []) as string[]) {
        if (name in (node as object)) {
          found.push({
            kind: "missing required field",
            at: pointer([...path, name]),
            apply: (v) =>
              path.length === 0
                ? (({ [name]: _drop, ...rest }) => rest)(clone(v) as Record<string, unknown>)
                : setAt(v, path, (parent, key) => void delete (parent[key] as Record<string, unknown>)[name]),
          });
        }
      }
      if (s.additionalProperties === false) {
        found.push({
          kind: "unknown property",
          at: pointer([...path, "contract_unknown_field"]),
          apply: (v) =>
            path.length === 0
              ? { ...(clone(v) as object), contract_unknown_field: true }
              : setAt(v, path, (parent, key) => {
                  (parent[key] as Record<string, unknown>).contract_unknown_field = true;
                }),
        });
      }
      for (const [name, child] of Object.entries(node as Record<string, unknown>))
        if (props[name]) walk(props[name]!, child, [...path, name]);
    }
    if (Array.isArray(node) && s.items)
      for (const [i, item] of node.entries()) walk(s.items as JsonSchema, item, [...path, i]);
  };
  walk(schema, value, []);
  const validate = bundleAjv().schema(schema);
  return found.filter((m) => validate(m.apply(value)) !== true);
}
