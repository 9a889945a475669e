/**
 * The in-process emulator: both API families of the reference server, stateful, in memory, with no port and no
 * disk. Its `fetch` can be handed to the typed clients (`createWhatsAppClient({ ..., fetch: emulator.fetch })`),
 * to MSW or to any code that takes a fetch function, so an application's unit tests exercise real behaviour
 * (login, uploads, settings, attachments) without a server.
 *
 * Blobs (media, attachments) are held in memory until deleted; an emulator is meant for tests, not for gigabytes.
 */
import type { Hono } from "hono";
import { createApp, type AppConfig } from "./app.ts";
import { createAddressPolicy } from "./attachments/address-policy.ts";
import { createFunctionFetcher, type FetchFunction } from "./attachments/function-fetcher.ts";
import { createSafeFetcher, type SafeFetcher } from "./attachments/safe-fetcher.ts";
import type { Clock } from "./clock.ts";
import { API_VERSION, ConfigError, loadConfig } from "./config.ts";
import { createMemoryStorage } from "./storage/memory/memory-storage.ts";
import type { OpenApiDocument } from "../spec-model/openapi-document.ts";

/** The page the emulator serves when `pages` is not given (the page id of the spec's examples). */
export const EMULATOR_PAGE = { id: "1234567890", token: "emulator-page-access-token" } as const;

/** Options of `createEmulator`: those of the server where they apply. */
export interface EmulatorOptions {
  /** Initial password of the built-in `admin`; unset: `secret`, which must be changed at the first login. */
  adminPassword?: string;
  /** The WhatsApp id shown, read-only, in the application settings (default `16315551019`). */
  waId?: string;
  /** The node's cap on one media upload, in bytes (default 100 MiB); the spec's per-type limits apply below it. */
  mediaMaxBytes?: number;
  /** Quota of the (in-memory) media volume, in bytes; uploads past it answer 503 (1011). */
  mediaVolumeMaxBytes?: number;
  /** Messenger pages: page id -> page access token (default: EMULATOR_PAGE). */
  pages?: Record<string, string>;
  /** When set, Graph calls must carry `appsecret_proof`. */
  appSecret?: string;
  /** The source of "now" (token expiry, attachment expiry, login throttling); default the system clock. */
  clock?: Clock;
  /**
   * Failed-login limits (WA_LOGIN_MAX_FAILURES_PER_ADDRESS, WA_LOGIN_MAX_FAILURES_PER_USER,
   * WA_LOGIN_FAILURE_WINDOW_SECONDS); every in-process request counts as coming from one address.
   */
  loginThrottle?: { maxFailuresPerAddress?: number; maxFailuresPerUser?: number; windowSeconds?: number };
  /**
   * scrypt's cost for passwords, as log2 of N (WA_PASSWORD_HASH_COST): 10 to 16, default 14 (about 45 ms of CPU per
   * login); 10 makes each login about 16 times cheaper, for suites that log in often.
   */
  passwordHashCost?: number;
  /**
   * How attachment URLs are fetched: a fetch function that answers them (no network). Unset: the network, through
   * the same SSRF-safe fetcher as the server (loopback, private and link-local addresses refused).
   */
  attachmentFetch?: FetchFunction;
  /** Hosts or CIDR ranges attachment URLs may reach despite the address rules (ATTACHMENT_FETCH_ALLOW). */
  attachmentFetchAllow?: string[];
  /** Time limits of fetching an attachment URL; default: the spec's (75 s for videos, 10 s for the rest). */
  attachmentFetchTimeoutMs?: { video?: number; other?: number };
  /** The spec to serve; default: the project's bundle. */
  spec?: OpenApiDocument;
}

/** A running emulator. */
export interface Emulator {
  /** Serves one request, like the global `fetch` (relative URLs resolve against `http://emulator.local`). */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The Messenger pages it serves: page id -> page access token. */
  readonly pages: Readonly<Record<string, string>>;
  /** The Hono app behind `fetch`. */
  readonly app: Hono;
  /** Releases the attachment fetcher's connections; the emulator answers nothing afterwards. */
  close(): Promise<void>;
}

/** The option each configuration variable comes from, to name it in errors. */
const OPTION_OF: Record<string, string> = {
  WA_ADMIN_PASSWORD: "adminPassword",
  WA_ID: "waId",
  WA_MEDIA_MAX_BYTES: "mediaMaxBytes",
  WA_MEDIA_VOLUME_MAX_BYTES: "mediaVolumeMaxBytes",
  MESSENGER_PAGES: "pages",
  MESSENGER_APP_SECRET: "appSecret",
  ATTACHMENT_FETCH_ALLOW: "attachmentFetchAllow",
  ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "attachmentFetchTimeoutMs.video",
  ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "attachmentFetchTimeoutMs.other",
  WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "loginThrottle.maxFailuresPerAddress",
  WA_LOGIN_MAX_FAILURES_PER_USER: "loginThrottle.maxFailuresPerUser",
  WA_LOGIN_FAILURE_WINDOW_SECONDS: "loginThrottle.windowSeconds",
  WA_PASSWORD_HASH_COST: "passwordHashCost",
};

const text = (value: number | string | undefined) => (value === undefined ? undefined : String(value));

/** The options checked by the server's own configuration rules, errors naming the option. */
function emulatorConfig(options: EmulatorOptions): AppConfig & { mediaVolumeMaxBytes?: number } {
  const env: Record<string, string | undefined> = {
    DATA_DIR: "/nonexistent-emulator-data-dir",
    WA_ADMIN_PASSWORD: options.adminPassword,
    WA_ID: options.waId,
    WA_MEDIA_MAX_BYTES: text(options.mediaMaxBytes),
    WA_MEDIA_VOLUME_MAX_BYTES: text(options.mediaVolumeMaxBytes),
    MESSENGER_PAGES: JSON.stringify(options.pages ?? { [EMULATOR_PAGE.id]: EMULATOR_PAGE.token }),
    MESSENGER_APP_SECRET: options.appSecret,
    ATTACHMENT_FETCH_ALLOW: options.attachmentFetchAllow?.join(","),
    ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: text(options.attachmentFetchTimeoutMs?.video),
    ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: text(options.attachmentFetchTimeoutMs?.other),
    WA_LOGIN_MAX_FAILURES_PER_ADDRESS: text(options.loginThrottle?.maxFailuresPerAddress),
    WA_LOGIN_MAX_FAILURES_PER_USER: text(options.loginThrottle?.maxFailuresPerUser),
    WA_LOGIN_FAILURE_WINDOW_SECONDS: text(options.loginThrottle?.windowSeconds),
    WA_PASSWORD_HASH_COST: text(options.passwordHashCost),
  };
  try {
    const { host: _host, port: _port, dataDir: _dataDir, ...config } = loadConfig(env);
    return { ...config, apiVersion: API_VERSION };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const message = err.message.replace(/\b[A-Z][A-Z_]+[A-Z]\b/g, (name) => OPTION_OF[name] ?? name);
    throw new ConfigError(`createEmulator: ${message}`);
  }
}

/** Creates an emulator with empty in-memory storage. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const config = emulatorConfig(options);
  const storage = createMemoryStorage(
    config.mediaVolumeMaxBytes !== undefined ? { mediaVolumeMaxBytes: config.mediaVolumeMaxBytes } : {},
  );
  const policy = createAddressPolicy(config.messenger.fetchAllow);
  const fetcher: SafeFetcher = options.attachmentFetch
    ? createFunctionFetcher(options.attachmentFetch, { policy })
    : createSafeFetcher({ policy });
  const app = createApp({
    ...(options.spec ? { spec: options.spec } : {}),
    config,
    storage,
    ...(options.clock ? { clock: options.clock } : {}),
    fetcher,
    apiDocs: false,
  });
  let closed = false;
  return {
    app,
    pages: Object.freeze({ ...config.messenger.pages }),
    async fetch(input, init) {
      if (closed) throw new Error("The emulator is closed");
      const request = input instanceof Request && init === undefined ? input : new Request(resolve(input), init);
      return app.fetch(request);
    },
    async close() {
      closed = true;
      await fetcher.close();
      storage.close();
    },
  };
}

function resolve(input: Request | string | URL): Request | URL {
  if (input instanceof Request) return input;
  return new URL(input, "http://emulator.local");
}
