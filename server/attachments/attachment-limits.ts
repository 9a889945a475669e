/**
 * The limits of each attachment type, read from the spec (`x-attachment-limits` on the AttachmentType schema): the
 * size of a fetched or uploaded file, and how long fetching it from a URL may take.
 */
import type { AttachmentType } from "../storage/records.ts";
import { perDocument, type OpenApiDocument } from "../../spec-model/openapi-document.ts";

/** Limits of one attachment type. */
export interface AttachmentTypeLimits {
  maxBytes: number;
  fetchTimeoutMs: number;
}

/** Limits by attachment type, and the largest size of any type (the bound of a file whose type is not known yet). */
export interface AttachmentLimits {
  byType: Record<AttachmentType, AttachmentTypeLimits>;
  maxBytesAny: number;
}

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`x-attachment-limits: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The limits a spec states; throws when a type of the AttachmentType enum has none. */
export const attachmentLimits: (doc: OpenApiDocument) => AttachmentLimits = perDocument((doc) => {
  const schema = doc.components?.schemas?.AttachmentType as
    | { enum?: string[]; "x-attachment-limits"?: Record<string, Record<string, unknown>> }
    | undefined;
  const declared = schema?.["x-attachment-limits"] ?? {};
  const byType = {} as Record<AttachmentType, AttachmentTypeLimits>;
  for (const type of schema?.enum ?? []) {
    const limits = declared[type];
    if (!limits) throw new Error(`x-attachment-limits has no limits for attachment type ${type}`);
    byType[type as AttachmentType] = {
      maxBytes: positiveInteger(limits["max-bytes"], `${type}.max-bytes`),
      fetchTimeoutMs: positiveInteger(limits["fetch-timeout-ms"], `${type}.fetch-timeout-ms`),
    };
  }
  const sizes = Object.values(byType).map((limits) => limits.maxBytes);
  if (sizes.length === 0) throw new Error("The spec's AttachmentType schema lists no types with x-attachment-limits");
  return { byType, maxBytesAny: Math.max(...sizes) };
});
