import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureProgram } from "../../support/fixture-programs.ts";
import { ADMIN_PASSWORD, basic, makeDataDir } from "../../support/server-harness.ts";

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 100 * MiB;
const fixture = fixtureProgram("memory-server.ts");

let child: ChildProcess;
let base: string;
let dataDir: string;

function ask<T>(message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (reply) => resolve(reply as T));
    child.send(message);
  });
}

beforeAll(async () => {
  dataDir = makeDataDir();
  child = fork(fixture, [], {
    execArgv: ["--import", "tsx"],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      WA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      MESSENGER_PAGES: '{"1":"memory-test-token"}',
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port: number }));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  child?.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

/** `total` bytes of a deterministic pattern, produced 1 MiB at a time, hashed as they go. */
function generatedBody(total: number) {
  const hash = createHash("sha256");
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = Buffer.alloc(Math.min(MiB, total - sent), sent / MiB);
      if (sent === 0) chunk.write("%PDF-1.4\n");
      sent += chunk.length;
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  return { stream, digest: () => hash.digest("hex") };
}

describe("memory while streaming 100 MiB", () => {
  it("the server's resident memory does not grow with the upload or the download", async () => {
    const login = await fetch(`${base}/v1/users/login`, {
      method: "POST",
      headers: { Authorization: basic("admin", ADMIN_PASSWORD) },
    });
    const token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]!.token;
    const auth = { Authorization: `Bearer ${token}` };
    // Warm up the upload path so that code loading and first-use allocations are not counted.
    const warm = await fetch(`${base}/v1/media`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/pdf" },
      body: "%PDF-1.4\nwarm",
    });
    expect(warm.status).toBe(201);
    const before = await ask<{ rss: number; maxRss: number }>("usage");

    const body = generatedBody(UPLOAD_BYTES);
    const up = await fetch(`${base}/v1/media`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/pdf" },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    expect(up.status).toBe(201);
    const id = ((await up.json()) as { media: Array<{ id: string }> }).media[0]!.id;
    const afterUpload = await ask<{ rss: number; maxRss: number }>("usage");

    const down = await fetch(`${base}/v1/media/${id}`, { headers: auth });
    expect(down.status).toBe(200);
    expect(down.headers.get("content-length")).toBe(String(UPLOAD_BYTES));
    const hash = createHash("sha256");
    let received = 0;
    for await (const chunk of down.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      hash.update(chunk);
    }
    expect(received).toBe(UPLOAD_BYTES);
    expect(hash.digest("hex")).toBe(body.digest());
    const afterDownload = await ask<{ rss: number; maxRss: number }>("usage");

    const growth = afterDownload.maxRss - before.maxRss;
    console.log(
      `server RSS: before ${(before.rss / MiB).toFixed(1)} MiB, ` +
        `peak after upload ${(afterUpload.maxRss / MiB).toFixed(1)} MiB, ` +
        `peak after download ${(afterDownload.maxRss / MiB).toFixed(1)} MiB ` +
        `(growth ${(growth / MiB).toFixed(1)} MiB for ${UPLOAD_BYTES / MiB} MiB each way)`,
    );
    expect(growth).toBeLessThan(48 * MiB);
  }, 60_000);
});
