/**
 * Upload a file as a reusable Messenger attachment, then send it to a person by its attachment id.
 *
 *   GRAPH_BASE_URL=http://127.0.0.1:8080 PAGE_ID=<page id> PAGE_ACCESS_TOKEN=<token> \
 *     npx tsx examples/upload-and-send-attachment.ts ./photo.png image <recipient PSID>
 *
 * Against Meta, leave GRAPH_BASE_URL unset (https://graph.facebook.com) and use your page's id and token; set
 * APP_SECRET when your app requires appsecret_proof. Against the reference server, `npm start` prints a development
 * page id and token (or set MESSENGER_PAGES).
 */
import { openAsBlob } from "node:fs";
import path from "node:path";
import { createMessengerClient, MessengerApiError, type AttachmentType } from "@meta-media-openapi/client";

const [file, type, recipientId] = process.argv.slice(2);
const types: AttachmentType[] = ["image", "video", "audio", "file"];
if (!file || !types.includes(type as AttachmentType) || !recipientId) {
  console.error("usage: upload-and-send-attachment.ts <file> <image|video|audio|file> <recipient PSID>");
  process.exit(2);
}
const token = process.env.PAGE_ACCESS_TOKEN;
if (!token) {
  console.error("set PAGE_ACCESS_TOKEN (and PAGE_ID, or the token's own page is used)");
  process.exit(2);
}

const messenger = createMessengerClient({
  accessToken: token,
  pageId: process.env.PAGE_ID ?? "me",
  ...(process.env.GRAPH_BASE_URL ? { baseUrl: process.env.GRAPH_BASE_URL } : {}),
  ...(process.env.APP_SECRET ? { appSecret: process.env.APP_SECRET } : {}),
});

try {
  // The file goes up as multipart/form-data, streamed from disk; the MIME type comes from the Blob.
  const blob = await openAsBlob(file, { type: process.env.FILE_MIME_TYPE ?? mimeFromName(file) });
  const { attachment_id } = await messenger.uploadAttachmentFile(blob, path.basename(file), type as AttachmentType, {
    isReusable: true,
  });
  console.log(`uploaded ${file} as attachment ${attachment_id}`);

  const sent = await messenger.sendAttachment(recipientId, { attachmentId: attachment_id });
  console.log(`sent attachment ${attachment_id} to ${sent.recipient_id}: message ${sent.message_id}`);
} catch (err) {
  if (err instanceof MessengerApiError) {
    console.error(`Graph API error ${err.code}${err.subcode ? `/${err.subcode}` : ""}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

function mimeFromName(name: string): string {
  const byExtension: Record<string, string> = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
  };
  return byExtension[path.extname(name).toLowerCase()] ?? "application/octet-stream";
}
