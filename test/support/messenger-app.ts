/** The reference app on temporary storage, with a movable clock and injectable DNS, for the Graph operations. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Hono } from "hono";
import { createApp } from "../../server/app.ts";
import type { LookupFunction } from "../../server/attachments/safe-fetcher.ts";
import { loadConfig } from "../../server/config.ts";
import { openSqliteStorage, type SqliteStorage } from "../../server/storage/sqlite/sqlite-storage.ts";

export const PAGE_ID = "1111111111";
export const TOKEN = "page-token-one-1111";
export const OTHER_PAGE_ID = "2222222222";
export const OTHER_TOKEN = "page-token-two-2222";

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public ms = Date.UTC(2025, 0, 1)) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface MessengerTestApp {
  app: Hono;
  storage: SqliteStorage;
  clock: FakeClock;
  /** `app.request` with the path relative to the server root. */
  request(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

/**
 * Builds the app; `env` adds to or overrides the Messenger variables (allow-list 127.0.0.1, 1.5 s timeouts by default).
 */
export async function createMessengerTestApp(
  env: Record<string, string> = {},
  lookup?: LookupFunction,
): Promise<MessengerTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "graph-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    WA_ADMIN_PASSWORD: "Adm1n!pass",
    MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: TOKEN, [OTHER_PAGE_ID]: OTHER_TOKEN }),
    ATTACHMENT_FETCH_ALLOW: "127.0.0.1",
    ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "1500",
    ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "1500",
    ...env,
  });
  const storage = await openSqliteStorage(dataDir);
  const clock = new FakeClock();
  const app = createApp({ config, storage, clock, apiDocs: false, ...(lookup ? { lookup } : {}) });
  return {
    app,
    storage,
    clock,
    request: async (p, init) => app.request(`http://graph.test${p}`, init),
    close() {
      storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON POST init. */
export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** The multipart form of a file upload. */
export function uploadForm(
  message: unknown,
  file: Uint8Array,
  mime: string,
  order: "message-first" | "file-first" = "message-first",
): FormData {
  const form = new FormData();
  const blob = new Blob([new Uint8Array(file)], { type: mime });
  if (order === "message-first") form.append("message", JSON.stringify(message));
  form.append("filedata", blob, "upload.bin");
  if (order === "file-first") form.append("message", JSON.stringify(message));
  return form;
}
