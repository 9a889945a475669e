/**
 * Starting the reference server from its settings, for `npm start` (server/main.ts) and `meta-media-openapi serve`
 * alike: every fault a user can cause at start (a bad value, a port in use, a host that does not resolve or is not
 * this machine's, a data directory that is a file, not writable, or holds a database that cannot be opened) stops the
 * start with one line naming the setting as the user gave it (`PORT` or `--port`) and exit code 2, not a stack trace.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createAppFromConfig } from "./app.ts";
import { ConfigError, loadConfig, type ServerConfig } from "./config.ts";
import { serveNode, type NodeServer } from "./edge/serve-node.ts";

/** What the user calls each setting that can fail at start: the environment variable, or the CLI's flag. */
export interface SettingNames {
  host: string;
  port: string;
  dataDir: string;
}

/** The names under `npm start`. */
export const ENVIRONMENT_NAMES: SettingNames = { host: "HOST", port: "PORT", dataDir: "DATA_DIR" };

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

/** The data directory exists (or is created), is a directory, and a file can be created in it. */
function checkDataDir(dir: string, name: string): void {
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

/** Whether an error while opening the storage comes from the data directory (file system or SQLite). */
function isStorageFault(err: unknown): boolean {
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

/** Reads the configuration from `env`, opens the data directory and listens; a user's fault is a StartupError. */
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
    const byVariable: Record<string, string> = { HOST: names.host, PORT: names.port, DATA_DIR: names.dataDir };
    throw new StartupError(err.message.replace(/^(HOST|PORT|DATA_DIR)\b/, (v) => byVariable[v]!));
  }
  checkDataDir(requested.dataDir, names.dataDir);
  let built: Awaited<ReturnType<typeof createAppFromConfig>>;
  try {
    built = await createAppFromConfig(requested);
  } catch (err) {
    if (!isStorageFault(err)) throw err;
    throw new StartupError(`${names.dataDir} ${requested.dataDir} cannot be used: ${reason(err)}`);
  }
  let server: NodeServer;
  try {
    server = await serveNode(built.app, { host: requested.host, port: requested.port });
  } catch (err) {
    built.close();
    const fault = listenFault(err, requested, names);
    if (fault === undefined) throw err;
    throw new StartupError(fault);
  }
  let storageOpen = true;
  const closeStorage = () => {
    if (storageOpen) built.close();
    storageOpen = false;
  };
  return {
    server,
    config: built.config,
    closeStorage,
    stop: () =>
      new Promise<void>((resolve) => {
        server.server.close(() => {
          closeStorage();
          resolve();
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
  console.log(`  docs:        ${base}/docs`);
  console.log(`  spec:        ${base}/openapi.json`);
  console.log(`  data dir:    ${config.dataDir}`);
  if (config.adminPassword === undefined) {
    console.log("  WA login:    admin / secret (first login must set new_password) unless already changed");
  }
  if (config.messenger.generatedDevPage) {
    for (const [pageId, token] of Object.entries(config.messenger.pages)) {
      console.log(`  Messenger:   development page ${pageId}, page access token ${token}`);
      console.log(`               (kept in ${names.dataDir}: the same page and token on every start;`);
      console.log("                set MESSENGER_PAGES to choose)");
    }
    for (const pageId of Object.keys(config.messenger.pageTokenHashes ?? {})) {
      console.log(`  Messenger:   development page ${pageId}, with the page access token printed at the first start`);
      console.log("               on this data directory (only its hash is stored, so it cannot be shown again;");
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
