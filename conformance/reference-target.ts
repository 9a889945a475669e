/**
 * The reference server as a contract target (what `meta-media-openapi test` runs against without `--target`): built
 * in-process from `createAppFromConfig` with a temporary data directory, served with @hono/node-server on 127.0.0.1
 * (port 0), with a movable clock, a local file server that the attachment fetcher is allowed to reach, and storage
 * that can be made to fail (for the documented 503s). The only module of the suite that uses the server's code.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Hono } from "hono";
import { createAppFromConfig } from "../server/app.ts";
import type { LookupFunction } from "../server/attachments/safe-fetcher.ts";
import type { Clock } from "../server/clock.ts";
import { loadConfig } from "../server/config.ts";
import { serveNode } from "../server/edge/serve-node.ts";
import { BlobStorageUnavailableError, createBlobStore, type BlobStore } from "../server/storage/blob-store.ts";
import { mediaSamples } from "./media-samples.ts";
import type { ContractTarget } from "./session.ts";
import type { ApiFamily } from "../spec-model/spec-bundles.ts";

/**
 * Turns the app into what gets served; tests use it to break a response on purpose. `env` carries the Node request
 * and response (@hono/node-server): pass it on to `app.fetch` so the app sees the socket, as it does under `npm start`.
 */
export type AppWrapper = (app: Hono) => { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };

export interface ReferenceTarget {
  target: ContractTarget;
  /** The Hono app behind the main server (for the route-drift check). */
  app: Hono;
  /** The fetch function actually served (after any wrapper). */
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  close(): Promise<void>;
}

const ADMIN_PASSWORD = "Contract-Adm1n!";
const PAGE_ID = "104857600123456";
const PAGE_TOKEN = "contract-page-token-0123456789";
const LOGIN_FAILURES_PER_USER = 10;

/** A loopback file server: `/pixel.png` is an image, anything else 404. */
async function startFileServer(): Promise<{ url: string; close(): Promise<void> }> {
  const pngBytes = mediaSamples().find((s) => s.contentType === "image/png")!.bytes;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/pixel.png")) {
      res.writeHead(200, { "content-type": "image/png", "content-length": pngBytes.length });
      res.end(pngBytes);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** DNS that knows no name: generated attachment URLs never send a query off this machine (IP literals need none). */
const offlineLookup = (async (hostname: string) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (contract suite: offline DNS)`), {
    code: "ENOTFOUND",
    hostname,
  });
}) as unknown as LookupFunction;

/** A blob store that fails like a full or read-only volume while `fault()` says so. */
function faultable(store: BlobStore, fault: () => boolean): BlobStore {
  const unavailable = () =>
    Promise.reject(
      new BlobStorageUnavailableError("contract suite: simulated storage fault (volume full or read-only)"),
    );
  return {
    write: (id, body, opts) => (fault() ? unavailable() : store.write(id, body, opts)),
    open: (id) => store.open(id),
    delete: (id) => (fault() ? unavailable() : store.delete(id)),
    list: () => store.list(),
    usedBytes: () => store.usedBytes(),
  };
}

/** Starts the reference server (and its helpers) for the contract suite. */
export async function startReferenceTarget(
  options: { wrap?: AppWrapper; families?: ApiFamily[] } = {},
): Promise<ReferenceTarget> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    const files = await startFileServer();
    cleanups.push(() => files.close());
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    const env = (dataDir: string): NodeJS.ProcessEnv => ({
      DATA_DIR: dataDir,
      WA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: PAGE_TOKEN }),
      ATTACHMENT_FETCH_ALLOW: "127.0.0.1",
      // Lower than the default (100) only so that the 429 scenario spends a few failed logins, not a hundred; the
      // other limits are the defaults, which a whole suite run stays far below (about 2 failures per run).
      WA_LOGIN_MAX_FAILURES_PER_USER: String(LOGIN_FAILURES_PER_USER),
      // The lowest scrypt cost: this server and its passwords are thrown away after the run, and a run logs in
      // hundreds of times (about 3 ms of CPU each instead of 45).
      WA_PASSWORD_HASH_COST: "10",
    });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "contract-ref-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let storageFault = false;
    const faulty = () => storageFault;
    const built = await createAppFromConfig(loadConfig(env(dataDir)), {
      clock,
      lookup: offlineLookup,
      media: faultable(await createBlobStore(path.join(dataDir, "media")), faulty),
      attachments: faultable(await createBlobStore(path.join(dataDir, "attachments")), faulty),
    });
    cleanups.push(() => built.close());
    const served = options.wrap
      ? options.wrap(built.app)
      : { fetch: (request: Request, env?: unknown) => built.app.fetch(request, env) };
    const main = await serveNode(served, { host: "127.0.0.1", port: 0 });
    cleanups.push(() => main.close());

    const target: ContractTarget = {
      whatsAppBaseUrl: main.url,
      graphBaseUrl: `${main.url}/v21.0`,
      admin: { username: "admin", password: ADMIN_PASSWORD },
      messenger: { pageId: PAGE_ID, accessToken: PAGE_TOKEN },
      fetchableImageUrl: `${files.url}/pixel.png`,
      unfetchableUrl: `${files.url}/missing.png`,
      loginFailureLimitPerUser: LOGIN_FAILURES_PER_USER,
      families: options.families ?? ["whatsapp", "messenger"],
      // A server of its own, thrown away after the run: everything runs on it, irreversible checks included.
      destructive: true,
      disposable: true,
      hooks: {
        setClockOffset: (ms) => {
          offset = ms;
        },
        setStorageFault: (on) => {
          storageFault = on;
        },
      },
    };
    return { target, app: built.app, fetch: served.fetch, close };
  } catch (err) {
    await close();
    throw err;
  }
}
