/**
 * The README's client examples (the ```ts blocks of its `client` section) type-check against the client and run
 * against the reference server, so they cannot rot.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeSection } from "../support/readme-section.ts";
import { referenceTarget, type ClientTarget } from "./client-target.ts";

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The ```ts code blocks between the README's `<!-- section:<name> -->` markers. */
async function readmeExamples(name: string): Promise<string[]> {
  const section = await readmeSection(name);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const readmeClientExamples = () => readmeExamples("client");

/** Imported as the package by readers; here the names point at the sources. */
function fromSources(code: string): string {
  return code
    .replaceAll('from "@meta-media-openapi/client"', `from ${JSON.stringify(path.join(repo, "client", "index.ts"))}`)
    .replaceAll('from "meta-media-openapi/emulator"', `from ${JSON.stringify(path.join(repo, "server", "emulator.ts"))}`);
}

describe("README client examples", () => {
  let target: ClientTarget;
  let work: string;
  let files: string[] = [];

  beforeAll(async () => {
    target = await referenceTarget();
    work = await mkdtemp(path.join(os.tmpdir(), "mmo-readme-"));
    const examples = [...(await readmeClientExamples()), ...(await readmeExamples("emulator"))];
    files = await Promise.all(
      examples.map(async (code, index) => {
        const file = path.join(work, `example-${index + 1}.mts`);
        await writeFile(file, fromSources(code));
        return file;
      }),
    );
  });
  afterAll(async () => {
    await target?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const env = () => ({
    ...process.env,
    WA_BASE_URL: target.waBaseUrl,
    WA_USERNAME: target.admin.username,
    WA_PASSWORD: target.admin.password,
    GRAPH_BASE_URL: target.graphBaseUrl,
    PAGE_ACCESS_TOKEN: target.pageToken,
    APP_SECRET: target.appSecret,
    IMAGE_URL: target.imageUrl,
  });

  it("the emulator example runs in process: media, the catalogue's 404, an attachment sent", { timeout: 60_000 }, async () => {
    expect(await readmeExamples("emulator")).toHaveLength(1);
    const file = files.at(-1)!;
    const { stdout } = await run(process.execPath, ["--import", "tsx", file], { cwd: repo, timeout: 50_000 });
    expect(stdout.trim().split("\n")).toEqual(["image/png", "true", "1254459154682919"]);
  });

  it("has one example per client family", async () => {
    const examples = await readmeClientExamples();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.some((code) => code.includes("createWhatsAppClient("))).toBe(true);
    expect(examples.some((code) => code.includes("createMessengerClient("))).toBe(true);
  });

  it("type-check with tsc", { timeout: 120_000 }, async () => {
    const tsconfig = path.join(work, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: path.join(repo, "tsconfig.json"),
        compilerOptions: { noEmit: true, typeRoots: [path.join(repo, "node_modules", "@types")] },
        files,
        include: [],
      }),
    );
    const result = await run(process.execPath, [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig]).catch(
      (err: { stdout?: string; stderr?: string }) => ({ stdout: `tsc failed\n${err.stdout ?? ""}`, stderr: err.stderr ?? "" }),
    );
    expect(`${result.stdout}${result.stderr}`).toBe("");
  });

  it("the WhatsApp example runs: upload, download to a file, settings, and the 404 after delete", { timeout: 60_000 }, async () => {
    const file = files[0]!;
    const { stdout } = await run(process.execPath, ["--import", "tsx", file], { cwd: repo, env: env(), timeout: 50_000 });
    expect(stdout).toContain("webhooks.max_concurrent_requests");
    expect(stdout.trim().split("\n").at(-1)).toBe("404 1006");
  });

  it("the Messenger example runs: upload from a URL, send by id, and the Graph error", { timeout: 60_000 }, async () => {
    const file = files[1]!;
    const { stdout } = await run(process.execPath, ["--import", "tsx", file], { cwd: repo, env: env(), timeout: 50_000 });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\S+ \S+$/);
    expect(lines.at(-1)).toBe("400 100 2018074");
  });
});
