/**
 * The README's first-run walkthrough, command by command: `npm start` as written (on a free port, temporary data),
 * then every other shell command of the section in a fresh folder, with the port substituted.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npmStart, type StartedServer } from "./npm-start.ts";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");

/** The shell commands of a README section: the ```sh blocks, continuation lines joined, comments dropped. */
function sectionCommands(readme: string, section: string): string[] {
  const start = readme.indexOf(`<!-- section:${section} -->`);
  const end = readme.indexOf(`<!-- /section:${section} -->`);
  if (start < 0 || end < start) throw new Error(`README has no section ${section}`);
  const body = readme.slice(start, end);
  const commands: string[] = [];
  for (const block of body.matchAll(/^([ \t]*)```sh\n([\s\S]*?)^\1```/gm)) {
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

let server: StartedServer;
let workDir: string;
let commands: string[];

beforeAll(async () => {
  commands = sectionCommands(await readFile(path.join(repoRoot, "README.md"), "utf8"), "first-run");
  server = await npmStart();
  workDir = await mkdtemp(path.join(os.tmpdir(), "readme-walkthrough-"));
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("README first-run walkthrough", () => {
  it("starts with npm ci and npm start, then talks to the documented address", () => {
    // npm ci is exercised by .ci/run; npm start is what this test started (same command, PORT and DATA_DIR set).
    expect(commands.slice(0, 2)).toEqual(["npm ci", "npm start"]);
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands.slice(2)) expect(command).not.toMatch(/^npm (ci|start)\b/);
    expect(commands.slice(2).every((c) => !c.includes("http") || c.includes("http://127.0.0.1:8080"))).toBe(true);
  });

  it("runs every other command against npm start and gets a first media up and down", async () => {
    const port = new URL(server.baseUrl).port;
    const script = ["set -euo pipefail", ...commands.slice(2)].join("\n").replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`);
    const { stdout } = await run("bash", ["-c", script], { cwd: workDir, timeout: 60_000 });
    expect(stdout).toMatch(/"users":\[\{"token":"[^"]+","expires_after":"[^"]+"\}\]/);
    expect(stdout).toMatch(/uploaded media [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n/);
    expect(stdout).toContain("downloaded the same bytes\n");
    expect(stdout).toMatch(/^200 text\/html; charset=utf-8$/m);
    expect(await readFile(path.join(workDir, "hello-copy.txt"), "utf8")).toBe("Hello from meta-media-openapi\n");
  }, 90_000);
});
