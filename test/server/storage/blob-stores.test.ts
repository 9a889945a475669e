// The blob store contract (server/storage/blob-store.ts) on both adapters: the folder the server writes with fsync
// and rename, and the memory the emulator keeps. Limits while reading, the head inspected before anything is kept,
// the quota, and nothing kept by a failed write.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BlobStorageUnavailableError,
  BlobTooLargeError,
  createBlobStore,
  type BlobStore,
} from "../../../server/storage/blob-store.ts";
import { createMemoryBlobStore } from "../../../server/storage/memory/memory-blob-store.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function read(store: BlobStore, id: string): Promise<string | undefined> {
  const opened = await store.open(id);
  if (!opened) return undefined;
  const parts: Buffer[] = [];
  for await (const chunk of opened.stream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts).toString();
}

const adapters: Array<[string, (opts?: { volumeMaxBytes?: number }) => Promise<BlobStore>]> = [
  [
    "a folder",
    (opts) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "blob-store-"));
      dirs.push(dir);
      return createBlobStore(dir, opts);
    },
  ],
  ["memory", async (opts) => createMemoryBlobStore(opts)],
];

describe.each(adapters)("blobs in %s", (_name, make) => {
  it("write, read back, list, count and delete", async () => {
    const store = await make();
    const written = await store.write("one", chunks("hello ", "world"), { maxBytes: 100 });
    expect(written).toEqual({
      size: 11,
      sha256: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
    });
    expect(await read(store, "one")).toBe("hello world");
    expect((await store.open("one"))?.size).toBe(11);
    expect(await store.list()).toEqual(["one"]);
    expect(store.usedBytes()).toBe(11);
    expect(await store.delete("one")).toBe(true);
    expect(await store.delete("one")).toBe(false);
    expect(await store.open("one")).toBeUndefined();
    expect(store.usedBytes()).toBe(0);
  });

  it("stop at the size limit and keep nothing", async () => {
    const store = await make();
    await expect(store.write("big", chunks("12345", "67890"), { maxBytes: 8 })).rejects.toBeInstanceOf(
      BlobTooLargeError,
    );
    expect(await store.list()).toEqual([]);
    expect(store.usedBytes()).toBe(0);
  });

  it("show the head to the inspector before keeping anything, and keep nothing when it refuses", async () => {
    const store = await make();
    const heads: string[] = [];
    await store.write("ok", chunks("ab", "cd", "ef"), {
      maxBytes: 100,
      headBytes: 3,
      inspect: (head) => void heads.push(Buffer.from(head).toString()),
    });
    expect(heads).toEqual(["abcd"]);
    expect(await read(store, "ok")).toBe("abcdef");
    const refusal = new Error("not that");
    await expect(
      store.write("no", chunks("xy"), {
        maxBytes: 100,
        headBytes: 10,
        inspect: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(await store.list()).toEqual(["ok"]);
  });

  it("refuse a write past the volume quota, counting writes in progress", async () => {
    const store = await make({ volumeMaxBytes: 10 });
    await store.write("a", chunks("123456"), { maxBytes: 100 });
    await expect(store.write("b", chunks("12345"), { maxBytes: 100 })).rejects.toBeInstanceOf(
      BlobStorageUnavailableError,
    );
    expect((await store.list()).sort()).toEqual(["a"]);
    await store.delete("a");
    await store.write("b", chunks("12345"), { maxBytes: 100 });
    expect(store.usedBytes()).toBe(5);
  });
});

describe("blobs in a folder shared by several instances", () => {
  function folder(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "blob-shared-"));
    dirs.push(dir);
    return dir;
  }
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600 * 1000);

  it("lists only blobs unchanged for the given time, by the folder's clock", async () => {
    const dir = folder();
    const store = await createBlobStore(dir);
    await store.write("young", chunks("new"), { maxBytes: 100 });
    await store.write("old", chunks("settled"), { maxBytes: 100 });
    utimesSync(path.join(dir, "old"), hoursAgo(2), hoursAgo(2));
    expect((await store.list()).sort()).toEqual(["old", "young"]);
    expect(await store.list({ unchangedForMs: 3600 * 1000 })).toEqual(["old"]);
    // Nothing of the clock probe is left behind.
    expect(readdirSync(path.join(dir, "tmp"))).toEqual([]);
  });

  it("at creation, removes temporary files older than the grace period and keeps younger ones", async () => {
    const dir = folder();
    mkdirSync(path.join(dir, "tmp"), { recursive: true });
    writeFileSync(path.join(dir, "tmp", "in-progress"), "x");
    writeFileSync(path.join(dir, "tmp", "abandoned"), "x");
    utimesSync(path.join(dir, "tmp", "abandoned"), hoursAgo(2), hoursAgo(2));
    await createBlobStore(dir, { tmpGraceMs: 3600 * 1000 });
    expect(readdirSync(path.join(dir, "tmp"))).toEqual(["in-progress"]);
    // Without a grace period (one process alone writes the folder), every leftover goes.
    await createBlobStore(dir);
    expect(readdirSync(path.join(dir, "tmp"))).toEqual([]);
  });

  it("in memory, lists a blob written just now only without an age asked for", async () => {
    const store = createMemoryBlobStore();
    await store.write("young", chunks("new"), { maxBytes: 100 });
    expect(await store.list()).toEqual(["young"]);
    expect(await store.list({ unchangedForMs: 60_000 })).toEqual([]);
  });
});
