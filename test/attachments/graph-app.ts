/** A Hono app with only the Graph routes, on temporary storage, with a movable clock and injectable DNS. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Hono } from "hono";
import type { AppDeps } from "../../server/app.ts";
import { registerGraphRoutes } from "../../server/attachments/routes.ts";
import { loadConfig } from "../../server/config.ts";
import { createBlobStore } from "../../server/storage/blob-store.ts";
import { openDatabase } from "../../server/storage/database.ts";

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

export interface GraphTestApp {
  app: Hono;
  deps: AppDeps;
  clock: FakeClock;
  /** `app.request` with the path relative to the server root. */
  request(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

/** Builds the app; `env` adds to or overrides the Messenger variables (allow-list 127.0.0.1, 1.5 s timeouts by default). */
export async function createGraphTestApp(env: Record<string, string> = {}, lookup?: AppDeps["lookup"]): Promise<GraphTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "graph-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: TOKEN, [OTHER_PAGE_ID]: OTHER_TOKEN }),
    ATTACHMENT_FETCH_ALLOW: "127.0.0.1",
    ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "1500",
    ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "1500",
    ...env,
  });
  const db = openDatabase(dataDir);
  const clock = new FakeClock();
  const deps: AppDeps = {
    config,
    db,
    media: await createBlobStore(path.join(dataDir, "media")),
    attachments: await createBlobStore(path.join(dataDir, "attachments")),
    clock,
    ...(lookup ? { lookup } : {}),
  };
  const app = new Hono();
  registerGraphRoutes(app, deps);
  return {
    app,
    deps,
    clock,
    request: async (p, init) => app.request(`http://graph.test${p}`, init),
    close() {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON POST init. */
export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** The multipart form of a file upload. */
export function uploadForm(message: unknown, file: Uint8Array, mime: string, order: "message-first" | "file-first" = "message-first"): FormData {
  const form = new FormData();
  const blob = new Blob([new Uint8Array(file)], { type: mime });
  if (order === "message-first") form.append("message", JSON.stringify(message));
  form.append("filedata", blob, "upload.bin");
  if (order === "file-first") form.append("message", JSON.stringify(message));
  return form;
}
