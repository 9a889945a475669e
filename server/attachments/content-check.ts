/** Checks the first bytes of an attachment against its declared `type` (magic numbers, via file-type). */
import { fileTypeFromBuffer } from "file-type";
import type { AttachmentType } from "./attachment-store.ts";

/** How many leading bytes the check needs (file-type's "reasonable detection size"). */
export const HEAD_BYTES = 4100;

/** The bytes are not of the declared type (answered 2018047). */
export class AttachmentTypeMismatchError extends Error {
  override name = "AttachmentTypeMismatchError";
  constructor(
    readonly declared: AttachmentType,
    readonly detected: string | undefined,
  ) {
    super(`Declared ${declared}, got ${detected ?? "unrecognised bytes"}`);
  }
}

/** A declared video whose bytes are not recognisable media at all (answered 2018294, "corrupt"). */
export class CorruptVideoError extends Error {
  override name = "CorruptVideoError";
}

// Containers that file-type reports as video but that routinely
// carry audio only (m4a in mp4, webm/ogg audio, 3gp voice).
const AUDIO_CONTAINERS = new Set(["video/mp4", "video/webm", "video/ogg", "video/3gpp", "video/3gpp2"]);

function matches(type: AttachmentType, mime: string): boolean {
  switch (type) {
    case "image":
      return mime.startsWith("image/");
    case "video":
      return mime.startsWith("video/");
    case "audio":
      return mime.startsWith("audio/") || AUDIO_CONTAINERS.has(mime);
    case "file":
      return true;
  }
}

/**
 * Returns the detected MIME type (undefined when unknown) or throws AttachmentTypeMismatchError / CorruptVideoError.
 * `file` accepts any bytes.
 */
export async function checkAttachmentHead(type: AttachmentType, head: Uint8Array): Promise<string | undefined> {
  const detected = head.length > 0 ? (await fileTypeFromBuffer(head))?.mime : undefined;
  if (type === "file") return detected;
  if (detected === undefined) {
    if (type === "video") throw new CorruptVideoError("The video's bytes are not a known video format");
    throw new AttachmentTypeMismatchError(type, undefined);
  }
  if (!matches(type, detected)) throw new AttachmentTypeMismatchError(type, detected);
  return detected;
}
