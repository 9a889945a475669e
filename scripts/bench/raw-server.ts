/**
 * The baseline of the benchmarks: a bare `node:http` server doing the same essential work as the reference
 * server for the benchmarked operations, with no framework, no validation and no error envelope.
 * - `GET /v1/settings/application`: sha256 of the bearer token, looked up in SQLite (same table shape and join as
 *   the reference server, statement prepared once), constant-time comparison, expiry and role check, then
 *   `JSON.stringify` of the settings document.
 * - `POST /v1/media`: the same token check, then the body streamed to `<DATA_DIR>/media/tmp/<uuid>`, fsync, rename
 *   to `<DATA_DIR>/media/<uuid>`, fsync of the folder; 201 with the id.
 * - `GET /v1/media/<uuid>`: the token check, then the file streamed back with its Content-Length.
 * Environment: HOST, PORT (0 = any), DATA_DIR, BENCH_TOKEN (the one valid admin token), SETTINGS_FILE (JSON of the
 * `settings.application` object to serve). Prints "raw server listening on <url>".
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? "0");
const dataDir = process.env.DATA_DIR;
const token = process.env.BENCH_TOKEN;
if (!dataDir || !token || !process.env.SETTINGS_FILE) throw new Error("DATA_DIR, BENCH_TOKEN and SETTINGS_FILE are required");
const settings: unknown = JSON.parse(readFileSync(process.env.SETTINGS_FILE, "utf8"));
const meta = { api_status: "stable", version: "3.0.1" };

const mediaDir = path.join(dataDir, "media");
const tmpDir = path.join(mediaDir, "tmp");
mkdirSync(tmpDir, { recursive: true });

const db = new Database(path.join(dataDir, "raw.sqlite"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`
  CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, role TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS tokens (token_hash BLOB PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL);
`);
const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest();
db.prepare("INSERT OR REPLACE INTO users VALUES ('admin', 'ROLE_ADMIN')").run();
db.prepare("INSERT OR REPLACE INTO tokens VALUES (?, 'admin', ?)").run(sha256(token), Date.now() + 86_400_000);
const lookup = db.prepare<[Buffer], { token_hash: Buffer; expires_at: number; role: string }>(
  "SELECT t.token_hash, t.expires_at, u.role FROM tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = ?",
);

function authorised(req: http.IncomingMessage): boolean {
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const hash = sha256(match[1]!);
  const row = lookup.get(hash);
  return row !== undefined && timingSafeEqual(row.token_hash, hash) && row.expires_at > Date.now() && row.role === "ROLE_ADMIN";
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
    if (!res.headersSent) json(res, 503, { errors: [{ code: 1011, title: "Service not ready", details: String(err) }] });
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
    json(res, 200, { settings: { application: settings }, meta });
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
