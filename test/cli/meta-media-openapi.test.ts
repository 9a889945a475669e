/**
 * `meta-media-openapi serve | mock | docs | lint | test`, run from
 * a folder outside the repository as an installed user would.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../conformance/free-port.ts";
import { type StartedProcess, startProcess } from "../support/start-process.ts";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const cli = path.join(repoRoot, "cli", "meta-media-openapi.mjs");
const commands = ["serve", "mock", "api-docs", "lint", "test"];
let elsewhere: string;

beforeAll(async () => {
  elsewhere = await mkdtemp(path.join(os.tmpdir(), "cli-"));
});
afterAll(async () => {
  await rm(elsewhere, { recursive: true, force: true });
});

/** Runs the CLI to completion from a folder that is not the repository. */
async function cliRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: elsewhere, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts a long-running command, waits for `ready` in its output, and returns how to stop it. */
function cliStart(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<StartedProcess> {
  return startProcess(process.execPath, [cli, ...args], ready, { cwd: elsewhere, env: { ...process.env, ...env } });
}

describe("meta-media-openapi", () => {
  it("--help lists the five commands, and each command has its own --help", async () => {
    const top = await cliRun(["--help"]);
    expect(top.code).toBe(0);
    for (const command of commands) expect(top.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    const helps = await Promise.all(commands.map((command) => cliRun([command, "--help"])));
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0);
      expect(help.stdout.startsWith(`Usage: meta-media-openapi ${commands[i]}`), commands[i]).toBe(true);
    });
  }, 60_000);

  it("reports its version, and refuses unknown commands and options with exit code 2", async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
    const [version, unknown, badOption] = await Promise.all([
      cliRun(["--version"]),
      cliRun(["frobnicate"]),
      cliRun(["api-docs", "--colour"]),
    ]);
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Usage: meta-media-openapi api-docs");
  }, 60_000);

  it("api-docs --out builds index.html and openapi.yaml there; docs (its former name) finds them current", async () => {
    const out = path.join(elsewhere, "api-docs");
    const first = await cliRun(["api-docs", "--out", "api-docs"]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(path.join(out, "index.html"))).toBe(true);
    expect((await readFile(path.join(out, "openapi.yaml"), "utf8")).startsWith("openapi: 3.1")).toBe(true);
    for (const twin of ["whatsapp.openapi.yaml", "messenger.openapi.yaml", "messenger.multipart.openapi.yaml"]) {
      expect((await readFile(path.join(out, twin), "utf8")).startsWith("openapi: 3.1"), twin).toBe(true);
    }
    const second = await cliRun(["docs", "--out", "api-docs"]);
    expect(second.stdout).toContain("up to date");
  }, 60_000);

  it("lint passes on the package's own spec and fails on a broken description", async () => {
    const own = await cliRun(["lint"]);
    expect(own.code, own.stdout + own.stderr).toBe(0);
    const broken = path.join(elsewhere, "broken.yaml");
    await writeFile(broken, "openapi: 3.1.0\ninfo:\n  title: broken\npaths:\n  /x:\n    get:\n      responses: {}\n");
    const bad = await cliRun(["lint", "broken.yaml"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/error/i);
  }, 60_000);

  it("serve starts the reference server with the docs routes, and stops on SIGTERM", async () => {
    const port = await freePort();
    const dataDir = path.join(elsewhere, "data");
    const server = await cliStart(["serve", "--port", String(port), "--data-dir", dataDir], /listening on/);
    try {
      const spec = await fetch(`http://127.0.0.1:${port}/openapi.json`);
      expect(spec.status).toBe(200);
      expect(((await spec.json()) as { openapi: string }).openapi).toBe("3.1.0");
      const whatsapp = await fetch(`http://127.0.0.1:${port}/whatsapp.openapi.json`);
      expect(Object.keys(((await whatsapp.json()) as { paths: object }).paths)).toContain("/v1/media");
      const index = await fetch(`http://127.0.0.1:${port}/`);
      const html = await index.text();
      expect(html).toContain('href="/docs"');
      expect(html).toContain('href="/messenger.openapi.json"');
      expect(existsSync(dataDir)).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);

  it("mock starts Prism on the bundle, answering from its examples and taking documents of any type", async () => {
    const port = await freePort();
    const mock = await cliStart(["mock", "--port", String(port)], /Prism is listening/);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/users/login`, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from("admin:S3cret-pass!").toString("base64")}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { users: Array<{ token: string }> };
      expect(typeof body.users[0]?.token).toBe("string");
      // A document of a type the spec does not list (its application/octet-stream entry stands for every type).
      const headers = { Authorization: `Bearer ${body.users[0]!.token}` };
      for (const type of ["application/pdf", "text/plain", "application/octet-stream"]) {
        const upload = await fetch(`http://127.0.0.1:${port}/v1/media`, {
          method: "POST",
          headers: { ...headers, "Content-Type": type },
          body: "%PDF-1.4 a document",
        });
        expect(upload.status, type).toBe(201);
      }
    } finally {
      await mock.stop();
    }
    // The Prism child went down with the CLI: the port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/v1/users/login`, { method: "POST" })).rejects.toThrow();
  }, 90_000);

  it("mock --family serves one API family's bundle, and refuses an unknown family", async () => {
    const bad = await cliRun(["mock", "--family", "telegram"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--family must be one of whatsapp, messenger, all");

    const ports = { whatsapp: await freePort(), messenger: await freePort() };
    const mocks = await Promise.all(
      (["whatsapp", "messenger"] as const).map((family) =>
        cliStart(["mock", "--family", family, "--port", String(ports[family])], /Prism is listening/),
      ),
    );
    try {
      const login = (port: number) =>
        fetch(`http://127.0.0.1:${port}/v1/users/login`, {
          method: "POST",
          headers: { Authorization: `Basic ${Buffer.from("admin:S3cret-pass!").toString("base64")}` },
        });
      const send = (port: number) =>
        fetch(`http://127.0.0.1:${port}/me/messages?access_token=EAAB-token`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            recipient: { id: "1254459154682919" },
            message: { attachment: { type: "image", payload: { attachment_id: "1857777774821032" } } },
          }),
        });
      expect((await login(ports.whatsapp)).status).toBe(200);
      expect((await send(ports.whatsapp)).status).toBe(404);
      const sent = await send(ports.messenger);
      expect(sent.status).toBe(200);
      expect(((await sent.json()) as { message_id?: string }).message_id).toEqual(expect.any(String));
      expect((await login(ports.messenger)).status).toBe(404);
    } finally {
      await Promise.all(mocks.map((mock) => mock.stop()));
    }
  }, 90_000);
});
