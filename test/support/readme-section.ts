/** Reading the marked sections of the README and of its pages under docs/, so that tests run what they show. */
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../..");

/** The README, then the Markdown pages of docs/ (the long sections it links), as paths relative to the repository. */
export const documentationFiles: readonly string[] = [
  "README.md",
  ...readdirSync(path.join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The text of a documentation file, by its path relative to the repository. */
export function readDocumentationFile(file: string): Promise<string> {
  return readFile(path.join(repo, file), "utf8");
}

/**
 * The text between `<!-- section:NAME -->` and `<!-- /section:NAME -->`, in the README or the one page of docs/ that
 * holds it.
 */
export async function readmeSection(name: string): Promise<string> {
  const found: string[] = [];
  for (const file of documentationFiles) {
    const text = await readDocumentationFile(file);
    const start = text.indexOf(`<!-- section:${name} -->`);
    const end = text.indexOf(`<!-- /section:${name} -->`);
    if (start >= 0 && end > start) found.push(text.slice(start, end));
    else if (start >= 0 || end >= 0) throw new Error(`${file}: section ${name} is not closed after it opens`);
  }
  if (found.length !== 1) throw new Error(`${found.length} documentation files have a section ${name}, not one`);
  return found[0]!;
}

/** The shell commands of a section: the ```sh blocks, continuation lines joined, comment lines dropped. */
export function shellCommands(section: string): string[] {
  const commands: string[] = [];
  for (const block of section.matchAll(/^([ \t]*)```sh\n([\s\S]*?)^\1```/gm)) {
    const indent = block[1]!.length;
    const lines = block[2]!.split("\n").map((line) => line.slice(indent));
    let current = "";
    for (const line of lines) {
      if (current === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
      current += current ? `\n${line}` : line;
      // A command ends where a line neither continues (\) nor leaves a $( ... ) open.
      const open = (current.match(/\$\(/g) ?? []).length - (current.match(/\)/g) ?? []).length;
      if (!line.endsWith("\\") && open <= 0) {
        commands.push(current.trim());
        current = "";
      }
    }
    if (current) commands.push(current.trim());
  }
  return commands;
}

/** The code of every ```ts block, in order. */
export function tsBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The ```ts blocks whose first line names their file (`// src/client.ts`), as the file's path and its code. */
export function namedTsFiles(section: string): Array<{ file: string; code: string }> {
  return [...section.matchAll(/```ts\n\/\/ ([\w./-]+\.ts)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
}
