// The in-process emulator (`meta-media-openapi/emulator`): both families, stateful, through the unmodified typed
// clients; with a plain fetch interceptor as MSW users would wire it; and with no socket and no file.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createMessengerClient,
  createWhatsAppClient,
  GraphApiError,
  graphErrorCatalogue,
  MessengerApiError,
  messengerErrorCatalogue,
  WhatsAppApiError,
  whatsAppErrorCatalogue,
} from "../../client/index.ts";
import { ConfigError } from "../../server/config.ts";
import { createEmulator, EMULATOR_PAGE } from "../../server/emulator.ts";
import { tinyPng } from "../../conformance/media-files.ts";
import { CAT_URL, catServer, driveBothClients } from "../support/emulator-scenario.ts";
import { fixtureProgram } from "../support/fixture-programs.ts";

const run = promisify(execFile);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("createEmulator", () => {
  it("serves both families statefully to the typed clients", async () => {
    const emulator = createEmulator({ attachmentFetch: catServer });
    try {
      const result = await driveBothClients(emulator);
      expect(result.mediaId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Buffer.from(result.downloaded).equals(Buffer.from(result.uploaded))).toBe(true);
      expect(result.afterDelete).toBe(404);
      expect(result.restartRequired).toEqual(["webhooks.max_concurrent_requests"]);
      expect(result.webhookConcurrency).toBe(12);
      expect(result.waId).toBe("16315551019");
      expect(result.fileAttachmentId).toMatch(/^[0-9]{16}$/);
      expect(result.urlAttachmentId).toMatch(/^[0-9]{16}$/);
      expect(result.sent.recipient_id).toBe("1254459154682919");
      expect(result.sent.message_id).toMatch(/^m_/);
    } finally {
      await emulator.close();
    }
  });

  it("takes the server's options: admin password, pages, app secret, WA id, media cap", async () => {
    const emulator = createEmulator({
      adminPassword: "Opt1ons!pass",
      pages: { "5550001": "page-token-5550001" },
      appSecret: "s3cret",
      waId: "4915123456789",
      mediaMaxBytes: 1000,
    });
    try {
      expect(emulator.pages).toEqual({ "5550001": "page-token-5550001" });
      const fetch = emulator.fetch;
      const wa = createWhatsAppClient({
        baseUrl: "http://emulator.local",
        username: "admin",
        password: "Opt1ons!pass",
        fetch,
      });
      expect((await wa.getApplicationSettings()).settings.application.wa_id).toBe("4915123456789");
      const tooLarge = await wa.uploadMedia(new Uint8Array(2000), "application/pdf").catch((err: unknown) => err);
      expect(tooLarge).toBeInstanceOf(WhatsAppApiError);
      expect((tooLarge as WhatsAppApiError).is(whatsAppErrorCatalogue.payloadTooLarge)).toBe(true);

      const base = { accessToken: "page-token-5550001", baseUrl: "http://emulator.local", fetch };
      const withoutProof = createMessengerClient(base);
      const refused = await withoutProof
        .sendAttachment("1", { attachmentId: "1", type: "image" })
        .catch((e: unknown) => e);
      expect((refused as MessengerApiError).is(messengerErrorCatalogue.appsecretProof)).toBe(true);
      const withProof = createMessengerClient({ ...base, appSecret: "s3cret" });
      const unknown = await withProof
        .sendAttachment("1", { attachmentId: "1", type: "image" })
        .catch((e: unknown) => e);
      expect((unknown as MessengerApiError).is(messengerErrorCatalogue.attachmentInvalid)).toBe(true);
      // The names of 0.1.0, kept as deprecated aliases, are the same class and catalogue.
      expect(unknown).toBeInstanceOf(MessengerApiError);
      expect(unknown).toBeInstanceOf(GraphApiError);
      expect((unknown as GraphApiError).is(graphErrorCatalogue.attachmentInvalid)).toBe(true);
      expect(graphErrorCatalogue).toBe(messengerErrorCatalogue);
    } finally {
      await emulator.close();
    }
  });

  it("serves a default development page, and keeps the server's default admin password rule", async () => {
    const emulator = createEmulator();
    try {
      expect(emulator.pages).toEqual({ [EMULATOR_PAGE.id]: EMULATOR_PAGE.token });
      const wa = createWhatsAppClient({
        baseUrl: "http://x",
        username: "admin",
        password: "secret",
        fetch: emulator.fetch,
      });
      const refused = await wa.getApplicationSettings().catch((err: unknown) => err);
      expect((refused as WhatsAppApiError).is(whatsAppErrorCatalogue.missingParameter)).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  it("throttles failed logins like the server, within the limits it is given", async () => {
    const emulator = createEmulator({ adminPassword: "Thr0ttle!pass", loginThrottle: { maxFailuresPerUser: 2 } });
    try {
      const wrong = createWhatsAppClient({
        baseUrl: "http://emulator.local",
        username: "admin",
        password: "not-the-password",
        fetch: emulator.fetch,
      });
      const attempts: unknown[] = [];
      for (let i = 0; i < 3; i++) attempts.push(await wrong.loginUser().catch((err: unknown) => err));
      expect(attempts.map((err) => (err as WhatsAppApiError).status)).toEqual([401, 401, 429]);
      expect((attempts[2] as WhatsAppApiError).is(whatsAppErrorCatalogue.tooManyRequests)).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  it("refuses bad options with the option's name", () => {
    expect(() => createEmulator({ adminPassword: "weak" })).toThrow(ConfigError);
    expect(() => createEmulator({ adminPassword: "weak" })).toThrow(/^createEmulator: adminPassword must be/);
    expect(() => createEmulator({ pages: { "not-a-page": "token-123456" } })).toThrow(/createEmulator: pages: page id/);
    expect(() => createEmulator({ attachmentFetchAllow: ["not a host"] })).toThrow(/attachmentFetchAllow/);
    expect(() => createEmulator({ loginThrottle: { windowSeconds: 0 } })).toThrow(
      /^createEmulator: loginThrottle.windowSeconds must be/,
    );
    expect(() => createEmulator({ passwordHashCost: 20 })).toThrow(/^createEmulator: passwordHashCost must be/);
  });

  it("applies the SSRF address rules when no attachment fetch is given", async () => {
    const emulator = createEmulator();
    try {
      const messenger = createMessengerClient({
        accessToken: EMULATOR_PAGE.token,
        baseUrl: "http://e",
        fetch: emulator.fetch,
      });
      for (const url of [
        "http://127.0.0.1:9/cat.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.png",
      ]) {
        const err = await messenger.uploadAttachmentFromUrl(url, "image").catch((e: unknown) => e);
        expect((err as MessengerApiError).is(messengerErrorCatalogue.fetchFailed), url).toBe(true);
      }
    } finally {
      await emulator.close();
    }
  });

  it("plugs into a plain fetch interceptor (the way MSW handlers forward requests)", async () => {
    const emulator = createEmulator({ adminPassword: "Interc3pt!", attachmentFetch: catServer });
    const real = globalThis.fetch;
    const seen: string[] = [];
    vi.stubGlobal("fetch", async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const { host } = new URL(request.url);
      seen.push(host);
      if (host === "graph.facebook.com" || host === "wa.example.internal") return emulator.fetch(request);
      return real(request);
    });
    try {
      // Code under test written for production: default base URLs, global fetch.
      const wa = createWhatsAppClient({
        baseUrl: "https://wa.example.internal",
        username: "admin",
        password: "Interc3pt!",
      });
      const id = await wa.uploadMedia(tinyPng(), "image/png");
      expect((await wa.downloadMedia(id)).contentType).toBe("image/png");
      const messenger = createMessengerClient({ accessToken: EMULATOR_PAGE.token });
      const { attachment_id } = await messenger.uploadAttachmentFromUrl(CAT_URL, "image", { isReusable: true });
      const sent = await messenger.sendAttachment("1254459154682919", { attachmentId: attachment_id });
      expect(sent.message_id).toMatch(/^m_/);
      expect(new Set(seen)).toEqual(new Set(["wa.example.internal", "graph.facebook.com"]));
    } finally {
      await emulator.close();
    }
  });

  it("opens no socket and writes no file", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "emulator-cwd-"));
    const tmp = mkdtempSync(path.join(os.tmpdir(), "emulator-tmp-"));
    try {
      const tsx = import.meta.resolve("tsx");
      const { stdout } = await run(process.execPath, ["--import", tsx, fixtureProgram("emulator-io-probe.ts")], {
        cwd,
        // tsx keeps a transform cache in the temporary folder unless told not to.
        env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, TSX_DISABLE_CACHE: "1" },
        timeout: 60_000,
      });
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { attempts: string[]; downloaded: number };
      expect(report.downloaded).toBeGreaterThan(0);
      expect(report.attempts).toEqual([]);
      expect(readdirSync(cwd)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
