/**
 * An in-process reference server on a temporary data directory, with helpers that check every reply against the spec.
 * Every server it started is closed and every directory it made removed after the test file (a hook registered when
 * the file imports this module): a worker process is ended without running its 'exit' handlers.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Hono } from "hono";
import { afterAll } from "vitest";
import { createAppFromConfig, type AppOverrides } from "../../server/app.ts";
import { systemClock, type Clock } from "../../server/clock.ts";
import type { SqliteStorage } from "../../server/storage/sqlite/sqlite-storage.ts";
import { loadConfig, type ServerConfig } from "../../server/config.ts";
import { expectResponseMatchesSpec, type SpecResponseOptions } from "./spec-response.ts";

export const ADMIN_PASSWORD = "Adm1n!pass";

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public current = new Date("2026-01-15T10:00:00Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestServer {
  app: Hono;
  /** The storage under `dataDir` (SQLite records, blob folders). */
  storage: SqliteStorage;
  /** The configuration in effect (with the data directory's development page). */
  config: ServerConfig;
  clock: Clock;
  dataDir: string;
  close(): Promise<void>;
  /** A valid admin token, when the server was started from the prepared template (no options). */
  adminToken?: string;
  /** Closes and removes the data directory. */
  dispose(): void;
}

let template: Promise<{ dataDir: string; token: string }> | undefined;

/** What the test file made: closed and removed after it. */
const madeDirs = new Set<string>();
const openServers = new Set<() => Promise<void>>();
afterAll(async () => {
  await Promise.all([...openServers].map((close) => close().catch(() => undefined)));
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
  madeDirs.clear();
  // The template's directory is gone with the others: a file run after this one in the same module graph prepares
  // its own.
  template = undefined;
});

/** A new temporary data directory (removed after the test file). */
export function makeDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wa-server-test-"));
  madeDirs.add(dir);
  return dir;
}

/**
 * A data directory holding only the admin and one admin token, made once per test file: copying it spares each
 * test the scrypt hashing of seeding the admin and of logging in, which dominates the suite's time on a busy machine.
 */
function preparedTemplate(): Promise<{ dataDir: string; token: string }> {
  template ??= (async () => {
    const seed = await startTestServer({ env: {} });
    const token = await login(seed.app, "admin", ADMIN_PASSWORD);
    await seed.close();
    return { dataDir: seed.dataDir, token };
  })();
  return template;
}

/**
 * Starts the app on `dataDir` (a new temporary one by default) with the configured admin password unless `env` says
 * otherwise. Without options it starts from a prepared copy and offers `adminToken`.
 */
export async function startTestServer(
  opts: { env?: Record<string, string | undefined>; dataDir?: string; overrides?: AppOverrides } = {},
): Promise<TestServer> {
  if (!opts.env && !opts.dataDir && !opts.overrides) {
    const prepared = await preparedTemplate();
    const dataDir = makeDataDir();
    copyFileSync(path.join(prepared.dataDir, "server.sqlite"), path.join(dataDir, "server.sqlite"));
    return { ...(await startTestServer({ env: {}, dataDir })), adminToken: prepared.token };
  }
  const dataDir = opts.dataDir ?? makeDataDir();
  const config = loadConfig({ WA_ADMIN_PASSWORD: ADMIN_PASSWORD, ...opts.env, DATA_DIR: dataDir });
  const built = await createAppFromConfig(config, opts.overrides);
  const { app, storage } = built;
  // Once, whoever asks first: the test, dispose() or the hook after the file.
  let closing: Promise<void> | undefined;
  const close = () => {
    openServers.delete(close);
    closing ??= built.close();
    return closing;
  };
  openServers.add(close);
  return {
    app,
    // createAppFromConfig opens SQLite here: the configuration names no database URL.
    storage: storage as SqliteStorage,
    config: built.config,
    clock: opts.overrides?.clock ?? systemClock,
    dataDir,
    close,
    dispose() {
      // SQLite closes synchronously when asked (the promise only reports it), so the folder can go at once.
      void close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export interface Call {
  res: Response;
  body: unknown;
}

/**
 * Sends a request to the app and checks the reply against the spec for `operationId`. `remoteAddress` plays the
 * client's socket address (as @hono/node-server passes it in `c.env`); without it the request has no socket.
 */
export async function call(
  app: Hono,
  operationId: string,
  url: string,
  init: RequestInit & { duplex?: "half" } = {},
  specOpts?: SpecResponseOptions,
  remoteAddress?: string,
): Promise<Call> {
  const res = await app.request(
    url,
    init,
    remoteAddress === undefined ? undefined : { incoming: { socket: { remoteAddress } } },
  );
  const body = await expectResponseMatchesSpec(operationId, res, specOpts);
  return { res, body };
}

/** `errors[0].code` and `.details` of a WA error body. */
export function whatsAppError(body: unknown): { code: number; details: string } {
  const err = (body as { errors: Array<{ code: number; details: string }> }).errors[0]!;
  return { code: err.code, details: err.details };
}

/** Logs in and returns the token. */
export async function login(app: Hono, username: string, password: string): Promise<string> {
  const { res, body } = await call(app, "loginUser", "/v1/users/login", {
    method: "POST",
    headers: { Authorization: basic(username, password) },
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(body)}`);
  return (body as { users: Array<{ token: string }> }).users[0]!.token;
}

export function json(
  body: unknown,
  headers: Record<string, string> = {},
): { headers: Record<string, string>; body: string } {
  return { headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}
