/** Password hashing with scrypt (node:crypto), a random salt per password, compared in constant time. */
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { ConcurrencyLimit } from "./concurrency-limit.ts";

const PARAMS = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;
const MAXMEM = 64 * 1024 * 1024;

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

function encode(salt: Buffer, key: Buffer): string {
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** `scrypt$N$r$p$salt$key`: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await derive(password, salt, PARAMS, PARAMS.keyLength));
}

/** The same, synchronously: only for DUMMY_HASH, made once as the module loads. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return encode(salt, scryptSync(password.normalize("NFC"), salt, PARAMS.keyLength, { ...PARAMS, maxmem: MAXMEM }));
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
 * A hash of a password nobody has: verifying against it costs the same as a real check, so unknown users take as long.
 */
export const DUMMY_HASH = hashPasswordSync(randomBytes(16).toString("hex"));
