/** The programs tests run in child processes (test/support/fixtures/), by file name, as absolute paths. */
import path from "node:path";

/** The absolute path of `test/support/fixtures/<name>`. */
export function fixtureProgram(name: string): string {
  return path.join(import.meta.dirname, "fixtures", name);
}
