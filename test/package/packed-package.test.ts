/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepack`), install the tarball into a
 * temporary project, type-check a short TypeScript script that imports the clients from "meta-media-openapi" with tsc,
 * then run the compiled script against the reference server on loopback.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceTarget, type ClientTarget } from "../client/client-target.ts";
import { tinyPng } from "../../conformance/media-files.ts";

const execFileAsync = promisify(execFile);

/** Runs a command; a failure carries the command's own output, so a broken build or install says why. */
async function run(file: string, args: string[], options: Parameters<typeof execFileAsync>[2] = {}) {
  try {
    return await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024, ...options, encoding: "utf8" });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  }
}
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// The consumer's script: every line type-checked against the installed declarations. The @ts-expect-error lines fail
// the compilation if the types ever degrade to `any`.
const script = `
import { createMessengerClient, createWhatsAppClient, GraphApiError, WhatsAppApiError } from "meta-media-openapi";
import { createEmulator } from "meta-media-openapi/emulator";
import type { components, paths } from "meta-media-openapi/types";
import spec from "meta-media-openapi/openapi.json" with { type: "json" };
import whatsappSpec from "meta-media-openapi/whatsapp.openapi.json" with { type: "json" };
import messengerSpec from "meta-media-openapi/messenger.openapi.json" with { type: "json" };
import messengerFilesSpec from "meta-media-openapi/messenger.multipart.openapi.json" with { type: "json" };

const env = process.env as Record<string, string>;
const wa = createWhatsAppClient({ baseUrl: env.WA_URL!, username: env.WA_USER!, password: env.WA_PASSWORD! });

const settings: components["schemas"]["ApplicationSettings"] = (await wa.getApplicationSettings()).settings.application;
// @ts-expect-error unknown setting
const rejected = await wa.updateApplicationSettings({ no_such_setting: true }).catch((e: unknown) => e);
// @ts-expect-error not a MIME type (no subtype)
void (() => wa.uploadMedia(new Blob([]), "gif"));
// Any type/subtype is a document upload (the spec's */* entry).
void (() => wa.uploadMedia(new Blob([]), "image/gif"));

const id: string = await wa.uploadMedia(new Blob(["hello from the packed package"]), "text/plain");
const media = await wa.downloadMedia(id);
const text = await new Response(media.stream).text();
await wa.deleteMedia(id);
const gone = await wa.downloadMedia(id).catch((e: unknown) => e);

const messenger = createMessengerClient({
  accessToken: env.PAGE_TOKEN!,
  pageId: env.PAGE_ID!,
  baseUrl: env.GRAPH_URL!,
  appSecret: env.APP_SECRET!,
});
const png = new Blob([Buffer.from(env.PNG_BASE64!, "base64")], { type: "image/png" });
const uploaded = await messenger.uploadAttachmentFile(png, "pixel.png", "image", { isReusable: true });
const sent = await messenger.sendAttachment("1254459154682919", { attachmentId: uploaded.attachment_id });
const badSend = await messenger
  .sendAttachment("1254459154682919", { attachmentId: "999999999999", type: "image" })
  .catch((e: unknown) => e);

// The in-process emulator, from the installed package: both clients through its fetch, no server, no port.
const emulator = createEmulator({ adminPassword: "Emu1ator!pass" });
const [emulatedPage, emulatedToken] = Object.entries(emulator.pages)[0]!;
const local = { baseUrl: "http://emulator.local", fetch: emulator.fetch };
const emulatedWa = createWhatsAppClient({ ...local, username: "admin", password: "Emu1ator!pass" });
const emulatedId = await emulatedWa.uploadMedia(new Blob(["in memory"]), "text/plain");
const emulatedText = await new Response((await emulatedWa.downloadMedia(emulatedId)).stream).text();
const emulatedMessenger = createMessengerClient({ ...local, accessToken: emulatedToken, pageId: emulatedPage });
const emulatedUpload = await emulatedMessenger.uploadAttachmentFile(png, "pixel.png", "image", { isReusable: true });
await emulator.close();

type MediaPath = keyof paths;
const mediaPath: MediaPath = "/v1/media";
// A specifier in a variable: the server entry is only resolved at run time (its native dependency is not built here).
const serverEntry = "meta-media-openapi/server";
const server = (await import(serverEntry)) as { createApp?: unknown; createAppFromConfig?: unknown };

console.log(
  JSON.stringify({
    waId: settings.wa_id,
    rejected: rejected instanceof WhatsAppApiError ? rejected.status : null,
    text,
    contentType: media.contentType,
    gone: gone instanceof WhatsAppApiError ? [gone.status, gone.errors[0]?.code] : null,
    attachmentId: uploaded.attachment_id,
    messageId: sent.message_id,
    badSend: badSend instanceof GraphApiError ? [badSend.status, badSend.code, badSend.subcode] : null,
    openapi: spec.openapi,
    familyServers: [whatsappSpec.servers[0]?.url, messengerSpec.servers[0]?.url, messengerFilesSpec.servers[0]?.url],
    mediaPath,
    server: [typeof server.createApp, typeof server.createAppFromConfig],
    emulated: [emulatedText, emulatedUpload.attachment_id],
  }),
);
`;

describe("the packed package", () => {
  let target: ClientTarget;
  let work: string;

  beforeAll(async () => {
    target = await referenceTarget();
    work = await mkdtemp(path.join(os.tmpdir(), "mmo-package-"));
  });
  afterAll(async () => {
    await target?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs from its tarball, type-checks a consumer script and runs it", { timeout: 600_000 }, async () => {
    // npm pack runs `prepack`, i.e. `npm run build`.
    await run(npm, ["pack", "--pack-destination", work], { cwd: repo });
    const tarball = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^meta-media-openapi-\d+\.\d+\.\d+\.tgz$/);

    const project = path.join(work, "consumer");
    await mkdir(project);
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    // Dependencies come from the npm cache this repository was installed from; install scripts (native builds) are skipped.
    await run(
      npm,
      ["install", path.join(work, tarball!), "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"],
      { cwd: project },
    );

    await writeFile(path.join(project, "consumer.ts"), script);
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          resolveJsonModule: true,
          skipLibCheck: false,
          outDir: "out",
          types: ["node"],
          typeRoots: [path.join(repo, "node_modules", "@types")],
        },
        files: ["consumer.ts"],
      }),
    );
    const compiled = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).catch((err: Error) => ({
      stdout: err.message,
      stderr: "",
    }));
    expect(`${compiled.stdout}${compiled.stderr}`).toBe("");

    const { stdout } = await run(process.execPath, [path.join(project, "out", "consumer.js")], {
      cwd: project,
      env: {
        ...process.env,
        WA_URL: target.waBaseUrl,
        WA_USER: target.admin.username,
        WA_PASSWORD: target.admin.password,
        GRAPH_URL: target.graphBaseUrl,
        PAGE_ID: target.pageId,
        PAGE_TOKEN: target.pageToken,
        APP_SECRET: target.appSecret,
        PNG_BASE64: Buffer.from(tinyPng()).toString("base64"),
      },
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result).toEqual({
      waId: expect.stringMatching(/^\d+$/),
      rejected: 400,
      text: "hello from the packed package",
      contentType: expect.stringMatching(/^text\/plain/),
      gone: [404, 1006],
      attachmentId: expect.stringMatching(/^\d+$/),
      messageId: expect.any(String),
      badSend: [400, 100, 2018074],
      openapi: "3.1.0",
      familyServers: ["https://{host}:{port}", "https://graph.facebook.com/{version}", "https://graph.facebook.com/{version}"],
      mediaPath: "/v1/media",
      server: ["function", "function"],
      emulated: ["in memory", expect.stringMatching(/^\d{16}$/)],
    });
  });
});
