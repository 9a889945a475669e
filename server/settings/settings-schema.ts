/**
 * What the settings code needs to know about the settings, read from the spec's ApplicationSettings schema: the
 * defaults (`x-default`, since a `default` on a required reply field misleads client generators), the settings that
 * need a Coreapp restart (`x-restart-required`), and the read-only ones (`readOnly`). Nothing is re-typed by hand.
 */
import { deref, perDocument, type JsonSchema, type OpenApiDocument } from "../../spec-model/openapi-document.ts";
import type { components } from "../../generated/openapi.d.ts";

export type ApplicationSettings = components["schemas"]["ApplicationSettings"];
/** The stored settings: everything but the read-only fields, which come from configuration. */
export type StoredSettings = Omit<ApplicationSettings, "wa_id">;
export type SettingsPatch = components["schemas"]["ApplicationSettingsPatch"];

export interface SettingsSchemaFacts {
  defaults: StoredSettings;
  /** Dotted paths (leaves or objects) whose change needs a restart. */
  restartRequired: Set<string>;
  /** Top-level fields that are read-only. */
  readOnly: Set<string>;
}

function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  // A `$ref` with siblings (e.g. `log_level: {$ref: LogLevel, x-default: info}`): the siblings win over the target.
  if (typeof schema.$ref === "string") {
    const { $ref, ...siblings } = schema;
    return { ...resolve(doc, deref<JsonSchema>(doc, { $ref: $ref as string })), ...siblings };
  }
  return schema;
}

function walk(
  doc: OpenApiDocument,
  schema: JsonSchema,
  prefix: string,
  facts: Pick<SettingsSchemaFacts, "restartRequired" | "readOnly">,
  target: Record<string, unknown>,
): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, raw] of Object.entries(properties)) {
    const prop = resolve(doc, raw);
    const dotted = prefix ? `${prefix}.${name}` : name;
    if (prop.readOnly === true) {
      if (!prefix) facts.readOnly.add(name);
      continue;
    }
    if (prop["x-restart-required"] === true) facts.restartRequired.add(dotted);
    if ("x-default" in prop) {
      target[name] = structuredClone(prop["x-default"]);
    } else if (prop.type === "object" && prop.properties) {
      const child: Record<string, unknown> = {};
      walk(doc, prop, dotted, facts, child);
      target[name] = child;
    }
  }
}

/** Defaults, restart-required paths and read-only fields of the application settings of a spec. */
export const settingsSchemaFacts: (doc: OpenApiDocument) => SettingsSchemaFacts = perDocument((doc) => {
  const schema = resolve(doc, { $ref: "#/components/schemas/ApplicationSettings" });
  const defaults: Record<string, unknown> = {};
  const facts = { restartRequired: new Set<string>(), readOnly: new Set<string>() };
  walk(doc, schema, "", facts, defaults);
  // Every x-default of the schema, nested as its properties are: the document a fresh server starts from.
  return { ...facts, defaults: defaults as StoredSettings };
});
