/**
 * The servers the client suite runs against: the Prism mock (stateless, answers the spec's examples) and the reference
 * server (stateful, listening on loopback). The suite is written once against this interface.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { FetchFunction } from "../../client/index.ts";
import { createAppFromConfig } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { serveNode } from "../../server/edge/serve-node.ts";
import { tinyPng } from "../../conformance/media-files.ts";

export interface ClientTarget {
  name: string;
  /** Root of the WA paths (`/v1/...`). */
  whatsAppBaseUrl: string;
  /**
   * Graph root and version: the reference server serves
   * `/v21.0/{page_id}/...`, Prism ignores servers and serves `/{page_id}/...`.
   */
  graphBaseUrl: string;
  graphVersion: string;
  admin: { username: string; password: string };
  pageId: string;
  pageToken: string;
  appSecret: string;
  /** A URL the server may fetch for an upload from URL (a PNG). */
  imageUrl: string;
  /** True when the server keeps state (upload then download gives the same bytes); Prism answers examples. */
  stateful: boolean;
  /**
   * A fetch that makes the next replies carry `status`, for error cases the suite cannot cause with real input on every
   * target: Prism picks its response by `Prefer: code=N`; the reference server needs no help (undefined).
   */
  forceStatus(status: number): FetchFunction | undefined;
  close(): Promise<void>;
}

/** The Prism mock started by the vitest globalSetup. */
export function prismTarget(prismUrl: string): ClientTarget {
  return {
    name: "Prism mock",
    whatsAppBaseUrl: prismUrl,
    graphBaseUrl: prismUrl,
    graphVersion: "",
    admin: { username: "admin", password: "Adm1n!secret" },
    pageId: "me",
    pageToken: "EAAB-prism-page-token",
    appSecret: "prism-app-secret",
    imageUrl: "https://example.com/pixel.png",
    stateful: false,
    forceStatus: (status) => (request) => {
      request.headers.set("Prefer", `code=${status}`);
      return fetch(request);
    },
    close: async () => {},
  };
}

/** A PNG served on loopback for the reference server's upload-from-URL (allow-listed in its configuration). */
async function startImageHost(): Promise<{ url: string; close(): Promise<void> }> {
  const png = tinyPng();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.byteLength });
    res.end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pixel.png`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Options for `referenceTarget`: extra environment for `loadConfig`. */
export interface ReferenceTargetOptions {
  env?: Record<string, string>;
}

/** The reference server in this process, on 127.0.0.1 port 0, with temporary storage. */
export async function referenceTarget(options: ReferenceTargetOptions = {}): Promise<ClientTarget> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "mmo-client-"));
  const image = await startImageHost();
  const admin = { username: "admin", password: "Adm1n!secret" };
  const pageId = "1234567890";
  const pageToken = "EAAB-reference-page-token";
  const appSecret = "reference-app-secret";
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    WA_ADMIN_PASSWORD: admin.password,
    MESSENGER_PAGES: JSON.stringify({ [pageId]: pageToken }),
    MESSENGER_APP_SECRET: appSecret,
    ATTACHMENT_FETCH_ALLOW: "127.0.0.1",
    ...options.env,
  });
  const built = await createAppFromConfig(config);
  const server = await serveNode(built.app, { host: "127.0.0.1", port: 0 });
  const baseUrl = server.url;
  return {
    name: "reference server",
    whatsAppBaseUrl: baseUrl,
    graphBaseUrl: baseUrl,
    graphVersion: "v21.0",
    admin,
    pageId,
    pageToken,
    appSecret,
    imageUrl: image.url,
    stateful: true,
    forceStatus: () => undefined,
    async close() {
      await server.close();
      built.close();
      await image.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
