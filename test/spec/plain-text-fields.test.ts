/**
 * Redoc renders Markdown in `description`s, but shows some fields as they are: server and server-variable
 * descriptions, summaries (operations, examples, the API), titles and tag names. Markdown there would show literally
 * in the rendered docs (ours, and those users render from the per-family bundles), so those fields hold plain text.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleFileNames, generatedDir } from "../../spec-model/spec-bundles.ts";

/** Backticks, emphasis, links, headings, table pipes and HTML tags. */
const MARKDOWN = /`|\*\*|__|\]\(|^\s*#|\||<\/?[A-Za-z]/m;

/** Every plain-text field of a bundle, with where it is. */
function plainTextFields(doc: unknown): Array<{ where: string; text: string }> {
  const found: Array<{ where: string; text: string }> = [];
  const visit = (node: unknown, where: string, parentKey: string): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${where}[${i}]`, parentKey);
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}/${key}`;
      const plain =
        key === "summary" ||
        key === "title" ||
        // A description inside `servers` (the server's, or one of its variables').
        (key === "description" && (parentKey === "servers" || parentKey === "variables")) ||
        (key === "name" && where.startsWith("/tags"));
      if (plain && typeof value === "string") found.push({ where: at, text: value });
      // Examples hold data, not prose; server variables are the only objects whose keys are names.
      if (key === "value" || key === "example") continue;
      const nextParent = key === "servers" || key === "variables" ? key : parentKey === "variables" ? "variables" : "";
      visit(value, at, nextParent);
    }
  };
  visit(doc, "", "");
  return found;
}

describe("fields Redoc shows as plain text", () => {
  it.each(Object.values(bundleFileNames))("hold no Markdown in %s", async (name) => {
    const doc = JSON.parse(await readFile(path.join(generatedDir, name), "utf8")) as unknown;
    const fields = plainTextFields(doc);
    // The walk finds what it looks for: summaries, servers and their variables.
    expect(fields.some((f) => f.where.endsWith("/summary"))).toBe(true);
    expect(fields.some((f) => /\/servers\[\d+\]\/description$/.test(f.where))).toBe(true);
    expect(fields.some((f) => /\/variables\/[^/]+\/description$/.test(f.where))).toBe(true);
    expect(fields.filter((f) => MARKDOWN.test(f.text))).toEqual([]);
  });
});
