import { randomUUID } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AttachmentStore } from "../../server/attachments/attachment-store.ts";
import { createBlobStore } from "../../server/storage/blob-store.ts";
import * as samples from "../../conformance/media-files.ts";
import { ADMIN_PASSWORD, bearer, call, login, startTestServer } from "../support/server-harness.ts";

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

describe("blobs left without a record by a crash", () => {
  it("are removed at start: real media and attachments stay, the quota stops counting the orphans", async () => {
    const png = samples.png();
    const orphanBytes = Buffer.alloc(4096, 7);
    // Room for two copies of the PNG, not for a third nor for the orphan.
    const env = { WA_MEDIA_VOLUME_MAX_BYTES: String(2 * png.length + Math.floor(png.length / 2)) };
    let server = await startTestServer({ env });
    const { dataDir } = server;
    const auth = bearer(await login(server.app, "admin", ADMIN_PASSWORD));
    const upload = () =>
      call(server.app, "uploadMedia", "/v1/media", {
        method: "POST",
        headers: { ...auth, "Content-Type": "image/png" },
        body: new Uint8Array(png),
      });
    const up = await upload();
    expect(up.res.status).toBe(201);
    const mediaId = (up.body as { media: Array<{ id: string }> }).media[0]!.id;

    // A recorded attachment, stored the way the upload path does it: blob first, then the record.
    const attachments = new AttachmentStore(server.storage.attachments, server.clock);
    const blobId = await attachments.newId();
    const blobs = server.storage.attachmentBlobs;
    const written = await blobs.write(blobId, once(orphanBytes), { maxBytes: orphanBytes.length });
    await attachments.insert({
      id: blobId,
      pageId: "1234",
      type: "file",
      isReusable: true,
      blobId,
      size: written.size,
      sha256: written.sha256,
      mimeType: null,
      source: "file",
    });
    await server.close();

    // What a crash after the rename and before the insert leaves behind.
    const mediaOrphan = path.join(dataDir, "media", randomUUID());
    const attachmentOrphan = path.join(dataDir, "attachments", "9876543210123456");
    writeFileSync(mediaOrphan, orphanBytes);
    writeFileSync(attachmentOrphan, orphanBytes);
    // Without the clean-up the orphan is counted, which would leave no room for a second PNG.
    expect((await createBlobStore(path.join(dataDir, "media"))).usedBytes()).toBe(png.length + orphanBytes.length);

    server = await startTestServer({ dataDir, env });
    try {
      expect(existsSync(mediaOrphan)).toBe(false);
      expect(existsSync(attachmentOrphan)).toBe(false);
      expect(server.storage.mediaBlobs.usedBytes()).toBe(png.length);
      expect(await server.storage.attachmentBlobs.list()).toEqual([blobId]);

      const down = await call(server.app, "downloadMedia", `/v1/media/${mediaId}`, { headers: auth });
      expect(down.res.status).toBe(200);
      expect(Buffer.from(await down.res.arrayBuffer())).toEqual(png);
      expect((await upload()).res.status).toBe(201);
      expect((await upload()).res.status).toBe(503);
    } finally {
      server.dispose();
    }
  });
});
