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
import { readmeSection, shellCommands } from "../support/readme-section.ts";
import { npmStart, type StartedServer } from "./npm-start.ts";

const run = promisify(execFile);

let server: StartedServer;
let workDir: string;
let commands: string[];

beforeAll(async () => {
  commands = shellCommands(await readmeSection("first-run"));
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
