/**
 * The package as a user gets it: `npm pack` (which builds dist/ and renders the docs through `prepack`), install the
 * tarball into a temporary project, type-check a short TypeScript script that imports the clients from
 * "meta-media-openapi" with tsc, then run the compiled script against the reference server on loopback. Then the tool
 * from a read-only install: `serve`, `docs`, `mock`, `lint` and `test` work, and not one byte of node_modules changes.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { copyFile, chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceTarget, type ClientTarget } from "../client/client-target.ts";
import { freePort } from "../../conformance/free-port.ts";
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
  let tarball: string;
  let project: string;

  beforeAll(async () => {
    target = await referenceTarget();
    work = await mkdtemp(path.join(os.tmpdir(), "mmo-package-"));
    // npm pack runs `prepack`, i.e. `npm run build`.
    await run(npm, ["pack", "--pack-destination", work], { cwd: repo });
    const name = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    expect(name).toMatch(/^meta-media-openapi-\d+\.\d+\.\d+\.tgz$/);
    tarball = path.join(work, name!);

    project = path.join(work, "consumer");
    await mkdir(project);
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    // Dependencies come from the npm cache this repository was installed from; install scripts (native builds) are skipped.
    await run(
      npm,
      ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"],
      { cwd: project },
    );
  }, 600_000);
  afterAll(async () => {
    await target?.close();
    // The read-only test leaves node_modules without write permission: give it back so it can be removed.
    if (project) await run("chmod", ["-R", "u+w", project]).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("carries the LICENSE and the rendered docs", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.trim().split("\n");
    expect(files).toContain("package/LICENSE");
    const docs = ["index.html", "openapi.yaml", "whatsapp.openapi.yaml", "messenger.openapi.yaml", "build-stamp.json"];
    for (const name of docs) {
      expect(files).toContain(`package/dist/api-docs/${name}`);
    }
    const license = await readFile(path.join(project, "node_modules", "meta-media-openapi", "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} meta-media-openapi contributors\n/);
    const manifest = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as { license: string };
    expect(manifest.license).toBe("MIT");
  });

  it("type-checks a consumer script and runs it", { timeout: 600_000 }, async () => {
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

  const readOnly = "runs serve, docs, mock, lint and test from a read-only install, writing nothing in it";
  it(readOnly, { timeout: 600_000 }, async () => {
    const nodeModules = path.join(project, "node_modules");
    // The native module is what `npm install` would compile from the same source with the same Node: copied from the
    // repository's own build instead of compiled again (a minute and a half).
    const binding = path.join("better-sqlite3", "build", "Release", "better_sqlite3.node");
    const version = async (root: string) => {
      const manifest = await readFile(path.join(root, "better-sqlite3", "package.json"), "utf8");
      return (JSON.parse(manifest) as { version: string }).version;
    };
    expect(await version(nodeModules)).toBe(await version(path.join(repo, "node_modules")));
    await mkdir(path.dirname(path.join(nodeModules, binding)), { recursive: true });
    await copyFile(path.join(repo, "node_modules", binding), path.join(nodeModules, binding));

    const user = toolUser();
    await chmod(work, 0o755);
    const home = await mkdtemp(path.join(work, "run-"));
    if (user) await chown(home, user.uid, user.gid);
    await run("chmod", ["-R", "a-w", nodeModules]);
    const before = await tree(nodeModules);

    const bin = path.join(nodeModules, ".bin", "meta-media-openapi");
    // Nothing from this process's environment (DOCS_DIR, XDG_CACHE_HOME...): a home that does not exist, so no cache
    // folder can be made either, and the `node` on PATH is the one running this suite (the Node 24 leg's too).
    const env = {
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: path.join(home, "no-such-home"),
      WA_ADMIN_PASSWORD: "Read-0nly-Install!",
    };
    const options = { cwd: home, env, ...user };
    const tool = (args: string[]) => run(bin, args, options);

    const port = await freePort();
    const serveArgs = ["serve", "--port", String(port), "--data-dir", path.join(home, "data")];
    const serve = await startTool(bin, serveArgs, /listening on/, options);
    try {
      const base = `http://127.0.0.1:${port}`;
      const docs = await fetch(`${base}/docs`);
      expect(docs.status, serve.output()).toBe(200);
      const page = await docs.text();
      expect(page).toContain("Redoc");
      expect(page).toContain(base);
      expect(page).not.toContain("127.0.0.1:8080");
      const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { servers: Array<{ url: string }> };
      expect(spec.servers.map((s) => s.url)).toContain(base);
      for (const p of ["/openapi.yaml", "/messenger.openapi.yaml"]) {
        const res = await fetch(`${base}${p}`);
        expect(res.status, p).toBe(200);
        expect(await res.text(), p).toContain(`${base}`);
      }
      expect(serve.output()).not.toMatch(/Built the API docs|could not be built/);

      const report = path.join(home, "report.xml");
      const conformance = await tool([
        "test", "--target", base, "--family", "whatsapp", "--wa-password", env.WA_ADMIN_PASSWORD,
        "--layer", "scenarios", "--operation", "downloadMedia", "--junit", report,
      ]);
      expect(conformance.stdout).toMatch(/downloadMedia/);
      expect(await readFile(report, "utf8")).toMatch(/^<\?xml/);
    } finally {
      expect(await serve.stop()).toBe(0);
    }

    const shipped = await tool(["docs"]);
    expect(shipped.stdout).toContain("shipped with the package are up to date");
    const out = path.join(home, "api-docs");
    await tool(["docs", "--out", out]);
    expect((await readFile(path.join(out, "index.html"), "utf8")).length).toBeGreaterThan(100_000);
    await tool(["lint"]);

    const mockPort = await freePort();
    const mock = await startTool(bin, ["mock", "--port", String(mockPort)], /Prism is listening/, options);
    try {
      const login = await fetch(`http://127.0.0.1:${mockPort}/v1/users/login`, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from("admin:S3cret-pass!").toString("base64")}` },
      });
      expect(login.status).toBe(200);
    } finally {
      await mock.stop();
    }

    expect(await tree(nodeModules)).toEqual(before);
  });
});

const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Who runs the tool in the read-only test: `nobody` when this suite runs as root (root writes through any
 * permission bit, so `chmod a-w` alone would prove nothing), else this user. Either way the test also compares every
 * entry of node_modules (directory times included) before and after.
 */
function toolUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return spawnSync(process.execPath, ["-e", "0"], NOBODY).status === 0 ? NOBODY : undefined;
}

/** Every entry under `dir` with its mode, size and modification time: any write, creation or removal shows. */
async function tree(dir: string): Promise<string[]> {
  const entries: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const info = await lstat(folder);
    entries.push(`${path.relative(dir, folder) || "."}/ ${info.mode.toString(8)} ${info.mtimeMs}`);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(file);
      } else {
        const stats = await lstat(file);
        entries.push(`${path.relative(dir, file)} ${stats.mode.toString(8)} ${stats.size} ${stats.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return entries;
}

/** Starts a long-running command of the tool and resolves once its output matches `ready`. */
async function startTool(
  bin: string,
  args: string[],
  ready: RegExp,
  options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<{ output(): string; stop(): Promise<number | null> }> {
  const child = spawn(bin, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} not ready within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}:\n${output}`));
    });
  });
  return {
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
