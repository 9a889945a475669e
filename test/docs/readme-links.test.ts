/**
 * The README's front door: the first screen names the five ways in, the README stays short (its long sections are
 * pages under docs/), and every link of the README and of those pages leads somewhere that exists.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { documentationFiles } from "../support/readme-section.ts";

const repo = path.resolve(import.meta.dirname, "../..");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The headings and the relative links of a Markdown file. */
async function markdown(file: string): Promise<{ text: string; anchors: Set<string>; links: string[] }> {
  const text = await readFile(path.join(repo, file), "utf8");
  const outsideCode = text.replace(/^\s*```[\s\S]*?^\s*```/gm, "");
  const anchors = new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
  const links = [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  return { text, anchors, links };
}

describe("README links", () => {
  it.each(documentationFiles)("every relative link and anchor of %s resolves", async (file) => {
    const { anchors, links } = await markdown(file);
    if (file === "README.md") expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const [target, hash] = link.split("#") as [string, string | undefined];
      const resolved = target ? path.join(repo, path.dirname(file), target) : path.join(repo, file);
      expect(existsSync(resolved), `${file}: ${link}`).toBe(true);
      if (hash) {
        const targetAnchors = target ? (await markdown(path.relative(repo, resolved))).anchors : anchors;
        expect(targetAnchors.has(hash), `${file}: ${link}`).toBe(true);
      }
    }
  });

  it("the first screen says what this is and links the five ways in and a table of contents", async () => {
    const { text } = await markdown("README.md");
    const firstScreen = text.split("\n").slice(0, 40).join("\n");
    const ways = ["#api-docs", "#typed-client", "#generate-a-client", "#conformance-tests-against-any-deployment"];
    for (const way of ways) {
      expect(firstScreen).toContain(`](${way})`);
    }
    expect(firstScreen).toContain("](#in-process-emulator)");
    expect(firstScreen).toContain("npm install @meta-media-openapi/client");
    expect(firstScreen).toContain("npx meta-media-openapi test --target");
    expect(firstScreen).toContain("## Contents");
    const sections = [...text.matchAll(/^## (.+)$/gm)].map((m) => anchor(m[1]!)).filter((a) => a !== "contents");
    const contents = text.slice(text.indexOf("## Contents"), text.indexOf("\n## ", text.indexOf("## Contents") + 1));
    for (const section of sections) expect(contents, `Contents lists #${section}`).toContain(`](#${section})`);
  });

  it("fits in about 300 lines and links every page of docs/", async () => {
    const { text, links } = await markdown("README.md");
    expect(text.split("\n").length).toBeLessThanOrEqual(320);
    for (const page of documentationFiles.filter((f) => f !== "README.md")) {
      expect(links, `README links ${page}`).toContain(page);
    }
  });
});
