/**
 * The baseline of the benchmarks: a bare `node:http` server doing no more work per request than the reference server
 * needs for the benchmarked operations, with no framework, no validation and no error envelope.
 * - Every request: the bearer token parsed from `Authorization`, its sha256 looked up in memory (a Map, as the
 *   reference server's token cache does), expiry and role checked.
 * - `GET /v1/settings/application`: the settings reply, serialised once at start and sent as is.
 * - `POST /v1/media`: the body streamed to `<DATA_DIR>/media/tmp/<uuid>`, fsync, rename to `<DATA_DIR>/media/<uuid>`,
 *   fsync of the folder; 201 with the id.
 * - `GET /v1/media/<uuid>`: the file streamed back with its Content-Length.
 * Environment: HOST, PORT (0 = any), DATA_DIR, BENCH_TOKEN (the one valid admin token), SETTINGS_FILE (JSON of the
 * `settings.application` object to serve). Prints "raw server listening on <url>".
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? "0");
const dataDir = process.env.DATA_DIR;
const token = process.env.BENCH_TOKEN;
if (!dataDir || !token || !process.env.SETTINGS_FILE)
  throw new Error("DATA_DIR, BENCH_TOKEN and SETTINGS_FILE are required");
const meta = { api_status: "stable", version: "3.0.1" };
const settingsReply = JSON.stringify({
  settings: { application: JSON.parse(readFileSync(process.env.SETTINGS_FILE, "utf8")) as unknown },
  meta,
});

const mediaDir = path.join(dataDir, "media");
const tmpDir = path.join(mediaDir, "tmp");
mkdirSync(tmpDir, { recursive: true });

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");
/** Token hashes in memory: sha256 (hex) -> what authorisation needs. */
const tokens = new Map([[sha256(token), { role: "ROLE_ADMIN", expiresAt: Date.now() + 86_400_000 }]]);

function authorised(req: http.IncomingMessage): boolean {
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const found = tokens.get(sha256(match[1]!));
  return found !== undefined && found.expiresAt > Date.now() && found.role === "ROLE_ADMIN";
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const id = randomUUID();
  const tmp = path.join(tmpDir, id);
  try {
    await pipeline(req, createWriteStream(tmp, { flags: "wx", mode: 0o600, flush: true }));
    await rename(tmp, path.join(mediaDir, id));
    const dir = await open(mediaDir, "r");
    await dir.sync().finally(() => dir.close());
    json(res, 201, { media: [{ id }], meta });
  } catch (err) {
    await rm(tmp, { force: true });
    if (!res.headersSent)
      json(res, 503, { errors: [{ code: 1011, title: "Service not ready", details: String(err) }] });
  }
}

async function download(id: string, res: http.ServerResponse): Promise<void> {
  const file = path.join(mediaDir, id);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": info.size });
  await pipeline(createReadStream(file), res).catch(() => undefined);
}

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  if (!authorised(req)) {
    req.resume();
    json(res, 401, { errors: [{ code: 1005, title: "Access denied", details: "token" }] });
    return;
  }
  if (req.method === "GET" && url === "/v1/settings/application") {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(settingsReply) });
    res.end(settingsReply);
  } else if (req.method === "POST" && url === "/v1/media") {
    void upload(req, res);
  } else if (req.method === "GET" && /^\/v1\/media\/[0-9a-f-]{36}$/.test(url)) {
    void download(url.slice("/v1/media/".length), res);
  } else {
    req.resume();
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`raw server listening on http://${host}:${actual}`);
});
const shutdown = () => server.close(() => process.exit(0));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
