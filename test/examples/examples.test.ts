/** Every script in examples/ runs against the reference server (real HTTP on a free port) and does what it says. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppFromConfig } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { serveNode, type NodeServer } from "../../server/edge/serve-node.ts";
import { tinyPng } from "../../conformance/media-files.ts";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const ADMIN_PASSWORD = "Examp1e-Pass!";
const PAGE_ID = "1122334455";
const PAGE_TOKEN = "EAAB-example-page-token";

let tmp: string;
let baseUrl: string;
let server: NodeServer | undefined;
let closeApp: () => void;

/** Runs an example like a user would (`npx tsx examples/<name>`), with the given environment. */
async function example(name: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", path.join("examples", name), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout;
}

const whatsAppEnv = () => ({ WA_BASE_URL: baseUrl, WA_USERNAME: "admin", WA_PASSWORD: ADMIN_PASSWORD });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "examples-"));
  const config = loadConfig({
    DATA_DIR: path.join(tmp, "data"),
    WA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: PAGE_TOKEN }),
  });
  const built = await createAppFromConfig(config);
  closeApp = built.close;
  server = await serveNode(built.app, { host: "127.0.0.1", port: 0 });
  baseUrl = server.url;
});

afterAll(async () => {
  await server?.close();
  closeApp?.();
  await rm(tmp, { recursive: true, force: true });
});

describe("examples/", () => {
  it("every example has a test here", async () => {
    const scripts = (await readdir(path.join(repoRoot, "examples"))).filter((f) => f.endsWith(".ts")).sort();
    expect(scripts).toEqual(["change-settings.ts", "upload-and-download-media.ts", "upload-and-send-attachment.ts"]);
  });

  it("upload-and-download-media.ts uploads a PNG and downloads the same bytes", async () => {
    const input = path.join(tmp, "photo.png");
    const output = path.join(tmp, "photo-copy.png");
    const png = tinyPng(8, 8);
    await writeFile(input, png);
    const out = await example("upload-and-download-media.ts", [input, "image/png", output], whatsAppEnv());
    const id = /as media ([0-9a-f-]{36})/.exec(out)?.[1];
    expect(id, out).toBeDefined();
    expect(out).toContain(`downloaded media ${id} (image/png, ${png.length} bytes)`);
    expect((await readFile(output)).equals(png)).toBe(true);
  });

  it("upload-and-download-media.ts reports the API's refusal and exits 1", async () => {
    const input = path.join(tmp, "not-a-png.png");
    await writeFile(input, "plain text pretending to be a PNG");
    const failure = await example(
      "upload-and-download-media.ts",
      [input, "image/png", path.join(tmp, "x")],
      whatsAppEnv(),
    ).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/WhatsApp API 415: 1009/);
  });

  it("change-settings.ts changes the settings and lists those that need a restart", async () => {
    const out = await example("change-settings.ts", [], whatsAppEnv());
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("callback_backoff_delay_ms: 3000, auto_download: []");
    expect(lines[1]).toBe("restart required for: webhooks.max_concurrent_requests");
    expect(lines[2]).toBe('callback_backoff_delay_ms: 5000, auto_download: ["image","document"]');
    // The change is on the server, not only in the script's view.
    const login = await fetch(`${baseUrl}/v1/users/login`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}` },
    });
    const token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]!.token;
    const settings = await fetch(`${baseUrl}/v1/settings/application`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const app = ((await settings.json()) as { settings: { application: Record<string, unknown> } }).settings
      .application;
    expect(app.callback_backoff_delay_ms).toBe(5000);
    expect((app.webhooks as { max_concurrent_requests: number }).max_concurrent_requests).toBe(12);
  });

  it("upload-and-send-attachment.ts uploads a file attachment and sends it by id", async () => {
    // The image docs/api-docs.md downloads for it: the server's sample.
    const input = path.join(tmp, "photo.png");
    const sample = await fetch(`${baseUrl}/samples/photo.png`);
    expect(sample.headers.get("content-type")).toBe("image/png");
    await writeFile(input, Buffer.from(await sample.arrayBuffer()));
    const out = await example("upload-and-send-attachment.ts", [input, "image", "6543210987"], {
      GRAPH_BASE_URL: baseUrl,
      PAGE_ID,
      PAGE_ACCESS_TOKEN: PAGE_TOKEN,
    });
    const id = /as attachment ([0-9]+)/.exec(out)?.[1];
    expect(id, out).toBeDefined();
    expect(out).toMatch(new RegExp(`sent attachment ${id} to 6543210987: message \\S+`));
  });

  it("upload-and-send-attachment.ts reports Graph errors (wrong token: 190) and exits 1", async () => {
    const input = path.join(tmp, "card2.png");
    await writeFile(input, tinyPng());
    const failure = await example("upload-and-send-attachment.ts", [input, "image", "6543210987"], {
      GRAPH_BASE_URL: baseUrl,
      PAGE_ID,
      PAGE_ACCESS_TOKEN: "EAAB-not-the-right-token",
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/Graph API error 190/);
  });
});
