/**
 * The media types `POST /v1/media` accepts, read from the spec's request body: each content type with its
 * `x-media-category` and `x-max-bytes`, and the range it stands for (`x-media-range`, else the type itself). Nothing
 * here is typed twice.
 */
import { getOperation, perDocument, type OpenApiDocument } from "../../spec-model/openapi-document.ts";
import {
  mediaTypeMatches,
  mediaTypeSpecificity,
  parseMediaType,
  type MediaType,
} from "../../spec-model/content-type.ts";

export type MediaCategory = "audio" | "document" | "image" | "sticker" | "video";

/** One content type of the upload operation. */
export interface UploadMediaType {
  /** The content type as the spec writes it (`audio/ogg; codecs=opus`, `application/octet-stream`). */
  key: string;
  /** The types it accepts: its `x-media-range` (the document entry's is `*\/*`), else the key itself. */
  range: MediaType;
  category: MediaCategory;
  /** Per-type limit of the stored bytes. */
  maxBytes: number;
}

/** Every content type of a spec's `uploadMedia`, most specific first. */
export const uploadMediaTypes: (doc: OpenApiDocument) => UploadMediaType[] = perDocument((doc) => {
  const content = getOperation("uploadMedia", doc).operation.requestBody?.content ?? {};
  return Object.entries(content)
    .map(([key, media]) => {
      const declaredRange = media["x-media-range"] ?? key;
      const range = typeof declaredRange === "string" ? parseMediaType(declaredRange) : undefined;
      const category = media["x-media-category"];
      const maxBytes = media["x-max-bytes"];
      if (!range || typeof category !== "string" || typeof maxBytes !== "number") {
        throw new Error(
          `uploadMedia content type ${key} lacks a parsable type or x-media-range, x-media-category or x-max-bytes`,
        );
      }
      return { key, range, category: category as MediaCategory, maxBytes };
    })
    .sort((a, b) => mediaTypeSpecificity(b.range) - mediaTypeSpecificity(a.range));
});

/** The entry of `types` a declared content type falls under, if any. */
export function resolveUploadType(types: readonly UploadMediaType[], declared: MediaType): UploadMediaType | undefined {
  return types.find((t) => mediaTypeMatches(t.range, declared));
}
