/** Reading the README's marked sections, so that tests run what the README shows. */
import { readFile } from "node:fs/promises";
import path from "node:path";

const readmePath = path.resolve(import.meta.dirname, "../../README.md");

/** The text between `<!-- section:NAME -->` and `<!-- /section:NAME -->`. */
export async function readmeSection(name: string): Promise<string> {
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(`<!-- section:${name} -->`);
  const end = readme.indexOf(`<!-- /section:${name} -->`);
  if (start < 0 || end < start) throw new Error(`README has no section ${name}`);
  return readme.slice(start, end);
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

/** The ```ts blocks whose first line names their file (`// src/client.ts`), as the file's path and its code. */
export function namedTsFiles(section: string): Array<{ file: string; code: string }> {
  return [...section.matchAll(/```ts\n\/\/ ([\w./-]+\.ts)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
}
