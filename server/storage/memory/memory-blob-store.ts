/**
 * Blobs held in memory, for the emulator and tests: the same contract as the folder store (size limit while
 * reading, head inspection before anything is kept, quota, nothing kept by a failed write), but the bytes of every
 * blob stay in this process's memory until deleted. Not for large media in long-running processes.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { BlobStorageUnavailableError, BlobTooLargeError, type BlobStore } from "../blob-store.ts";

const BLOB_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** An empty store; `volumeMaxBytes` bounds the bytes held by committed and in-progress writes together. */
export function createMemoryBlobStore(opts: { volumeMaxBytes?: number } = {}): BlobStore {
  const blobs = new Map<string, Buffer[]>();
  const sizes = new Map<string, number>();
  /** When each blob was written (Date.now()), for `list({ unchangedForMs })`. */
  const written = new Map<string, number>();
  let used = 0;
  let pending = 0;

  return {
    usedBytes: () => used,

    async list(listOpts = {}) {
      const cutoff = Date.now() - (listOpts.unchangedForMs ?? 0);
      return [...blobs.keys()].filter((id) => (listOpts.unchangedForMs ?? 0) <= 0 || written.get(id)! <= cutoff);
    },

    async write(id, body, { maxBytes, headBytes = 0, inspect }) {
      if (!BLOB_ID.test(id)) throw new Error(`Invalid blob id ${JSON.stringify(id)}`);
      const chunks: Buffer[] = [];
      const hash = createHash("sha256");
      let size = 0;
      let reserved = 0;
      let inspected = inspect === undefined;
      const keep = (bytes: Buffer) => {
        if (opts.volumeMaxBytes !== undefined && used + pending + bytes.length > opts.volumeMaxBytes) {
          throw new BlobStorageUnavailableError("The media volume is full");
        }
        pending += bytes.length;
        reserved += bytes.length;
        hash.update(bytes);
        chunks.push(bytes);
      };
      try {
        let head: Buffer[] = [];
        let headLength = 0;
        const inspectHead = async () => {
          inspected = true;
          const bytes = Buffer.concat(head, headLength);
          head = [];
          await inspect!(bytes);
          keep(bytes);
        };
        for await (const chunk of body) {
          size += chunk.length;
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
          // A copy: the caller may reuse the chunk's memory once it has been handed over.
          const bytes = Buffer.from(chunk);
          if (!inspected) {
            head.push(bytes);
            headLength += bytes.length;
            if (headLength >= headBytes) await inspectHead();
          } else {
            keep(bytes);
          }
        }
        if (!inspected) await inspectHead();
        const previous = sizes.get(id) ?? 0;
        blobs.set(id, chunks);
        sizes.set(id, size);
        written.set(id, Date.now());
        used += size - previous;
        return { size, sha256: hash.digest("hex") };
      } finally {
        pending -= reserved;
      }
    },

    async open(id) {
      const chunks = blobs.get(id);
      if (!chunks) return undefined;
      return { stream: Readable.from(chunks, { objectMode: false }), size: sizes.get(id)! };
    },

    async delete(id) {
      const size = sizes.get(id);
      if (size === undefined) return false;
      blobs.delete(id);
      sizes.delete(id);
      written.delete(id);
      used -= size;
      return true;
    },
  };
}
