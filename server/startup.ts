/**
 * Starting the reference server from its settings, for `npm start` (server/main.ts) and `meta-media-openapi serve`
 * alike: every fault a user can cause at start (a bad value, a port in use, a host that does not resolve or is not
 * this machine's, a data directory that is a file, not writable, or holds a database that cannot be opened, a
 * PostgreSQL database that cannot be reached) stops the start with one line naming the setting as the user gave it
 * (`PORT` or `--port`) and exit code 2, not a stack trace. A start that fails leaves nothing behind: the port is
 * bound first, and the folders and database files this start created are removed again (so no development page is
 * recorded whose token was never printed).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Hono } from "hono";
import { createAppFromConfig, type ReferenceApp } from "./app.ts";
import { ConfigError, loadConfig, redactDatabaseUrl, type ServerConfig } from "./config.ts";
import { serveNode, type FetchApp, type NodeServer } from "./edge/serve-node.ts";

/** What the user calls each setting that can fail at start: the environment variable, or the CLI's flag. */
export interface SettingNames {
  host: string;
  port: string;
  dataDir: string;
  mediaDir: string;
  databaseUrl: string;
}

/** The names under `npm start`. */
export const ENVIRONMENT_NAMES: SettingNames = {
  host: "HOST",
  port: "PORT",
  dataDir: "DATA_DIR",
  mediaDir: "MEDIA_DIR",
  databaseUrl: "DATABASE_URL",
};

/** A start that cannot go on because of a setting; the message names it. */
export class StartupError extends Error {
  override name = "StartupError";
}

const ERRNO_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "it exists and is not a directory",
  ENOENT: "a part of the path does not exist",
  EIO: "input/output error",
};

/** Errors of reaching a database server (node-postgres passes the socket's). */
const CONNECTION_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function reason(err: unknown): string {
  const code = errnoCode(err);
  if (code && ERRNO_REASONS[code]) return `${ERRNO_REASONS[code]} (${code})`;
  if (code?.startsWith("SQLITE_")) {
    return `its database server.sqlite cannot be opened: ${(err as Error).message} (${code})`;
  }
  return (err as Error).message;
}

/** Whether an error while opening the storage comes from the database server (PostgreSQL). */
function isDatabaseFault(err: unknown): boolean {
  const code = errnoCode(err);
  if (code !== undefined && (CONNECTION_ERRNOS.has(code) || /^[0-9A-Z]{5}$/.test(code))) return true;
  const name = (err as Error | undefined)?.name;
  const message = (err as Error | undefined)?.message ?? "";
  // node-postgres's own connection timeout, and a schema newer than this server.
  return name === "SchemaVersionError" || /timeout exceeded when trying to connect|Connection terminated/.test(message);
}

/**
 * The folders and files a start is about to create, so that a failed start can remove them: every missing folder on
 * the way to `dirs`, and the `files` that do not exist yet. Folders are removed only when empty (another instance
 * sharing a folder may have written to it meanwhile), deepest first.
 */
class StartFootprint {
  private readonly dirs: string[] = [];
  private readonly files: string[] = [];

  constructor(dirs: string[], files: string[]) {
    for (const dir of dirs) {
      for (let at = dir; !existsSync(at) && !this.dirs.includes(at); at = path.dirname(at)) this.dirs.push(at);
    }
    for (const file of files) if (!existsSync(file)) this.files.push(file);
  }

  /** Removes what the start created. */
  undo(): void {
    for (const file of this.files) {
      try {
        rmSync(file, { force: true });
      } catch {
        // Its folder is not one (a file given as DATA_DIR): nothing was created there.
      }
    }
    const deepestFirst = [...this.dirs].sort((a, b) => b.length - a.length);
    for (const dir of deepestFirst) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (someone else's now), gone, or never a folder: left as it is.
      }
    }
  }
}

/** The folder exists (or is created), is a directory, and a file can be created in it. */
function checkFolder(dir: string, name: string): void {
  const isFile = () => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false;
  if (isFile()) throw new StartupError(`${name} ${dir} is a file, not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StartupError(`${name} ${dir} cannot be created: ${reason(err)}`);
  }
  // access(W_OK) says yes to root even where nothing can be written (a read-only mount): try for real.
  const probe = path.join(dir, `.write-check-${randomUUID()}`);
  try {
    writeFileSync(probe, "");
  } catch (err) {
    throw new StartupError(`${name} ${dir} is not writable: ${reason(err)}`);
  }
  rmSync(probe, { force: true });
}

/** The one-line reason a listen failed, naming the setting at fault; undefined for anything unexpected. */
function listenFault(err: unknown, config: ServerConfig, names: SettingNames): string | undefined {
  const code = errnoCode(err);
  switch (code) {
    case "EADDRINUSE": {
      const what = `${names.port} ${config.port}`;
      return `${what} is already in use on ${config.host}: stop the other server or choose another ${names.port}`;
    }
    case "EACCES":
      return `${names.port} ${config.port} needs privileges on ${config.host}: choose a port above 1023`;
    case "EADDRNOTAVAIL":
      return `${names.host} ${config.host} is not an address of this machine (EADDRNOTAVAIL)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
    case "EAI_NODATA":
      return `${names.host} ${config.host} does not resolve to an address (${code})`;
    default:
      return undefined;
  }
}

/** Whether an error while opening the storage comes from a folder or the SQLite database. */
function isFolderFault(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && (code.startsWith("SQLITE_") || code in ERRNO_REASONS);
}

/** A started server: where it listens, the configuration in effect, and how to stop it. */
export interface StartedServer {
  server: NodeServer;
  config: ServerConfig;
  /** Stops accepting connections, lets the requests in progress finish, then closes the database. */
  stop(): Promise<void>;
  /** Closes the database at once (when waiting for `stop` takes too long). */
  closeStorage(): void;
}

/** What a storage fault at start says, naming the setting at fault. */
function storageFault(err: unknown, config: ServerConfig, names: SettingNames, env: NodeJS.ProcessEnv): string {
  if (config.databaseUrl !== undefined && isDatabaseFault(err)) {
    return `${names.databaseUrl} ${redactDatabaseUrl(config.databaseUrl)} cannot be used: ${reason(err)}`;
  }
  const sqliteFault = errnoCode(err)?.startsWith("SQLITE_") === true;
  const mediaDirGiven = env.MEDIA_DIR !== undefined && env.MEDIA_DIR.trim() !== "";
  const [name, dir] =
    !sqliteFault && mediaDirGiven ? [names.mediaDir, config.mediaDir] : [names.dataDir, config.dataDir];
  return `${name} ${dir} cannot be used: ${reason(err)}`;
}

/**
 * Reads the configuration from `env`, listens, then opens the storage (SQLite in the data directory, or PostgreSQL
 * and the media folder) and serves the app; requests that arrive meanwhile wait for it. A user's fault is a
 * StartupError, and a failed start leaves nothing behind.
 */
export async function startServer(
  env: NodeJS.ProcessEnv,
  names: SettingNames = ENVIRONMENT_NAMES,
): Promise<StartedServer> {
  let requested: ServerConfig;
  try {
    requested = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Configuration messages start with the variable's name; say it the way the user gave it.
    const byVariable: Record<string, string> = {
      HOST: names.host,
      PORT: names.port,
      DATA_DIR: names.dataDir,
      MEDIA_DIR: names.mediaDir,
      DATABASE_URL: names.databaseUrl,
    };
    throw new StartupError(
      err.message.replace(/^(HOST|PORT|DATA_DIR|MEDIA_DIR|DATABASE_URL)\b/, (v) => byVariable[v]!),
    );
  }

  // The port first: a start that cannot listen stops before it creates anything.
  let appReady!: (app: Hono) => void;
  let appFailed!: (err: unknown) => void;
  const ready = new Promise<Hono>((resolve, reject) => {
    appReady = resolve;
    appFailed = reject;
  });
  ready.catch(() => undefined);
  let serveRequest: FetchApp["fetch"] = async (request, bindings) => (await ready).fetch(request, bindings);
  let server: NodeServer;
  try {
    server = await serveNode(
      { fetch: (request, bindings) => serveRequest(request, bindings) },
      { host: requested.host, port: requested.port },
    );
  } catch (err) {
    const fault = listenFault(err, requested, names);
    if (fault === undefined) throw err;
    throw new StartupError(fault);
  }

  const sqlite = requested.databaseUrl === undefined;
  const folders = sqlite ? [requested.dataDir, requested.mediaDir] : [requested.mediaDir];
  // A shared media folder's subfolders are left alone: another instance starting at the same moment may use them.
  const blobDirs = sqlite
    ? ["media", "attachments"].flatMap((name) => {
        const dir = path.join(requested.mediaDir, name);
        return [dir, path.join(dir, "tmp")];
      })
    : [];
  const databaseFiles = sqlite
    ? ["server.sqlite", "server.sqlite-wal", "server.sqlite-shm"].map((f) => path.join(requested.dataDir, f))
    : [];
  const footprint = new StartFootprint([...folders, ...blobDirs], databaseFiles);
  let built: ReferenceApp;
  try {
    const mediaName = env.MEDIA_DIR?.trim() ? names.mediaDir : names.dataDir;
    if (sqlite) checkFolder(requested.dataDir, names.dataDir);
    if (!sqlite || requested.mediaDir !== requested.dataDir) checkFolder(requested.mediaDir, mediaName);
    try {
      built = await createAppFromConfig(requested);
    } catch (err) {
      if (!isFolderFault(err) && !(requested.databaseUrl !== undefined && isDatabaseFault(err))) throw err;
      throw new StartupError(storageFault(err, requested, names, env));
    }
  } catch (err) {
    appFailed(err);
    await server.close();
    footprint.undo();
    throw err;
  }
  serveRequest = (request, bindings) => built.app.fetch(request, bindings);
  appReady(built.app);

  let storageOpen = true;
  const closeStorage = () => {
    if (storageOpen) void built.close();
    storageOpen = false;
  };
  return {
    server,
    config: built.config,
    closeStorage,
    stop: () =>
      new Promise<void>((resolve) => {
        server.server.close(() => {
          if (storageOpen) {
            storageOpen = false;
            void built.close().finally(resolve);
          } else {
            resolve();
          }
        });
        server.server.closeIdleConnections();
      }),
  };
}

/**
 * Starts the server, prints where it is, and serves until SIGINT or SIGTERM; a StartupError prints one line and exits
 * with code 2.
 */
export async function runServer(env: NodeJS.ProcessEnv, names: SettingNames = ENVIRONMENT_NAMES): Promise<void> {
  let started: StartedServer;
  try {
    started = await startServer(env, names);
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(`Cannot start the reference server: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const { config, server } = started;
  const base = server.url;
  console.log(`Reference server listening on ${base}`);
  console.log(`  API docs:    ${base}/docs`);
  console.log(`  spec:        ${base}/openapi.json`);
  if (config.databaseUrl !== undefined) {
    console.log(`  database:    ${redactDatabaseUrl(config.databaseUrl)} (PostgreSQL, shared by every instance)`);
    console.log(`  media dir:   ${config.mediaDir}`);
  } else {
    console.log(`  data dir:    ${config.dataDir}`);
    if (config.mediaDir !== config.dataDir) console.log(`  media dir:   ${config.mediaDir}`);
  }
  if (config.adminPassword === undefined) {
    console.log("  WA login:    admin / secret (first login must set new_password) unless already changed");
  }
  if (config.messenger.generatedDevPage) {
    for (const [pageId, token] of Object.entries(config.messenger.pages)) {
      console.log(`  Messenger:   development page ${pageId}, page access token ${token}`);
      const where = config.databaseUrl !== undefined ? "the database" : names.dataDir;
      console.log(`               (kept in ${where}: the same page and token on every start;`);
      console.log("                set MESSENGER_PAGES to choose)");
    }
    for (const pageId of Object.keys(config.messenger.pageTokenHashes ?? {})) {
      console.log(`  Messenger:   development page ${pageId}, with the page access token printed at the first start`);
      const where = config.databaseUrl !== undefined ? "database" : "data directory";
      console.log(`               on this ${where} (only its hash is stored, so it cannot be shown again;`);
      console.log("               set MESSENGER_PAGES to choose a token)");
    }
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing`);
    void started.stop().then(() => process.exit(0));
    // A connection that will not close must not hold the process forever.
    setTimeout(() => {
      started.closeStorage();
      process.exit(0);
    }, 5000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
