/**
 * What an application's unit test does with the emulator: both typed clients, unmodified, with the emulator's
 * `fetch`. Shared by the in-process test and the no-socket, no-disk check (run in a child process).
 */
import { createMessengerClient, createWhatsAppClient, type FetchFunction } from "../../client/index.ts";
import type { Emulator } from "../../server/emulator.ts";
import { tinyPng } from "../../conformance/media-files.ts";

/** Where the scenario's attachment URL points; the emulator is given a fetch that answers it. */
export const CAT_URL = "https://cdn.example.com/cat.png";

/** Answers CAT_URL with a PNG, anything else 404: the `attachmentFetch` of the scenario's emulator. */
export async function catServer(request: Request): Promise<Response> {
  if (request.url !== CAT_URL) return new Response("not found", { status: 404 });
  return new Response(tinyPng(), { headers: { "content-type": "image/png" } });
}

/** What the scenario saw, for the caller to check. */
export interface ScenarioResult {
  mediaId: string;
  downloaded: Uint8Array;
  uploaded: Uint8Array;
  waId: string;
  restartRequired: string[];
  webhookConcurrency: number | undefined;
  fileAttachmentId: string;
  urlAttachmentId: string;
  sent: { recipient_id: string; message_id: string };
  afterDelete: number;
}

/** Logs in (changing the default admin password), uploads, downloads, patches settings, uploads and sends. */
export async function driveBothClients(emulator: Emulator): Promise<ScenarioResult> {
  const fetch: FetchFunction = (request) => emulator.fetch(request);
  const wa = createWhatsAppClient({ baseUrl: "http://emulator.local", username: "admin", password: "secret", fetch });
  await wa.loginUser({ new_password: "Em-u1ator!" });

  const uploaded = tinyPng(8, 8);
  const mediaId = await wa.uploadMedia(new Blob([uploaded], { type: "image/png" }), "image/png");
  const media = await wa.downloadMedia(mediaId);
  const downloaded = new Uint8Array(await new Response(media.stream).arrayBuffer());

  const patched = await wa.updateApplicationSettings({ webhooks: { max_concurrent_requests: 12 } });
  const { settings } = await wa.getApplicationSettings();
  await wa.deleteMedia(mediaId);
  const afterDelete = await wa.downloadMedia(mediaId).then(
    () => 200,
    (err: { status?: number }) => err.status ?? 0,
  );

  const [pageId, accessToken] = Object.entries(emulator.pages)[0]!;
  const messenger = createMessengerClient({ accessToken, pageId, baseUrl: "http://emulator.local", fetch });
  const file = await messenger.uploadAttachmentFile(
    new Blob([tinyPng()], { type: "image/png" }),
    "pixel.png",
    "image",
    {
      isReusable: true,
    },
  );
  const fromUrl = await messenger.uploadAttachmentFromUrl(CAT_URL, "image", { isReusable: true });
  const sent = await messenger.sendAttachment("1254459154682919", { attachmentId: file.attachment_id });

  return {
    mediaId,
    downloaded,
    uploaded,
    waId: settings.application.wa_id,
    restartRequired: patched?.restart_required ?? [],
    webhookConcurrency: settings.application.webhooks?.max_concurrent_requests,
    fileAttachmentId: file.attachment_id,
    urlAttachmentId: fromUrl.attachment_id,
    sent,
    afterDelete,
  };
}
