/**
 * The README's first-run walkthrough, command by command: `npm start` as written (`PORT` a free port, temporary
 * data), then every other shell command of the section in a fresh folder, with that `PORT`. Then the same again,
 * as a reader who comes back: `npm start` restarted on the same data folder, where the admin password is already
 * changed, and every command run a second time.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeSection, shellCommands } from "../support/readme-section.ts";
import { npmStart, type StartedServer } from "../support/npm-start.ts";

const run = promisify(execFile);

let server: StartedServer | undefined;
let workDir: string;
let dataDir: string;
let commands: string[];

beforeAll(async () => {
  commands = shellCommands(await readmeSection("first-run"));
  workDir = await mkdtemp(path.join(os.tmpdir(), "readme-walkthrough-"));
  dataDir = path.join(workDir, "data");
});

afterAll(async () => {
  await server?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/**
 * Every command after `npm ci` and `npm start`, in one bash as a reader types them, with the `PORT` that `npm start`
 * was given (as a reader who chose a port exports it in the second terminal too).
 */
async function walkThrough(started: StartedServer, cwd: string): Promise<string> {
  const script = ["set -euo pipefail", ...commands.slice(2)].join("\n");
  const env = { ...process.env, PORT: new URL(started.baseUrl).port };
  const { stdout } = await run("bash", ["-c", script], { cwd, env, timeout: 60_000 });
  return stdout;
}

/** What a reader sees: a token, an uploaded media id, the same bytes back, the docs page. */
async function expectFirstMedia(stdout: string, cwd: string): Promise<void> {
  expect(stdout).toMatch(/"users":\[\{"token":"[^"]+","expires_after":"[^"]+"\}\]/);
  expect(stdout).toMatch(/uploaded media [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n/);
  expect(stdout).toContain("downloaded the same bytes\n");
  expect(stdout).toMatch(/^200 text\/html; charset=utf-8$/m);
  expect(await readFile(path.join(cwd, "hello-copy.txt"), "utf8")).toBe("Hello from meta-media-openapi\n");
}

describe("README first-run walkthrough", () => {
  it("starts with npm ci and npm start, then talks to the documented address", () => {
    // npm ci is exercised by .ci/run; npm start is what this test starts (same command, PORT and DATA_DIR set).
    expect(commands.slice(0, 2)).toEqual(["npm ci", "npm start"]);
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands.slice(2)) expect(command).not.toMatch(/^npm (ci|start)\b/);
    // The server's address follows PORT, as npm start does: one BASE line, used by every command that needs it.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${PORT:-8080}, as the README writes it
    expect(commands[2]).toBe('BASE="http://127.0.0.1:${PORT:-8080}"');
    for (const command of commands.slice(3)) {
      expect(command).not.toMatch(/https?:|127\.0\.0\.1|localhost|:8080/);
      if (command.includes("curl")) expect(command).toContain('"$BASE/');
    }
  });

  it("runs every other command against npm start and gets a first media up and down", async () => {
    server = await npmStart({ DATA_DIR: dataDir });
    const cwd = path.join(workDir, "first");
    await run("mkdir", ["-p", cwd]);
    await expectFirstMedia(await walkThrough(server, cwd), cwd);
    // The first login changed the password: the page says so no more.
    const index = await (await fetch(`${server.baseUrl}/`)).text();
    expect(index).not.toContain("still has the default password");
  }, 240_000);

  it("runs the same commands again after a restart on the same data folder, the password already changed", async () => {
    await server?.stop();
    server = await npmStart({ DATA_DIR: dataDir });
    const cwd = path.join(workDir, "second");
    await run("mkdir", ["-p", cwd]);
    const stdout = await walkThrough(server, cwd);
    await expectFirstMedia(stdout, cwd);
    // The old password is refused now; the walkthrough got its token from the new one.
    const refused = await fetch(`${server.baseUrl}/v1/users/login`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` },
    });
    expect(refused.status).toBe(401);
  }, 240_000);
});
