/**
 * Replies sent before the request body was read to its end (401 before anything is read, 413 on the declared length,
 * 415 on the first bytes) must reach the client: the server lingers, reading and discarding the rest of the body
 * for a bounded time, instead of closing on bytes still in flight (server/edge/serve-node.ts). The server runs in
 * its own process: in one process with the client the race this guards against does not show.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forkServer, type ForkedServer } from "../../support/forked-server.ts";
import * as samples from "../../../conformance/media-files.ts";
import { ADMIN_PASSWORD, basic, makeDataDir } from "../../support/server-harness.ts";

const MiB = 1024 * 1024;
const PAGE_ID = "1234567890";
const PAGE_TOKEN = "early-refusal-page-token";

let server: ForkedServer;
let token: string;

beforeAll(async () => {
  server = await forkServer({
    DATA_DIR: makeDataDir(),
    WA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: PAGE_TOKEN }),
  });
  const login = await fetch(`${server.url}/v1/users/login`, {
    method: "POST",
    headers: { Authorization: basic("admin", ADMIN_PASSWORD) },
  });
  token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]!.token;
});
afterAll(() => server?.stop());

/** A 6 MiB body that starts as a PNG (over the 5 MB image limit, under the 16 MB video limit). */
const sixMiBPng = () => new Uint8Array(Buffer.concat([samples.png(), Buffer.alloc(6 * MiB)]));

/** Sends `request` ten times, one after the other; the statuses read, or the network error's code. */
async function tenTimes(
  request: () => Promise<Response>,
): Promise<{ outcomes: string[]; connection: Set<string | null> }> {
  const outcomes: string[] = [];
  const connection = new Set<string | null>();
  for (let i = 0; i < 10; i++) {
    try {
      const res = await request();
      await res.arrayBuffer();
      outcomes.push(String(res.status));
      connection.add(res.headers.get("connection"));
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      outcomes.push(cause?.code ?? String(err));
    }
  }
  return { outcomes, connection };
}

describe("early refusals reach the client (10 of 10 fetch uploads of 6 MiB)", () => {
  const upload = (headers: Record<string, string>) => () =>
    fetch(`${server.url}/v1/media`, { method: "POST", headers, body: sixMiBPng() });

  it("413 for a PNG over its 5 MB limit", async () => {
    const { outcomes, connection } = await tenTimes(
      upload({ Authorization: `Bearer ${token}`, "Content-Type": "image/png" }),
    );
    expect(outcomes).toEqual(Array(10).fill("413"));
    expect([...connection]).toEqual(["close"]);
  });

  it("401 for an upload without a token", async () => {
    const { outcomes } = await tenTimes(upload({ "Content-Type": "image/png" }));
    expect(outcomes).toEqual(Array(10).fill("401"));
  });

  it("415 for PNG bytes declared video/mp4 (refused on the first bytes)", async () => {
    const { outcomes } = await tenTimes(upload({ Authorization: `Bearer ${token}`, "Content-Type": "video/mp4" }));
    expect(outcomes).toEqual(Array(10).fill("415"));
  });

  it("401 (Graph 190) for a multipart attachment upload without a page token", async () => {
    const { outcomes } = await tenTimes(() => {
      const form = new FormData();
      form.append("message", JSON.stringify({ attachment: { type: "file", payload: {} } }));
      form.append("filedata", new Blob([sixMiBPng()], { type: "application/pdf" }), "big.pdf");
      return fetch(`${server.url}/v21.0/me/message_attachments`, { method: "POST", body: form });
    });
    expect(outcomes).toEqual(Array(10).fill("401"));
  });
});

/** Opens a raw connection and writes `head` (and `body`); resolves with everything read until the server closes. */
function rawExchange(head: string, body?: Buffer): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve({ text: Buffer.concat(chunks).toString("latin1"), closed: true }));
    socket.write(head);
    if (body) socket.write(body);
  });
}

describe("the lingering close is bounded", () => {
  it(
    "a client that announces a body and stops sending still gets the reply, " + "and the server closes the connection",
    async () => {
      // 6 MiB announced, 1 KiB sent, then silence: the server must not wait for the rest forever.
      const { text, closed } = await rawExchange(
        `POST /v1/media HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: ${6 * MiB}\r\n\r\n`,
        Buffer.alloc(1024),
      );
      expect(text.startsWith("HTTP/1.1 401 ")).toBe(true);
      expect(text.toLowerCase()).toContain("connection: close");
      expect(closed).toBe(true);
    },
  );

  it("a request whose body was read to its end keeps its connection alive", async () => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    const body = JSON.stringify({});
    const request =
      `POST /v1/users/login HTTP/1.1\r\nHost: test\r\nAuthorization: ${basic("admin", ADMIN_PASSWORD)}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    let received = "";
    const twoReplies = new Promise<void>((resolve, reject) => {
      socket.on("data", (c: Buffer) => {
        received += c.toString("latin1");
        if ((received.match(/HTTP\/1\.1 200 /g) ?? []).length === 2) resolve();
      });
      socket.on("error", reject);
      socket.on("close", () => reject(new Error(`closed after: ${received}`)));
    });
    socket.write(request);
    socket.write(request);
    await twoReplies;
    socket.destroy();
    expect(received.toLowerCase()).not.toContain("connection: close");
  });
});
