/**
 * docs/generate-a-client.md's shape: the setup every generator section starts from, and a section for each generator
 * of its table. Each section is run from the npm registry by test/docs/generate-a-client/*.registry.ts.
 */
import { describe, expect, it } from "vitest";
import { generators, subsection, tableVersions } from "../support/generated-client-suite.ts";
import { readmeSection, shellCommands } from "../support/readme-section.ts";

describe("docs/generate-a-client.md", () => {
  it("sets up an ES module project and has a section for every generator its table names", async () => {
    const section = await readmeSection("generate");
    expect(shellCommands(subsection(section, "Set up"))).toEqual(["npm init -y && npm pkg set type=module"]);
    expect([...tableVersions(section).keys()]).toEqual(generators.map((g) => g.heading));
  });
});
