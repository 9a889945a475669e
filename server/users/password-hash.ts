/** Password hashing with scrypt (node:crypto), a random salt per password, compared in constant time. */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { ConcurrencyLimit } from "./concurrency-limit.ts";

/**
 * scrypt's cost as log2 of N (WA_PASSWORD_HASH_COST): 14 is N = 16384, 16 MiB and about 45 ms of one core per hash;
 * each step up doubles both. The lowest, 10, is for servers thrown away after a test run.
 */
export const DEFAULT_PASSWORD_HASH_COST = 14;
export const PASSWORD_HASH_COST_RANGE = { min: 10, max: 16 } as const;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
/** scrypt needs 128 * N * r bytes: 64 MiB at the highest cost, and the limit must be above it. */
const MAXMEM = 128 * 1024 * 1024;

/**
 * Async scrypt runs on libuv's thread pool (4 threads by default), the same threads that do every file open, read,
 * write and fsync of uploads and downloads. Unbounded, 200 concurrent wrong logins put 200 scrypt jobs (about 50 ms
 * of CPU each) ahead of the file I/O and stalled every upload and download for about 30 s. So at most one derivation
 * runs at a time and the others wait here, in JavaScript, where they cannot hold a pool thread: three of the four
 * threads stay free for the file system. A semaphore rather than a worker thread of our own: it costs no thread, no
 * memory and no start-up, a worker could not hash faster (one scrypt keeps one core busy either way), and logins are
 * rare next to media traffic; repeated failures are refused before hashing (login-throttle.ts).
 */
export const PASSWORD_HASHING = new ConcurrencyLimit(1);

/**
 * Called when a derivation gets its turn, just before it starts; throwing (or rejecting) there skips the derivation
 * (the error is the result). The login throttle decides there, so that attempts waiting in the queue are judged on
 * the failures of the attempts hashed before them.
 */
export type HashingTurn = () => void | Promise<void>;

let derivations = 0;

/** How many derivations this process has run (tests count the hashing an attack can cause). */
export function passwordDerivations(): number {
  return derivations;
}

function derive(
  password: string,
  salt: Buffer,
  opts: ScryptOptions,
  keyLength: number,
  onTurn?: HashingTurn,
): Promise<Buffer> {
  const options = { ...opts, maxmem: MAXMEM };
  return PASSWORD_HASHING.run(async () => {
    await onTurn?.();
    derivations++;
    return new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize("NFC"), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
    );
  });
}

const parameters = (cost: number): ScryptOptions => ({ N: 2 ** cost, r: BLOCK_SIZE, p: PARALLELISM });

function encode(cost: number, salt: Buffer, key: Buffer): string {
  const { N, r, p } = parameters(cost);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/**
 * `scrypt$N$r$p$salt$key`: the parameters travel with the hash, so a password hashed at one cost still verifies after
 * the cost is changed.
 */
export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  const salt = randomBytes(16);
  return encode(cost, salt, await derive(password, salt, parameters(cost), KEY_LENGTH));
}

/** Whether `password` matches `stored`; a malformed stored value never matches. */
export async function verifyPassword(password: string, stored: string, onTurn?: HashingTurn): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, "base64url");
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await derive(password, Buffer.from(saltText, "base64url"), params, expected.length, onTurn);
  return expected.length > 0 && timingSafeEqual(actual, expected);
}

/**
 * A stored value no password matches (a random key: finding a password that derives it is as hard as inverting
 * scrypt), at `cost`: verifying against it costs the same as a real check, so unknown users take as long.
 */
export function dummyHash(cost = DEFAULT_PASSWORD_HASH_COST): string {
  return encode(cost, randomBytes(16), randomBytes(KEY_LENGTH));
}
