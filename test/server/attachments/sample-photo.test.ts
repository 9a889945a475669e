/**
 * The reference server's sample image (server/attachments/sample-photo.ts): served at `/samples/photo.png`, and taken
 * without a fetch by an attachment upload that names it at the origin the request reached, with no allow-list; any
 * other URL of that origin, or the same path at another origin, still goes to the fetcher and its address rules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentStore } from "../../../server/attachments/attachment-store.ts";
import type { LookupFunction } from "../../../server/attachments/safe-fetcher.ts";
import { serveNode, type NodeServer } from "../../../server/edge/serve-node.ts";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import { createMessengerTestApp, type MessengerTestApp, json, TOKEN } from "../../support/messenger-app.ts";

/** Every host name resolves to loopback: what the fetcher would reach, were the address rules not there. */
const loopbackDns = (async () => [{ address: "127.0.0.1", family: 4 }]) as unknown as LookupFunction;

let t: MessengerTestApp;
let served: NodeServer;

beforeAll(async () => {
  // No ATTACHMENT_FETCH_ALLOW: loopback and private addresses are refused to the fetcher.
  t = await createMessengerTestApp({ ATTACHMENT_FETCH_ALLOW: "" }, loopbackDns);
  served = await serveNode(t.app, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await served?.close();
  t?.close();
});

const attachment = (url: string) => ({ message: { attachment: { type: "image", payload: { url } } } });
const uploadPath = `/v21.0/me/message_attachments?access_token=${TOKEN}`;

/** Uploads an image attachment from `url`, in process (origin http://graph.test) or over the socket. */
async function uploadFrom(url: string, over: "in-process" | "socket" = "in-process"): Promise<Response> {
  const body = json(attachment(url));
  return over === "socket" ? fetch(`${served.url}${uploadPath}`, body) : t.request(uploadPath, body);
}

async function expectFetchFailed(res: Response): Promise<void> {
  expect(res.status).toBe(400);
  const body = (await expectResponseMatchesSpec("uploadAttachment", res)) as { error: { error_subcode: number } };
  expect(body.error.error_subcode).toBe(2018008);
}

describe("the sample image", () => {
  it("is a PNG served at /samples/photo.png (GET and HEAD; other methods 405 with Allow)", async () => {
    const res = await fetch(`${served.url}/samples/photo.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    const head = await fetch(`${served.url}/samples/photo.png`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(`${served.url}/samples/photo.png`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("is uploaded as an attachment from its own origin without a fetch, over a socket and in process", async () => {
    const expected = Buffer.from(await (await fetch(`${served.url}/samples/photo.png`)).arrayBuffer());
    for (const [url, over] of [
      [`${served.url}/samples/photo.png`, "socket"],
      ["http://graph.test/samples/photo.png", "in-process"],
    ] as const) {
      const res = await uploadFrom(url, over);
      expect(res.status, url).toBe(200);
      const { attachment_id } = (await expectResponseMatchesSpec("uploadAttachment", res)) as { attachment_id: string };
      const rec = (await new AttachmentStore(t.storage.attachments, t.clock).get(attachment_id))!;
      expect(rec).toMatchObject({ type: "image", mimeType: "image/png", source: "url", size: expected.length });
      const blob = await t.storage.attachmentBlobs.open(rec.blobId);
      const chunks: Buffer[] = [];
      for await (const chunk of blob!.stream as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    }
    // Upload-and-send takes it the same way.
    const sent = await t.request(
      `/v21.0/me/messages?access_token=${TOKEN}`,
      json({
        recipient: { id: "1254459154682919" },
        message: { attachment: { type: "image", payload: { url: "http://graph.test/samples/photo.png" } } },
      }),
    );
    expect(sent.status).toBe(200);
  });

  it("opens nothing else: other paths there and the same path elsewhere are the fetcher's (2018008)", async () => {
    const port = new URL(served.url).port;
    for (const url of [
      `${served.url}/openapi.json`,
      `${served.url}/samples/photo.png?size=large`,
      `${served.url}/samples/photo.png#x`,
      `${served.url}/samples/other.png`,
      `${served.url}/SAMPLES/photo.png`,
      `http://localhost:${port}/samples/photo.png`,
      `http://[::1]:${port}/samples/photo.png`,
      `https://127.0.0.1:${port}/samples/photo.png`,
    ]) {
      await expectFetchFailed(await uploadFrom(url, "socket"));
    }
    // In process the request's origin is http://graph.test: the socket's address is another origin.
    await expectFetchFailed(await uploadFrom(`${served.url}/samples/photo.png`, "in-process"));
    await expectFetchFailed(await uploadFrom("http://other.test/samples/photo.png", "in-process"));
  });
});
