/**
 * `npm run lint:code` (after Biome): no line of the project's own TypeScript and JavaScript is longer than 120
 * characters. Biome's formatter wraps code at 120 but leaves long strings, comments and template literals alone;
 * this check covers them. Generated files are left out (they are what their generators write).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 120;
const SOURCE = /\.(c|m)?(t|j)sx?$/;

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => SOURCE.test(file) && !file.startsWith("generated/") && !file.includes("/generated/"));

const long: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // listed by git but deleted in the work tree
  }
  text.split("\n").forEach((line, i) => {
    const width = [...line].length;
    if (width > MAX) long.push(`${file}:${i + 1}: ${width} characters`);
  });
}

if (long.length > 0) {
  process.stderr.write(`${long.join("\n")}\n${long.length} line(s) longer than ${MAX} characters\n`);
  process.exit(1);
}
console.log(`check-line-length: ${files.length} files, no line longer than ${MAX} characters`);
