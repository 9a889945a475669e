/**
 * 50 MiB through the client: uploaded from a stream generated on the fly, downloaded as a stream, sha256 identical,
 * and the client process's memory stays flat (the reference server runs in a child process).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppClient } from "../../client/index.ts";
import type { ClientTarget } from "../support/client-target.ts";
import { fixtureProgram } from "../support/fixture-programs.ts";

const totalBytes = 50 * 1024 * 1024;
const chunkBytes = 64 * 1024;
// Buffering the file whole would add 50 MiB; streaming keeps the growth to a few chunks plus allocator noise.
const maxGrowthBytes = 24 * 1024 * 1024;

// Peak *retained* memory is what streaming bounds; garbage awaiting collection is not. Collect before each sample.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;
const sampleEveryChunks = 64;

interface MemoryWatch {
  sample(): void;
  growth(): { rss: number; arrayBuffers: number };
}

function watchMemory(): MemoryWatch {
  collectGarbage();
  const base = process.memoryUsage();
  let peak = { rss: base.rss, arrayBuffers: base.arrayBuffers };
  let calls = 0;
  return {
    sample() {
      if (calls++ % sampleEveryChunks !== 0) return;
      collectGarbage();
      const now = process.memoryUsage();
      peak = { rss: Math.max(peak.rss, now.rss), arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers) };
    },
    growth: () => ({ rss: peak.rss - base.rss, arrayBuffers: peak.arrayBuffers - base.arrayBuffers }),
  };
}

/** A stream of `totalBytes` random bytes made chunk by chunk, hashed as it is read. */
function generatedDocument(watch: MemoryWatch): { stream: ReadableStream<Uint8Array>; digest(): string } {
  const hash = createHash("sha256");
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        watch.sample();
        if (sent >= totalBytes) return controller.close();
        // A fixed text head, so that content sniffing never takes the random bytes for a known binary format.
        const chunk =
          sent === 0
            ? Buffer.concat([Buffer.from("meta-media-openapi large document\n"), randomBytes(chunkBytes)])
            : randomBytes(chunkBytes);
        const piece = chunk.subarray(0, Math.min(chunk.byteLength, totalBytes - sent));
        sent += piece.byteLength;
        hash.update(piece);
        controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
      },
    },
    { highWaterMark: 1 },
  );
  return { stream, digest: () => hash.digest("hex") };
}

describe("50 MiB through the client", () => {
  let server: ChildProcess;
  let target: Omit<ClientTarget, "close" | "forceStatus">;

  beforeAll(async () => {
    server = spawn(process.execPath, ["--import", "tsx", fixtureProgram("reference-server-process.ts")], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.once("line", resolve);
      server.once("exit", (code) => reject(new Error(`reference server exited with ${code}`)));
    });
    target = JSON.parse(line);
  });

  afterAll(async () => {
    if (!server || server.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once("exit", () => resolve());
      server.kill("SIGTERM");
    });
  });

  it("uploads and downloads 50 MiB as streams: same sha256, flat client memory", { timeout: 180_000 }, async () => {
    const client = createWhatsAppClient({ baseUrl: target.whatsAppBaseUrl, ...target.admin });
    await client.loginUser();
    const watch = watchMemory();

    const upload = generatedDocument(watch);
    const id = await client.uploadMedia(upload.stream, "application/octet-stream");
    const uploadedDigest = upload.digest();

    const media = await client.downloadMedia(id);
    expect(media.contentType).toBe("application/octet-stream");
    expect(media.contentLength).toBe(totalBytes);
    const hash = createHash("sha256");
    let received = 0;
    for await (const chunk of media.stream as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.byteLength;
      watch.sample();
    }
    expect(received).toBe(totalBytes);
    expect(hash.digest("hex")).toBe(uploadedDigest);

    const growth = watch.growth();
    expect(growth.arrayBuffers).toBeLessThan(maxGrowthBytes);
    expect(growth.rss).toBeLessThan(2 * maxGrowthBytes);
    await client.deleteMedia(id);
  });
});
