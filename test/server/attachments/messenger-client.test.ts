/**
 * A Messenger client as people write them (fetch + FormData, the Graph paths with `me` and an old version), run
 * unmodified against the full reference server over real HTTP.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppFromConfig } from "../../../server/app.ts";
import { loadConfig } from "../../../server/config.ts";
import { serveNode, type NodeServer } from "../../../server/edge/serve-node.ts";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import { mp4Bytes, pngBytes } from "../../support/attachment-fixtures.ts";
import { TOKEN, PAGE_ID } from "../../support/messenger-app.ts";

const GRAPH_VERSION = "v6.0";
let server: NodeServer;
let base: string;
let dataDir: string;
let closeApp: () => void;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "messenger-client-"));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: TOKEN }) });
  const { app, close } = await createAppFromConfig(config);
  closeApp = close;
  server = await serveNode(app, { host: "127.0.0.1", port: 0 });
  base = server.url;
});

afterAll(async () => {
  await server.close();
  closeApp();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The client under test: upload a local file, then send it by id (the flow of Meta's attachment guide). */
async function uploadThenSend(graph: string, token: string, file: Blob, type: string, messageAsJsonPart = false) {
  const form = new FormData();
  const message = JSON.stringify({ attachment: { type, payload: { is_reusable: true } } });
  form.append("message", messageAsJsonPart ? new Blob([message], { type: "application/json" }) : message);
  form.append("filedata", file, "upload");
  const uploaded = await fetch(`${graph}/me/message_attachments?access_token=${token}`, { method: "POST", body: form });
  const sent = uploaded.ok
    ? await fetch(`${graph}/me/messages?access_token=${token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          recipient: { id: "1254459154682919" },
          message: {
            attachment: {
              type,
              payload: { attachment_id: ((await uploaded.clone().json()) as { attachment_id: string }).attachment_id },
            },
          },
        }),
      })
    : undefined;
  return { uploaded, sent };
}

describe("an unmodified Messenger client against the reference server", () => {
  it.each([
    ["image", new Blob([new Uint8Array(pngBytes(4096))], { type: "image/png" }), false],
    ["video", new Blob([new Uint8Array(mp4Bytes()), new Uint8Array(3 * 1024 * 1024)], { type: "video/mp4" }), false],
    ["image", new Blob([new Uint8Array(pngBytes())], { type: "image/png" }), true],
  ])("uploads a %s with multipart under /v6.0/me and sends it by attachment_id", async (type, file, asJsonPart) => {
    const { uploaded, sent } = await uploadThenSend(
      `${base}/${GRAPH_VERSION}`,
      TOKEN,
      file as Blob,
      type as string,
      asJsonPart as boolean,
    );
    expect(uploaded.status).toBe(200);
    const { attachment_id } = (await expectResponseMatchesSpec("uploadAttachment", uploaded)) as {
      attachment_id: string;
    };
    expect(attachment_id).toMatch(/^[0-9]+$/);
    expect(sent?.status).toBe(200);
    const reply = (await expectResponseMatchesSpec("sendMessage", sent!)) as {
      recipient_id: string;
      message_id: string;
    };
    expect(reply.recipient_id).toBe("1254459154682919");
    expect(reply.message_id).toMatch(/^m_/);
  });

  it("gets a Graph 190 error, not a WA one, with a wrong token", async () => {
    const { uploaded, sent } = await uploadThenSend(
      `${base}/${GRAPH_VERSION}`,
      "wrong-token",
      new Blob([new Uint8Array(pngBytes())], { type: "image/png" }),
      "image",
    );
    expect(uploaded.status).toBe(401);
    expect(sent).toBeUndefined();
    const body = (await expectResponseMatchesSpec("uploadAttachment", uploaded)) as { error: { code: number } };
    expect(body.error.code).toBe(190);
  });
});
