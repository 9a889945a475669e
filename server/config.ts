/**
 * Server configuration from environment variables, validated up
 * front so a bad value stops the start with a clear message.
 */
import path from "node:path";
import { loadMessengerConfig, type MessengerConfig } from "./attachments/config.ts";
import { environmentValue } from "./environment.ts";
import type { LoginThrottleLimits } from "./users/login-throttle.ts";
import { DEFAULT_PASSWORD_HASH_COST, PASSWORD_HASH_COST_RANGE } from "./users/password-hash.ts";

export interface ServerConfig {
  host: string;
  port: number;
  /** DATA_DIR: the SQLite database and, unless MEDIA_DIR says otherwise, the blob folders. */
  dataDir: string;
  /** MEDIA_DIR: the folder of the blob folders `media/` and `attachments/` (default: `dataDir`). */
  mediaDir: string;
  /** DATABASE_URL: a PostgreSQL database shared by several instances instead of SQLite in `dataDir`. */
  databaseUrl?: string;
  /** DATABASE_POOL_MAX: connections each instance opens to it at most. */
  databasePoolMax: number;
  /** WA_ADMIN_PASSWORD; unset = admin/secret with change required at first login. */
  adminPassword?: string;
  /** WA_ID, shown as the read-only `wa_id` setting. */
  waId: string;
  /** WA_MEDIA_MAX_BYTES: the node's cap on one upload (per-type limits from the spec still apply below it). */
  mediaMaxBytes: number;
  /** WA_MEDIA_VOLUME_MAX_BYTES: quota of the media folder; unset = only the disk limits. */
  mediaVolumeMaxBytes?: number;
  /** `meta.version` of every WA reply. */
  apiVersion: string;
  messenger: MessengerConfig;
  /** WA_LOGIN_MAX_FAILURES_PER_ADDRESS, WA_LOGIN_MAX_FAILURES_PER_USER, WA_LOGIN_FAILURE_WINDOW_SECONDS. */
  loginThrottle: LoginThrottleLimits;
  /** WA_PASSWORD_HASH_COST: scrypt's cost (log2 of N) for the passwords the server hashes. */
  passwordHashCost: number;
}

/** The version the WA API reports in `meta.version` (the On-Premises client version of Meta's samples). */
export const API_VERSION = "3.0.1";
export const DEFAULT_MEDIA_MAX_BYTES = 100 * 1024 * 1024;
/** Connections each instance opens to PostgreSQL at most, unless DATABASE_POOL_MAX says otherwise. */
export const DEFAULT_DATABASE_POOL_MAX = 10;
const PASSWORD_RULE = /^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[^A-Za-z0-9]).{8,64}$/;

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return environmentValue(env, name)?.value;
}

/**
 * Failed-login limits. A person who mistypes a password a few times, a script retrying a login, and this project's
 * own contract suite and fuzzing (about a dozen failures per run from one address; see README) stay far below them;
 * password guessing from one address is held to 30 tries per quarter of an hour, and guessing one account from many
 * addresses to 100. The per-user limit is the higher one: anyone can spend it, and spending it locks the account's
 * owner out of logging in until the window passes.
 */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleLimits = {
  maxFailuresPerAddress: 30,
  maxFailuresPerUser: 100,
  windowSeconds: 900,
};

// A fault names the variable as the user set it: the new name, or the older alias when only that was set.
function wholeNumber(env: NodeJS.ProcessEnv, variable: string, fallback: number, max: number, unit: string): number {
  const found = environmentValue(env, variable);
  if (found === undefined) return fallback;
  const { name, value: raw } = found;
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number of ${unit} from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function failures(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return wholeNumber(env, name, fallback, 1_000_000, "failed logins");
}

function byteCount(env: NodeJS.ProcessEnv, variable: string): number | undefined {
  const found = environmentValue(env, variable);
  if (found === undefined) return undefined;
  const { name, value: raw } = found;
  if (!/^[0-9]{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
    throw new ConfigError(`${name} must be a positive whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** WA_PASSWORD_HASH_COST: a whole number from 10 to 16, default 14. */
function passwordHashCost(env: NodeJS.ProcessEnv): number {
  const found = environmentValue(env, "WA_PASSWORD_HASH_COST");
  if (found === undefined) return DEFAULT_PASSWORD_HASH_COST;
  const { min, max } = PASSWORD_HASH_COST_RANGE;
  if (!/^[0-9]{1,2}$/.test(found.value) || Number(found.value) < min || Number(found.value) > max) {
    const got = JSON.stringify(found.value);
    throw new ConfigError(`${found.name} must be a whole number from ${min} to ${max} (scrypt's log2 N), got ${got}`);
  }
  return Number(found.value);
}

/** A database URL with its password replaced by `***`, to show in messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

/** DATABASE_URL: a `postgres://` or `postgresql://` URL (libpq's form), or unset. */
function databaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = value(env, "DATABASE_URL");
  if (raw === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !["postgres:", "postgresql:"].includes(parsed.protocol) || parsed.hostname === "") {
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database, got ` +
        `${JSON.stringify(redactDatabaseUrl(raw))}`,
    );
  }
  return raw;
}

/**
 * Reads and checks HOST, PORT, DATA_DIR, MEDIA_DIR, DATABASE_URL, DATABASE_POOL_MAX, WA_ADMIN_PASSWORD, WA_ID,
 * WA_MEDIA_MAX_BYTES, WA_MEDIA_VOLUME_MAX_BYTES, the WA_LOGIN_* limits (each also under its older name without `WA_`,
 * server/environment.ts), WA_PASSWORD_HASH_COST and the Messenger variables.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const host = value(env, "HOST") ?? "127.0.0.1";
  if (/[\s/]/.test(host))
    throw new ConfigError(`HOST must be a host name or an IP address, got ${JSON.stringify(host)}`);

  const rawPort = value(env, "PORT") ?? "8080";
  const port = Number(rawPort);
  if (!/^[0-9]{1,5}$/.test(rawPort) || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(rawPort)}`);
  }

  const dataDir = path.resolve(value(env, "DATA_DIR") ?? "./data");
  const mediaDirValue = value(env, "MEDIA_DIR");
  const mediaDir = mediaDirValue === undefined ? dataDir : path.resolve(mediaDirValue);
  const database = databaseUrl(env);
  const databasePoolMax = wholeNumber(env, "DATABASE_POOL_MAX", DEFAULT_DATABASE_POOL_MAX, 1000, "connections");

  // The raw value: leading/trailing spaces may be part of a password.
  const adminPassword =
    env.WA_ADMIN_PASSWORD === undefined || env.WA_ADMIN_PASSWORD === "" ? undefined : env.WA_ADMIN_PASSWORD;
  if (adminPassword !== undefined && !PASSWORD_RULE.test(adminPassword)) {
    throw new ConfigError(
      "WA_ADMIN_PASSWORD must be 8 to 64 characters with at least one upper-case letter, one lower-case letter, " +
        "one digit and one special character",
    );
  }

  const waId = value(env, "WA_ID") ?? "16315551019";
  if (!/^[0-9]{5,20}$/.test(waId))
    throw new ConfigError(`WA_ID must be a phone number in digits (5 to 20), got ${JSON.stringify(waId)}`);

  const mediaMaxBytes = byteCount(env, "WA_MEDIA_MAX_BYTES") ?? DEFAULT_MEDIA_MAX_BYTES;
  const mediaVolumeMaxBytes = byteCount(env, "WA_MEDIA_VOLUME_MAX_BYTES");

  const defaults = DEFAULT_LOGIN_THROTTLE;
  const loginThrottle: LoginThrottleLimits = {
    maxFailuresPerAddress: failures(env, "WA_LOGIN_MAX_FAILURES_PER_ADDRESS", defaults.maxFailuresPerAddress),
    maxFailuresPerUser: failures(env, "WA_LOGIN_MAX_FAILURES_PER_USER", defaults.maxFailuresPerUser),
    windowSeconds: wholeNumber(env, "WA_LOGIN_FAILURE_WINDOW_SECONDS", defaults.windowSeconds, 86_400, "seconds"),
  };

  let messenger: MessengerConfig;
  try {
    messenger = loadMessengerConfig(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }

  return {
    host,
    port,
    dataDir,
    mediaDir,
    ...(database !== undefined ? { databaseUrl: database } : {}),
    databasePoolMax,
    ...(adminPassword !== undefined ? { adminPassword } : {}),
    waId,
    mediaMaxBytes,
    ...(mediaVolumeMaxBytes !== undefined ? { mediaVolumeMaxBytes } : {}),
    apiVersion: API_VERSION,
    messenger,
    loginThrottle,
    passwordHashCost: passwordHashCost(env),
  };
}
