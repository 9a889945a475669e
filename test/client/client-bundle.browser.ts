/**
 * The client package in a browser: `npm pack -w client`, installed into a fresh project, a small script bundled by
 * esbuild for `platform: "browser"` (no Node built-ins, no polyfills), type-checked without Node's types, then run
 * in Debian's Chromium against the reference server. The page is served at the server's own origin (Playwright's
 * `page.route`), so no CORS is involved. The script logs in, uploads, downloads the same bytes, reads the settings,
 * uploads an attachment and sends it (with `appsecret_proof` from Web Crypto), and finds the Node-only helpers refusing
 * with a TypeError.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyPng } from "../../conformance/media-files.ts";
import { referenceTarget, type ClientTarget } from "../support/client-target.ts";
import { freshProject, npm, packClient, run, tsc } from "../support/package-project.ts";
import { launchChromium } from "../support/chromium.ts";

// What the page runs. `run` is the bundle's export, called by the test with the server's details.
const entry = `
import {
  createMessengerClient,
  createWhatsAppClient,
  saveMediaToFile,
  WhatsAppApiError,
} from "@meta-media-openapi/client";

export interface PageConfig {
  origin: string;
  username: string;
  password: string;
  pageId: string;
  pageToken: string;
  appSecret: string;
  pngBase64: string;
}

async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
    return "no error";
  } catch (err) {
    return err instanceof TypeError ? err.message : String(err);
  }
}

export async function run(config: PageConfig) {
  const wa = createWhatsAppClient({ baseUrl: config.origin, username: config.username, password: config.password });
  const bytes = new Uint8Array(256 * 1024).map((_, i) => (i * 31 + 7) % 256);
  const id = await wa.uploadMedia(new Blob([bytes]), "application/octet-stream");
  const media = await wa.downloadMedia(id);
  const back = new Uint8Array(await new Response(media.stream).arrayBuffer());
  const settings = (await wa.getApplicationSettings()).settings.application;
  await wa.deleteMedia(id);
  const gone = await wa.downloadMedia(id).catch((err: unknown) => (err instanceof WhatsAppApiError ? err.status : err));

  const messenger = createMessengerClient({
    accessToken: config.pageToken,
    pageId: config.pageId,
    baseUrl: config.origin,
    appSecret: config.appSecret,
  });
  const pngBytes = Uint8Array.from(atob(config.pngBase64), (c) => c.charCodeAt(0));
  const png = new File([pngBytes], "pixel.png", { type: "image/png" });
  const uploaded = await messenger.uploadAttachmentFile(png, png.name, "image", { isReusable: true });
  const sent = await messenger.sendAttachment("1254459154682919", { attachmentId: uploaded.attachment_id });

  return {
    sameBytes: back.length === bytes.length && back.every((b, i) => b === bytes[i]),
    contentType: media.contentType,
    waId: settings.wa_id,
    gone,
    attachmentId: uploaded.attachment_id,
    recipient: sent.recipient_id,
    filePath: await refusal(() => wa.uploadMedia("/etc/hostname", "text/plain")),
    saveToFile: await refusal(() => saveMediaToFile(media, "copy.bin")),
  };
}
`;

describe("the client package bundled for the browser", () => {
  let work: string;
  let project: string;
  let bundle: string;
  let target: ClientTarget;
  let browser: Browser;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "mmo-client-browser-"));
    const tarball = await packClient(work);
    project = await freshProject(work, "browser-app");
    await run(npm, ["install", tarball, "--no-audit", "--no-fund"], { cwd: project });
    await writeFile(path.join(project, "page.ts"), entry);
    target = await referenceTarget();
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await target?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("type-checks with the DOM's types only (no @types/node)", async () => {
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          types: [],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ["page.ts"],
      }),
    );
    const checked = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).catch((err: Error) => ({
      stdout: err.message,
      stderr: "",
    }));
    expect(`${checked.stdout}${checked.stderr}`).toBe("");
  });

  it("bundles with esbuild for the browser platform, without any Node built-in", async () => {
    const result = await build({
      absWorkingDir: project,
      entryPoints: ["page.ts"],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "clientPage",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes("node_modules/@meta-media-openapi/client/dist/lib/"))).toBe(true);
    expect(inputs.some((f) => f.includes("node_modules/openapi-fetch/"))).toBe(true);
    expect(inputs.filter((f) => f.startsWith("node:") || (!f.includes("/") && f !== "page.ts"))).toEqual([]);
    bundle = result.outputFiles[0]!.text;
    expect(bundle).not.toMatch(/\brequire\(|from\s*["']node:|import\(["']node:/);
  });

  it("runs in Chromium against the reference server: media, settings, an attachment sent", async () => {
    const origin = target.whatsAppBaseUrl.replace(/\/+$/, "");
    const page = await browser.newPage();
    const offOrigin: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(`${origin}/`)) offOrigin.push(request.url());
    });
    const html = `<!doctype html><meta charset="utf-8"><title>client</title><script>${bundle}</script>`;
    await page.route(`${origin}/client-page.html`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await page.goto(`${origin}/client-page.html`);
    const config = {
      origin,
      username: target.admin.username,
      password: target.admin.password,
      pageId: target.pageId,
      pageToken: target.pageToken,
      appSecret: target.appSecret,
      pngBase64: Buffer.from(tinyPng()).toString("base64"),
    };
    const result = await page.evaluate(
      (cfg) => (globalThis as unknown as { clientPage: { run(c: typeof cfg): Promise<unknown> } }).clientPage.run(cfg),
      config,
    );
    expect(result).toEqual({
      sameBytes: true,
      contentType: "application/octet-stream",
      waId: expect.stringMatching(/^\d+$/),
      gone: 404,
      attachmentId: expect.stringMatching(/^\d+$/),
      recipient: "1254459154682919",
      filePath: expect.stringMatching(/^uploadMedia with a file path needs Node/),
      saveToFile: expect.stringMatching(/^saveMediaToFile needs Node/),
    });
    expect(offOrigin).toEqual([]);
    await page.close();
  });
});
