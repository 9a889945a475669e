/**
 * The spec as the conformance suite reads it: the bundle (generated/openapi.json), its operations, the ajv set of its
 * schemas and media-type matching. These are the very modules the reference server reads the spec with (one reading
 * of the spec for both); this file is the suite's only door to them, so that the suite never reaches into the
 * server's handlers or storage.
 */
import { getOperation } from "../server/validation/openapi-document.ts";
import type { ApiFamily } from "../server/validation/spec-bundles.ts";

export { mediaTypeMatches, mediaTypeSpecificity, parseMediaType } from "../server/edge/content-type.ts";
export { createOpenApiAjv, describeAjvErrors, type OpenApiAjv } from "../server/validation/openapi-ajv.ts";
export {
  bundlePath,
  deref,
  getOperation,
  listOperations,
  loadOpenApiDocument,
  resolvePointer,
  type JsonSchema,
  type OpenApiDocument,
  type ResponseObject,
  type SpecOperation,
} from "../server/validation/openapi-document.ts";
export { packageBin } from "../server/docs/docs-build.ts";

// The API families of the spec (`x-api-family` on every operation), in the order the tool names them: the same list
// the per-family bundles are built from.
export { apiFamilies as API_FAMILIES, type ApiFamily } from "../server/validation/spec-bundles.ts";

/** The family an operation belongs to, as its `x-api-family` says; it decides base URL, envelope and credentials. */
export function familyOf(operationId: string): ApiFamily {
  const family = (getOperation(operationId).operation as { "x-api-family"?: unknown })["x-api-family"];
  if (family !== "whatsapp" && family !== "messenger")
    throw new Error(`${operationId} declares no x-api-family (whatsapp | messenger)`);
  return family;
}

/**
 * A path parameter's name reduced to its letters and digits, lower-cased: `media-id`, `media_id` and `mediaId` are
 * one key, so that the suite's values find their parameter whatever spelling the spec uses.
 */
export function paramKey(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
}
