import { randomBytes, randomInt } from "node:crypto";
import { parseAllowList } from "./address-policy.ts";

/** Messenger (Graph) part of the server configuration. */
export interface MessengerConfig {
  /** page id -> page access token */
  pages: Record<string, string>;
  /**
   * page id -> sha256 of its page access token, for pages whose token the server knows only by its hash: the
   * development page on starts after the first on a data directory (dev-page-store.ts).
   */
  pageTokenHashes?: Record<string, Buffer>;
  /** true when MESSENGER_PAGES was unset and a development page was generated (or taken from the data directory) */
  generatedDevPage: boolean;
  /** MESSENGER_APP_SECRET: when set, appsecret_proof is required */
  appSecret?: string;
  /** ATTACHMENT_FETCH_ALLOW: hosts or CIDRs that may be fetched despite the address rules */
  fetchAllow: string[];
  /** URL fetch time limits set by configuration; those left out are the spec's (`x-attachment-limits`). */
  fetchTimeoutMs: { video?: number; other?: number };
}

const PAGE_ID = /^[0-9]{1,32}$/;
const TOKEN = /^[\x21-\x7e]{8,512}$/;

function readTimeout(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 600_000) {
    throw new Error(
      `${name} must be an integer number of milliseconds between 1 and 600000, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function readPages(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(
      `MESSENGER_PAGES must be a JSON object mapping page ids to page access tokens: ${(err as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(
      'MESSENGER_PAGES must be a JSON object mapping page ids to page access tokens, e.g. {"1234567890":"EAAB..."}',
    );
  }
  const pages: Record<string, string> = Object.create(null);
  const seenTokens = new Set<string>();
  for (const [id, token] of Object.entries(parsed)) {
    if (!PAGE_ID.test(id)) throw new Error(`MESSENGER_PAGES: page id ${JSON.stringify(id)} must be a numeric string`);
    if (typeof token !== "string" || !TOKEN.test(token)) {
      throw new Error(
        `MESSENGER_PAGES: the token of page ${id} must be a string of 8 to 512 printable ASCII characters ` +
          "without spaces",
      );
    }
    // A token identifies its page (`me`), so two pages cannot share one.
    if (seenTokens.has(token)) throw new Error(`MESSENGER_PAGES: page ${id} reuses another page's token`);
    seenTokens.add(token);
    pages[id] = token;
  }
  if (Object.keys(pages).length === 0) throw new Error("MESSENGER_PAGES must name at least one page");
  return pages;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/**
 * Reads MESSENGER_PAGES, MESSENGER_APP_SECRET, ATTACHMENT_FETCH_ALLOW
 * and the fetch timeouts; throws a clear error on bad values.
 */
export function loadMessengerConfig(env: NodeJS.ProcessEnv): MessengerConfig {
  const rawPages = env.MESSENGER_PAGES;
  let pages: Record<string, string>;
  let generatedDevPage = false;
  if (rawPages === undefined || rawPages.trim() === "") {
    const id = String(randomInt(1, 10)) + Array.from({ length: 14 }, () => randomInt(0, 10)).join("");
    pages = { [id]: `dev-${randomBytes(24).toString("base64url")}` };
    generatedDevPage = true;
  } else {
    pages = readPages(rawPages);
  }

  const appSecret = env.MESSENGER_APP_SECRET?.trim() ? env.MESSENGER_APP_SECRET : undefined;

  const fetchAllow = (env.ATTACHMENT_FETCH_ALLOW ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  // Fail at start on an entry that the fetcher could not use, rather than silently allowing nothing.
  parseAllowList(fetchAllow);

  return {
    pages,
    generatedDevPage,
    ...(appSecret !== undefined ? { appSecret } : {}),
    fetchAllow,
    fetchTimeoutMs: {
      ...optional("video", readTimeout(env, "ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO")),
      ...optional("other", readTimeout(env, "ATTACHMENT_FETCH_TIMEOUT_MS_OTHER")),
    },
  };
}
