/**
 * Checks the first bytes of an upload against its declared type (magic bytes via file-type), and refuses the media
 * WhatsApp cannot send: stereo Ogg Opus and animated WebP stickers.
 */
import { fileTypeFromBuffer } from "file-type";
import { whatsAppErrors, type WhatsAppHttpError } from "../edge/whatsapp-envelope.ts";
import type { UploadMediaType } from "./media-types.ts";

/** Bytes handed to the inspection: enough for every signature file-type reads and for the WebP chunks after VP8X. */
export const INSPECTION_HEAD_BYTES = 64 * 1024;

/**
 * What file-type may report for each declared type. Containers are ambiguous from their first bytes (an MP4 file
 * holding only AAC audio often carries a generic `isom` brand), so some declared types accept several answers.
 */
const ACCEPTED_DETECTIONS: Record<string, string[]> = {
  "audio/aac": ["audio/aac"],
  "audio/mp4": ["audio/mp4", "audio/x-m4a", "video/mp4"],
  "audio/amr": ["audio/amr"],
  "audio/mpeg": ["audio/mpeg"],
  "audio/ogg; codecs=opus": ["audio/ogg; codecs=opus"],
  "image/jpeg": ["image/jpeg"],
  "image/png": ["image/png"],
  "image/webp": ["image/webp"],
  "video/mp4": ["video/mp4", "video/x-m4v"],
  "video/3gpp": ["video/3gpp"],
};

function mismatch(declared: string, detected: string | undefined): WhatsAppHttpError {
  return whatsAppErrors.unsupportedMediaType(
    `Declared Content-Type ${declared} does not match the content (${detected ?? "unrecognised bytes"})`,
  );
}

/** Channel count of the first Ogg page's OpusHead packet (RFC 7845 §5.1), if present in the head. */
export function opusChannelCount(head: Uint8Array): number | undefined {
  const at = Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf("OpusHead");
  return at >= 0 && at + 9 < head.length ? head[at + 9] : undefined;
}

/** Whether a WebP file is animated: the VP8X animation flag, or an ANIM/ANMF chunk among the chunks in the head. */
export function isAnimatedWebp(head: Uint8Array): boolean {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const fourcc = buf.toString("latin1", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (fourcc === "VP8X" && offset + 9 <= buf.length && (buf[offset + 8]! & 0x02) !== 0) return true;
    if (fourcc === "ANIM" || fourcc === "ANMF") return true;
    offset += 8 + size + (size % 2);
  }
  return false;
}

/** Throws the WA error (400 empty, 415 mismatch or unsendable) for a head that does not fit the declared type. */
export async function inspectUploadHead(type: UploadMediaType, declared: string, head: Uint8Array): Promise<void> {
  if (head.length === 0) throw whatsAppErrors.missingParameter("Request body is empty: send the media bytes");
  // Documents accept any valid MIME type and any bytes (`spec/paths/v1_media.yaml`, uploadMedia): a GIF declared
  // image/gif, a PDF whose first bytes look like an image, or a WAV file are all documents. Only the listed media
  // types have bytes to check.
  if (type.category === "document") return;
  const detected = (await fileTypeFromBuffer(head))?.mime;
  const accepted = ACCEPTED_DETECTIONS[type.key] ?? [type.key];
  if (!detected || !accepted.includes(detected)) throw mismatch(declared, detected);
  if (type.key === "audio/ogg; codecs=opus") {
    const channels = opusChannelCount(head);
    if (channels !== 1) {
      throw whatsAppErrors.unsupportedMediaType(
        "audio/ogg; codecs=opus must be mono: WhatsApp clients only play single-channel Opus audio " +
          `(this file has ${channels ?? "an unknown number of"} channels)`,
      );
    }
  }
  if (type.category === "sticker" && isAnimatedWebp(head)) {
    throw whatsAppErrors.unsupportedMediaType("Animated image/webp stickers cannot be sent");
  }
}
