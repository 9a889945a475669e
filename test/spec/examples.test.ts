// Every example in the bundle validates against its schema, with ajv and independently of Redocly's own check.
import { describe, expect, it } from "vitest";
import { settingsSchemaFacts } from "../../server/settings/settings-schema.ts";
import { createOpenApiAjv, describeAjvErrors } from "../../spec-model/openapi-ajv.ts";
import {
  deref,
  loadOpenApiDocument,
  type JsonSchema,
  type MediaTypeObject,
} from "../../spec-model/openapi-document.ts";

const doc = loadOpenApiDocument();
const validators = createOpenApiAjv(doc);

interface ExampleCase {
  where: string;
  schema: JsonSchema;
  value: unknown;
}

function mediaTypeExamples(where: string, media: MediaTypeObject): ExampleCase[] {
  if (!media.schema) return [];
  const cases: ExampleCase[] = [];
  if ("example" in media) cases.push({ where: `${where} example`, schema: media.schema, value: media.example });
  for (const [name, raw] of Object.entries(media.examples ?? {})) {
    const example = deref<{ value?: unknown }>(doc, raw as { $ref: string });
    cases.push({ where: `${where} examples.${name}`, schema: media.schema, value: example.value });
  }
  return cases;
}

/** Walks the whole document: media types anywhere (requests, responses, components) and schemas' own `examples`. */
function collectExamples(node: unknown, pointer: string, out: ExampleCase[], inSchema = false): ExampleCase[] {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) collectExamples(item, `${pointer}/${i}`, out, inSchema);
    return out;
  }
  if (!node || typeof node !== "object") return out;
  const record = node as Record<string, unknown>;
  if (pointer.endsWith("/content")) {
    for (const [type, media] of Object.entries(record)) {
      out.push(...mediaTypeExamples(`${pointer}/${type}`, media as MediaTypeObject));
    }
  }
  if (inSchema && Array.isArray(record.examples)) {
    for (const [i, value] of record.examples.entries())
      out.push({ where: `${pointer}/examples/${i}`, schema: record, value });
  }
  for (const [key, value] of Object.entries(record)) {
    if (key === "examples" && inSchema) continue;
    const childIsSchema =
      key === "schema" ||
      pointer === "#/components/schemas" ||
      (inSchema && !["enum", "const", "default", "required"].includes(key));
    collectExamples(value, `${pointer}/${key}`, out, childIsSchema);
  }
  return out;
}

const cases = collectExamples(doc, "#", []);

describe("examples in the bundle", () => {
  it("exist in quantity (every JSON body and error code has one)", () => {
    // 51 named examples in spec/components/examples, most referenced from several places.
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases.map((c) => [c.where, c] as const))("%s validates against its schema", (_where, c) => {
    const validate = validators.schema(c.schema);
    const ok = validate(c.value);
    expect(ok, `${c.where}: ${describeAjvErrors(validate.errors)}`).toBe(true);
  });

  it("SettingsDefaults shows the defaults the server resets to (the ApplicationSettings schema's `default`s)", () => {
    const example = deref<{ value: { settings: { application: Record<string, unknown> } } }>(doc, {
      $ref: "#/components/examples/SettingsDefaults",
    });
    const { wa_id: waId, ...application } = example.value.settings.application;
    expect(application).toEqual(settingsSchemaFacts(doc).defaults);
    expect(waId).toBe("16315551019");
  });

  it("the validator really rejects a broken example", () => {
    const patch = validators.component("ApplicationSettingsPatch");
    expect(patch({ webhooks: { max_concurrent_requests: 7 } })).toBe(false);
    expect(patch({ pass_through: true })).toBe(false);
    expect(patch({ wa_id: "123" })).toBe(false);
    expect(validators.component("WaErrorResponse")({ errors: [] })).toBe(false);
  });
});
