/**
 * One sample per media type the spec lets `uploadMedia` take, built from the shared well-formed files of
 * test/support/media-samples.ts so that a server which sniffs magic bytes (as the reference server does) accepts them;
 * the fuzz layer appends random tails to them.
 */
import { getOperation } from "../spec-model/openapi-document.ts";
import { aac, amr, isoMedia, jpeg, mp3, oggOpus, pdf, png, webp } from "./media-files.ts";

/**
 * A concrete content type and matching bytes for each request
 * content type `uploadMedia` documents (the entry that stands for a range gets a type of that range).
 */
export function mediaSamples(): Array<{
  documented: string;
  contentType: string;
  bytes: Buffer;
  category: string;
  maxBytes: number;
}> {
  const content = getOperation("uploadMedia").operation.requestBody?.content ?? {};
  const make: Record<string, () => [string, Buffer]> = {
    "audio/aac": () => ["audio/aac", aac()],
    "audio/mp4": () => ["audio/mp4", isoMedia("M4A ")],
    "audio/amr": () => ["audio/amr", amr()],
    "audio/mpeg": () => ["audio/mpeg", mp3()],
    "audio/ogg; codecs=opus": () => ["audio/ogg; codecs=opus", oggOpus(1)],
    "image/jpeg": () => ["image/jpeg", jpeg()],
    "image/png": () => ["image/png", png()],
    "image/webp": () => ["image/webp", webp()],
    "video/mp4": () => ["video/mp4", isoMedia("isom")],
    "video/3gpp": () => ["video/3gpp", isoMedia("3gp4")],
    // The document entry stands for every type no other entry lists (its x-media-range is */*): a PDF.
    "application/octet-stream": () => ["application/pdf", pdf()],
  };
  return Object.entries(content).map(([documented, media]) => {
    const maker = make[documented];
    if (!maker) throw new Error(`media-samples: no sample for the documented upload type ${documented}; add one`);
    const [contentType, bytes] = maker();
    return {
      documented,
      contentType,
      bytes,
      category: String(media["x-media-category"]),
      maxBytes: Number(media["x-max-bytes"]),
    };
  });
}
