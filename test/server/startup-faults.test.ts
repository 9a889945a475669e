/**
 * A start that cannot go on because of a setting stops with one line naming the setting and exit code 2, no stack
 * trace, through `npm start` (environment variables) and `meta-media-openapi serve` (flags) alike, and leaves
 * nothing behind: no data directory, no database, no development page whose token was never printed. The start
 * message of a later start on the same data directory tells where the development page's token is.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../conformance/free-port.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const cli = path.join(repoRoot, "cli", "meta-media-openapi.mjs");

let tmp: string;
let busy: net.Server;
let busyPort: number;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "startup-faults-"));
  busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

/** A directory nothing can be created in: root ignores permission bits, but not sysfs, which refuses new files. */
function notWritableDir(): string {
  if (process.getuid?.() === 0) return "/sys";
  const dir = path.join(tmp, "read-only");
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o555);
  return dir;
}

function aFile(): string {
  const file = path.join(tmp, "a-file");
  writeFileSync(file, "not a directory\n");
  return file;
}

function unreadableDatabaseDir(): string {
  const dir = path.join(tmp, "bad-db");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "server.sqlite"),
    "this is not a database, only some text that fills its first page".repeat(20),
  );
  return dir;
}

const freshDataDir = () => path.join(tmp, `data-${Math.random().toString(36).slice(2)}`);

/** Runs a command until it exits (60 s at most); the exit code and what it printed. */
function runToExit(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not exit within 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `npm start` with settings from the environment (HOST and PORT
 * are set to something sane unless a case says otherwise).
 */
const npmStart = (env: Record<string, string>) =>
  runToExit("npm", ["start", "--silent"], { HOST: "127.0.0.1", PORT: "0", ...env });
/** `meta-media-openapi serve` with flags (the environment cleared of the same settings). */
const cliServe = (args: string[]) =>
  runToExit(process.execPath, [cli, "serve", ...args], { HOST: "", PORT: "", DATA_DIR: "" });

/**
 * `meta-media-openapi serve --port <free> ARGS` with MESSENGER_PAGES unset, until it has printed its development page;
 * then stopped. What it printed.
 */
async function startUntilListening(args: string[]): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, "serve", "--port", String(port), ...args], {
    cwd: repoRoot,
    env: { ...process.env, MESSENGER_PAGES: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 60 s:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      if (/set MESSENGER_PAGES to choose/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  return output;
}

function expectOneLine(run: { code: number | null; stdout: string; stderr: string }, expected: RegExp): void {
  expect(run.code, run.stdout + run.stderr).toBe(2);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^Cannot start the reference server: /);
  expect(lines[0]).toMatch(expected);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

/** A PostgreSQL URL on a loopback port nothing listens on (the port is free once freePort returns it). */
async function unreachableDatabase(): Promise<string> {
  return `postgres://meta:Sekr3t-pass@127.0.0.1:${await freePort()}/media`;
}

describe("start-up faults name the setting and exit with code 2", () => {
  it("through npm start, naming the environment variable, and leave nothing behind", async () => {
    const fresh = [freshDataDir(), freshDataDir(), freshDataDir(), freshDataDir(), freshDataDir()];
    const runs = await Promise.all([
      npmStart({ PORT: String(busyPort), DATA_DIR: fresh[0]! }),
      npmStart({ HOST: "no-such-host.invalid", DATA_DIR: fresh[1]! }),
      npmStart({ HOST: "192.0.2.1", DATA_DIR: fresh[2]! }),
      npmStart({ DATA_DIR: aFile() }),
      npmStart({ DATA_DIR: notWritableDir() }),
      npmStart({ DATA_DIR: unreadableDatabaseDir() }),
      npmStart({ DATABASE_URL: await unreachableDatabase(), DATA_DIR: fresh[3]!, MEDIA_DIR: fresh[4]! }),
      npmStart({ DATABASE_URL: "mysql://meta:Sekr3t-pass@127.0.0.1/media", DATA_DIR: fresh[3]! }),
    ]);
    const [portInUse, unresolvable, notLocal, file, notWritable, badDatabase, unreachable, notPostgres] = runs;
    expectOneLine(portInUse!, new RegExp(`PORT ${busyPort} is already in use on 127\\.0\\.0\\.1`));
    expectOneLine(unresolvable!, /HOST no-such-host\.invalid does not resolve/);
    expectOneLine(notLocal!, /HOST 192\.0\.2\.1 is not an address of this machine/);
    expectOneLine(file!, /DATA_DIR .*a-file is a file, not a directory/);
    expectOneLine(notWritable!, /DATA_DIR .* is not writable/);
    expectOneLine(badDatabase!, /DATA_DIR .*bad-db cannot be used: its database server\.sqlite cannot be opened/);
    expectOneLine(
      unreachable!,
      /DATABASE_URL postgres:\/\/meta:\*\*\*@127\.0\.0\.1:\d+\/media cannot be used: .*ECONNREFUSED/,
    );
    expectOneLine(notPostgres!, /DATABASE_URL must be a PostgreSQL URL such as postgres:\/\//);
    // A password is never printed.
    for (const run of [unreachable!, notPostgres!]) expect(run.stderr + run.stdout).not.toContain("Sekr3t-pass");
    // Nothing was created: no data directory, no media folder.
    for (const dir of fresh) expect(existsSync(dir), dir).toBe(false);
  }, 120_000);

  it("leaves an existing data directory as it was, so the next start still prints the new page's token", async () => {
    const dataDir = freshDataDir();
    mkdirSync(dataDir);
    const env = { DATA_DIR: dataDir, MESSENGER_PAGES: "" };
    expectOneLine(await npmStart({ ...env, PORT: String(busyPort) }), /is already in use/);
    expectOneLine(await npmStart({ ...env, HOST: "192.0.2.1" }), /is not an address of this machine/);
    expect(readdirSync(dataDir)).toEqual([]);
    const first = await startUntilListening(["--data-dir", dataDir]);
    expect(first).toMatch(/development page \d+, page access token \S+/);
  }, 120_000);

  it("through meta-media-openapi serve, naming the flag", async () => {
    const runs = await Promise.all([
      cliServe(["--port", String(busyPort), "--data-dir", freshDataDir()]),
      cliServe(["--port", "0", "--database-url", await unreachableDatabase(), "--media-dir", freshDataDir()]),
      cliServe(["--host", "no-such-host.invalid", "--port", "0", "--data-dir", freshDataDir()]),
      cliServe(["--host", "192.0.2.1", "--port", "0", "--data-dir", freshDataDir()]),
      cliServe(["--port", "0", "--data-dir", aFile()]),
      cliServe(["--port", "0", "--data-dir", notWritableDir()]),
      cliServe(["--port", "0", "--data-dir", unreadableDatabaseDir()]),
      cliServe(["--port", "http", "--data-dir", freshDataDir()]),
    ]);
    const [portInUse, unreachable, unresolvable, notLocal, file, notWritable, badDatabase, badPort] = runs;
    expectOneLine(unreachable!, /--database-url postgres:\/\/meta:\*\*\*@127\.0\.0\.1:\d+\/media cannot be used/);
    expectOneLine(
      portInUse!,
      new RegExp(
        `--port ${busyPort} is already in use on 127\\.0\\.0\\.1: stop the other server or choose another --port`,
      ),
    );
    expectOneLine(unresolvable!, /--host no-such-host\.invalid does not resolve/);
    expectOneLine(notLocal!, /--host 192\.0\.2\.1 is not an address of this machine/);
    expectOneLine(file!, /--data-dir .*a-file is a file, not a directory/);
    expectOneLine(notWritable!, /--data-dir .* is not writable/);
    expectOneLine(badDatabase!, /--data-dir .*bad-db cannot be used/);
    expectOneLine(badPort!, /--port must be a whole number/);
  }, 120_000);
});

describe("the start message on a data directory that already has a development page", () => {
  it("prints the token at the first start only, and says where it is at the next", async () => {
    const dataDir = freshDataDir();
    const start = () => startUntilListening(["--data-dir", dataDir]);
    const first = await start();
    const [, pageId, token] = /development page (\d+), page access token (\S+)/.exec(first)!;
    expect(first).toContain("the same page and token on every start");
    const second = await start();
    expect(second).toContain(`development page ${pageId}, with the page access token printed at the first start`);
    expect(second).toContain("only its hash is stored");
    expect(second).not.toContain(token!);
  }, 120_000);
});
