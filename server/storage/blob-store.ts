/**
 * A folder of blobs (the "media volume"). Writes stream to `<dir>/tmp/<random>` while counting, hashing and (for the
 * first bytes) inspecting, then fsync + rename + directory fsync: a crash never leaves a half-written blob visible.
 * Several server instances may share the folder (a file share mounted by each): ids are random, a blob appears
 * whole or not at all, and housekeeping can be told to leave files alone that changed recently (another instance
 * may be writing them).
 */
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fstat,
  open as fsOpen,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
import { open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { promisify } from "node:util";

export interface BlobWriteResult {
  size: number;
  sha256: string;
}

export interface BlobWriteOptions {
  /** The write fails with BlobTooLargeError as soon as more bytes than this arrive. */
  maxBytes: number;
  /** How many leading bytes `inspect` gets (fewer when the blob is shorter). */
  headBytes?: number;
  /** Looks at the head before anything is written; throw to reject the blob. */
  inspect?: (head: Uint8Array) => void | Promise<void>;
}

/** Storage for opaque blobs addressed by an id of letters, digits, `.`, `_` and `-`. */
export interface BlobStore {
  write(id: string, body: AsyncIterable<Uint8Array>, opts: BlobWriteOptions): Promise<BlobWriteResult>;
  open(id: string): Promise<{ stream: NodeJS.ReadableStream; size: number } | undefined>;
  delete(id: string): Promise<boolean>;
  /**
   * Ids of the committed blobs (never a write in progress); with `unchangedForMs`, only those whose bytes have not
   * changed for that long (by the folder's own clock: on a file share, the file server's).
   */
  list(opts?: { unchangedForMs?: number }): Promise<string[]>;
  /** Bytes held by committed blobs. */
  usedBytes(): number;
}

/** The body passed `maxBytes`; the rest of it was not read. */
export class BlobTooLargeError extends Error {
  override name = "BlobTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`The body is larger than ${maxBytes} bytes`);
  }
}

/** The folder cannot take the blob: not writable, disk full, or quota reached. Nothing was kept. */
export class BlobStorageUnavailableError extends Error {
  override name = "BlobStorageUnavailableError";
}

const BLOB_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const TMP = "tmp";
/** errno codes that mean "this folder cannot store anything right now", as opposed to a bug. */
const STORAGE_ERRNOS = new Set(["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENOTDIR", "ENOENT", "EISDIR", "EIO"]);

function isValidId(id: string): boolean {
  return BLOB_ID.test(id) && id !== TMP;
}

function toStorageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && STORAGE_ERRNOS.has(code)) {
    return new BlobStorageUnavailableError(`Media storage is not writable (${code})`, { cause: err });
  }
  return err;
}

/**
 * How far reading the body may run ahead of the disk. Writing each chunk and waiting for it before reading the next
 * left the socket idle during every write; a write stream queues chunks while one write is in flight and hands them
 * to the file system together (writev). Bounded, so a fast client on a slow disk holds at most this much per upload.
 */
const WRITE_AHEAD_BYTES = 512 * 1024;
/** Read size of downloads: the file stream is piped straight into the socket (server/edge/node-response.ts). */
const READ_CHUNK_BYTES = 256 * 1024;
const openFd = promisify(fsOpen);
const fstatFd = promisify(fstat);

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems cannot fsync a directory; the rename is then as durable as they allow.
    if (!["EINVAL", "EISDIR", "ENOTSUP"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  } finally {
    await fh.close();
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
}

/**
 * "Now" by the clock that stamps the folder's files (on a file share, the file server's, not this machine's): the
 * modification time of a file written just now. Ages of files compare with it, never with `Date.now()`.
 */
async function folderNow(tmpDir: string): Promise<number> {
  const probe = path.join(tmpDir, `.clock-${randomUUID()}`);
  const fh = await open(probe, "wx", 0o600);
  try {
    return (await fh.stat()).mtimeMs;
  } finally {
    await fh.close();
    await rm(probe, { force: true });
  }
}

/** Options of a blob folder. */
export interface BlobFolderOptions {
  /** Quota of the folder in bytes (committed blobs and writes in progress together). */
  volumeMaxBytes?: number;
  /**
   * Temporary files (writes a crash interrupted) are removed at creation once unchanged for this long; default 0,
   * all of them: right for a folder this process alone writes. A shared folder passes a grace period, so that an
   * instance starting never removes the write another one has in progress.
   */
  tmpGraceMs?: number;
}

/** Opens the folder (creating it), removes temporary files left by a crash, and counts the bytes already stored. */
export async function createBlobStore(dir: string, opts: BlobFolderOptions = {}): Promise<BlobStore> {
  const tmpDir = path.join(dir, TMP);
  mkdirSync(tmpDir, { recursive: true });
  const grace = opts.tmpGraceMs ?? 0;
  const cutoff = grace > 0 ? (await folderNow(tmpDir)) - grace : Number.POSITIVE_INFINITY;
  for (const leftover of readdirSync(tmpDir)) {
    const file = path.join(tmpDir, leftover);
    // Gone already: another instance removed it, or its write ended.
    const changed = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (changed !== undefined && changed <= cutoff) rmSync(file, { force: true, recursive: true });
  }
  let used = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && isValidId(entry.name)) used += statSync(path.join(dir, entry.name)).size;
  }
  // Bytes of writes in progress count against the quota too, so parallel uploads cannot overshoot it together.
  let pending = 0;
  const volumeMax = opts.volumeMaxBytes;

  return {
    usedBytes: () => used,

    async list(listOpts = {}) {
      // The same selection as the usage count at creation, so deleting any listed id keeps `used` exact.
      const entries = await readdir(dir, { withFileTypes: true });
      const ids = entries.filter((entry) => entry.isFile() && isValidId(entry.name)).map((entry) => entry.name);
      const unchangedFor = listOpts.unchangedForMs ?? 0;
      if (unchangedFor <= 0) return ids;
      const cutoffMs = (await folderNow(tmpDir)) - unchangedFor;
      const settled: string[] = [];
      for (const id of ids) {
        const changed = (await stat(path.join(dir, id)).catch(() => undefined))?.mtimeMs;
        if (changed !== undefined && changed <= cutoffMs) settled.push(id);
      }
      return settled;
    },

    async write(id, body, { maxBytes, headBytes = 0, inspect }) {
      if (!isValidId(id)) throw new Error(`Invalid blob id ${JSON.stringify(id)}`);
      const tmpPath = path.join(tmpDir, randomUUID());
      let out: WriteStream | undefined;
      let reserved = 0;
      const hash = createHash("sha256");
      const store = async (chunk: Uint8Array) => {
        if (chunk.length === 0) return;
        if (volumeMax !== undefined && used + pending + chunk.length > volumeMax) {
          throw new BlobStorageUnavailableError("The media volume is full");
        }
        pending += chunk.length;
        reserved += chunk.length;
        hash.update(chunk);
        if (out!.errored) throw out!.errored;
        // `once` rejects when the stream emits 'error' instead (disk full, I/O error).
        if (!out!.write(chunk)) await once(out!, "drain");
      };
      try {
        // `flush`: the file is fsynced before the stream closes it, and 'close' (awaited below) comes after that.
        out = createWriteStream(tmpPath, { flags: "wx", mode: 0o600, flush: true, highWaterMark: WRITE_AHEAD_BYTES });
        // Errors are taken from `errored`, `once` and `finished`; this listener only keeps them from being unhandled.
        out.on("error", () => undefined);
        let size = 0;
        let head: Uint8Array[] | undefined = inspect ? [] : undefined;
        let headLength = 0;
        const inspectHead = async () => {
          const bytes = concat(head!, headLength);
          head = undefined;
          await inspect!(bytes);
          await store(bytes);
        };
        for await (const chunk of body) {
          size += chunk.length;
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
          if (head) {
            head.push(chunk);
            headLength += chunk.length;
            if (headLength >= headBytes) await inspectHead();
          } else {
            await store(chunk);
          }
        }
        if (head) await inspectHead();
        out.end();
        await finished(out);
        await rename(tmpPath, path.join(dir, id));
        await syncDirectory(dir);
        pending -= reserved;
        used += size;
        return { size, sha256: hash.digest("hex") };
      } catch (err) {
        pending -= reserved;
        // Destroying waits for a write still in flight, then closes the file; wait for that before removing it.
        if (out && !out.closed) {
          const closed = once(out, "close").catch(() => undefined);
          out.destroy();
          await closed;
        }
        await rm(tmpPath, { force: true }).catch(() => undefined);
        throw toStorageError(err);
      }
    },

    async open(id) {
      if (!isValidId(id)) return undefined;
      let fd: number;
      try {
        fd = await openFd(path.join(dir, id), "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
      try {
        const { size } = await fstatFd(fd);
        // A plain descriptor (not a FileHandle, whose promise-based reads cost more per chunk); the stream closes it.
        return { stream: createReadStream("", { fd, autoClose: true, highWaterMark: READ_CHUNK_BYTES }), size };
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    },

    async delete(id) {
      if (!isValidId(id)) return false;
      const file = path.join(dir, id);
      try {
        const { size } = await stat(file);
        await unlink(file);
        used = Math.max(0, used - size);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw toStorageError(err);
      }
    },
  };
}
