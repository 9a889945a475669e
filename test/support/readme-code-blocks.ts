/**
 * The fenced code blocks of the README and its pages under docs/, with what the page says about each: the section it
 * is in, the `<!-- snippet: ... -->` comment right before it, and the section's `<!-- snippets: run by <test file> -->`
 * line.
 */
import { documentationFiles, readDocumentationFile } from "./readme-section.ts";

/** One fenced block of the README or of a page under docs/, its indentation removed. */
export interface ReadmeCodeBlock {
  /** The file it is in, relative to the repository (`README.md`, `docs/emulator.md`). */
  file: string;
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The `<!-- section:NAME -->` it sits in, if any. */
  section?: string;
  /** The text of a `<!-- snippet: ... -->` comment on the line before the fence (blank lines allowed between). */
  marker?: string;
  /** The test file a `<!-- snippets: run by <file> ... -->` line of its section names. */
  runBy?: string;
}

/** Every fenced block of the README, then of each page under docs/, in order. */
export async function readmeCodeBlocks(): Promise<ReadmeCodeBlock[]> {
  const blocks: ReadmeCodeBlock[] = [];
  for (const file of documentationFiles) blocks.push(...codeBlocks(file, await readDocumentationFile(file)));
  return blocks;
}

/** The fenced blocks of one Markdown file. */
function codeBlocks(file: string, text: string): ReadmeCodeBlock[] {
  const lines = text.split("\n");
  const blocks: ReadmeCodeBlock[] = [];
  let section: string | undefined;
  let runBy: string | undefined;
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^(\s*)```(\w*)\s*$/.exec(line);
    if (open) {
      const indent = open[1]!.length;
      const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
      if (end < 0) throw new Error(`${file}:${i + 1}: a code block is never closed`);
      const code = lines
        .slice(i + 1, end)
        .map((l) => l.slice(indent))
        .join("\n");
      blocks.push({ file, lang: open[2]!, code, line: i + 1, section, marker, runBy });
      marker = undefined;
      i = end;
      continue;
    }
    const sectionStart = /<!-- section:([\w-]+) -->/.exec(line);
    if (sectionStart) [section, runBy] = [sectionStart[1], undefined];
    if (/<!-- \/section:[\w-]+ -->/.test(line)) [section, runBy] = [undefined, undefined];
    const sectionRunBy = /<!-- snippets: run by ([\w./-]+\.ts)\b/.exec(line);
    if (sectionRunBy) runBy = sectionRunBy[1];
    const snippet = /<!-- snippet: (.*?) -->/.exec(line);
    if (snippet) marker = snippet[1];
    else if (line.trim() !== "") marker = undefined;
  }
  return blocks;
}
