/**
 * Upload a file to the WhatsApp Business On-Premises media node, then download it again.
 *
 *   WA_BASE_URL=http://127.0.0.1:8080 WA_USERNAME=admin WA_PASSWORD='Chang3-Me!' \
 *     npx tsx examples/upload-and-download-media.ts ./photo.png image/png ./photo-copy.png
 *
 * The account's password must already be set (the first login of the built-in admin changes it: see the README).
 * In your own project, import from "@meta-media-openapi/client" instead of "../client/index.ts".
 */
import { stat } from "node:fs/promises";
import { createWhatsAppClient, saveMediaToFile, WhatsAppApiError, type MediaContentType } from "../client/index.ts";

const [file, contentType, output] = process.argv.slice(2);
if (!file || !contentType || !output) {
  console.error("usage: upload-and-download-media.ts <file> <content-type> <output-file>");
  process.exit(2);
}

const wa = createWhatsAppClient({
  baseUrl: process.env.WA_BASE_URL ?? "http://127.0.0.1:8080",
  username: process.env.WA_USERNAME ?? "admin",
  password: process.env.WA_PASSWORD ?? "",
});

try {
  // A file path is streamed from disk; the client logs in on first use and keeps the token.
  const mediaId = await wa.uploadMedia(file, contentType as MediaContentType);
  console.log(`uploaded ${file} (${(await stat(file)).size} bytes) as media ${mediaId}`);

  const media = await wa.downloadMedia(mediaId);
  await saveMediaToFile(media, output);
  console.log(`downloaded media ${mediaId} (${media.contentType}, ${media.contentLength} bytes) to ${output}`);
} catch (err) {
  if (err instanceof WhatsAppApiError) {
    console.error(err.message); // "WhatsApp API 415: 1009 Parameter value is not valid: ..."
    process.exit(1);
  }
  throw err;
}
