/**
 * What Meta's reference pages (the pages this contract was written from) state and a client integrator needs is in the
 * spec, where a reader
 * of that operation or setting looks for it; and the rules this contract adds where Meta is silent say why.
 */
import { describe, expect, it } from "vitest";
import { deref, getOperation, loadOpenApiDocument, type JsonSchema } from "../../spec-model/openapi-document.ts";

const doc = loadOpenApiDocument();
const schema = (name: string) =>
  doc.components.schemas![name] as JsonSchema & { properties: Record<string, JsonSchema & { description?: string }> };
const text = (value: unknown) => JSON.stringify(value);
const tag = (name: string) =>
  (doc.tags as Array<{ name: string; description: string }>).find((t) => t.name === name)?.description ?? "";

describe("notes of the source pages", () => {
  it(
    "media: the 14-day re-request, what deleting early costs, " +
      "receipts are no proof of download (Meta's media pages)",
    () => {
      for (const where of [tag("Media"), getOperation("deleteMedia").operation.description]) {
        expect(where).toMatch(/14 days/);
        expect(where).toMatch(/no\s+longer\s+available/);
        expect(where).toMatch(/receipt/);
      }
    },
  );

  it(
    "settings: v2.51.1 on verbose_logging and log_level, " +
      "db_garbagecollector_enable and /services/message/gc, pass_through (Meta's settings page)",
    () => {
      for (const name of ["ApplicationSettings", "ApplicationSettingsPatch"]) {
        const props = schema(name).properties;
        expect(props.verbose_logging!.description, name).toContain("v2.51.1 and above");
        expect(props.log_level!.description, name).toContain("v2.51.1 and above");
        expect(props.db_garbagecollector_enable!.description, name).toContain("/services/message/gc");
        expect(props.pass_through!.description, name).toMatch(/recommended so that `status` callbacks work/);
      }
      expect(schema("ApplicationSettings").properties.db_garbagecollector_enable!.description).toContain(
        "before v2.29",
      );
    },
  );

  it("sending: the is_public warning of upload-and-send (Meta's attachment page)", () => {
    expect(getOperation("sendMessage").operation.description).toContain("is_public=true");
    expect(text(schema("SendMessageRequest"))).toContain("is_public=true");
  });
});

describe("rules this contract adds where the sources are silent, each with its reason", () => {
  it("provider names, secret lengths, the delay maximum and the reserved user names", () => {
    expect(schema("ProviderName").description).toMatch(/Meta documents no rule[\s\S]*path segment/);
    expect(schema("MediaProvider").description).toMatch(/Meta states no length limits[\s\S]*so that/);
    expect(schema("DelayMilliseconds").description).toMatch(/Meta states no\s+maximum[\s\S]*32-bit/);
    expect(schema("Username").description).toMatch(/reserved by this contract[\s\S]*collide with the\s+literal paths/);
  });

  it("the settings example named SettingsDefaults holds the defaults; Meta's sample is named for what it is", () => {
    const examples =
      getOperation("getApplicationSettings").operation.responses["200"]!.content!["application/json"]!.examples!;
    const summaries = Object.values(examples).map(
      (e) => deref<{ summary: string }>(doc, e as { $ref: string }).summary,
    );
    expect(summaries).toEqual([expect.stringMatching(/default/), expect.stringMatching(/Meta's sample/)]);
  });
});
