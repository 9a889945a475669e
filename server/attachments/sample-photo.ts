/**
 * The reference server's sample image, for first runs: it serves a small PNG at `/samples/photo.png`, and an
 * attachment upload from that URL at the origin the request itself reached takes the image from here, with no
 * network fetch. A first upload from a URL then works with no image host of one's own and without opening loopback
 * addresses to the attachment fetcher (ATTACHMENT_FETCH_ALLOW): every other URL still goes through the fetcher and
 * its address rules.
 */
import type { Context, Hono } from "hono";
import type { FetchedResource } from "./safe-fetcher.ts";

/** Where the sample is served, on the server's own origin. */
export const SAMPLE_PHOTO_PATH = "/samples/photo.png";

/** A 16x16 opaque PNG (WhatsApp refuses images with a transparent background; an attachment takes any PNG). */
const SAMPLE_PHOTO = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGNQTX5NEmIY1TCqYfhqAAB2SXMQ7mVTQgAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * The sample as a fetched resource when `url` is exactly `<ownOrigin>/samples/photo.png` (no query, no fragment),
 * where `ownOrigin` is the origin the current request reached; undefined for any other URL, which is the fetcher's.
 */
export function ownSamplePhoto(url: string, ownOrigin: string | undefined): FetchedResource | undefined {
  if (ownOrigin === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const own = new URL(ownOrigin);
  if (parsed.origin !== own.origin || parsed.pathname !== SAMPLE_PHOTO_PATH) return undefined;
  if (parsed.search !== "" || parsed.hash !== "" || parsed.username !== "" || parsed.password !== "") return undefined;
  return {
    url: parsed.href,
    contentType: "image/png",
    contentLength: SAMPLE_PHOTO.length,
    body: (async function* () {
      yield new Uint8Array(SAMPLE_PHOTO);
    })(),
    discard: () => undefined,
  };
}

/** Serves the sample (GET and HEAD); other methods get `methodNotAllowed`. */
export function registerSamplePhoto(app: Hono, methodNotAllowed: (c: Context) => Response): void {
  app.get(SAMPLE_PHOTO_PATH, () => {
    const headers = {
      "Content-Type": "image/png",
      "Content-Length": String(SAMPLE_PHOTO.length),
      "Cache-Control": "public, max-age=86400",
      "X-Content-Type-Options": "nosniff",
    };
    return new Response(new Uint8Array(SAMPLE_PHOTO), { status: 200, headers });
  });
  app.all(SAMPLE_PHOTO_PATH, methodNotAllowed);
}
