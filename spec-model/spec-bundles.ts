/**
 * The bundled descriptions in generated/: the combined one (both API families, what the server, the types, Prism and
 * the API docs use), one per API family (each with its own top-level `servers`, for client generators), and a Messenger
 * variant whose `uploadAttachment` takes only `multipart/form-data` (for generators that pick one request media type).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getOperation, type OpenApiDocument, type OperationObject } from "./openapi-document.ts";

/** The API families an operation can declare in `x-api-family`. */
export const apiFamilies = ["whatsapp", "messenger"] as const;
export type ApiFamily = (typeof apiFamilies)[number];

/**
 * The family an operation declares in `x-api-family` (`where` names it in the error); throws when it declares none.
 * The server's registrar serves any family it is given one for; the bundles and the suite know `apiFamilies`.
 */
export function declaredFamily(operation: OperationObject, where: string): string {
  const family = (operation as { "x-api-family"?: unknown })["x-api-family"];
  if (typeof family !== "string") throw new Error(`${where} declares no x-api-family`);
  return family;
}

/** The family an operation declares, one of `apiFamilies`; throws for any other. */
export function knownFamily(operation: OperationObject, where: string): ApiFamily {
  const family = declaredFamily(operation, where);
  if (!apiFamilies.includes(family as ApiFamily))
    throw new Error(`${where} declares no known x-api-family (${family}; known: ${apiFamilies.join(", ")})`);
  return family as ApiFamily;
}

/** The family of an operation of a document (default: the bundle), by its operationId. */
export function familyOf(operationId: string, doc?: OpenApiDocument): ApiFamily {
  return knownFamily(getOperation(operationId, doc).operation, operationId);
}

/** Which bundle: one family, or both. */
export type BundleScope = ApiFamily | "all";

/** Folder of the generated files (the repository's generated/, or dist/generated/ in the package). */
export const generatedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../generated");

/** File name of each bundle in generated/, also its path on the reference server (`/<name>`). */
export const bundleFileNames = {
  all: "openapi.json",
  whatsapp: "whatsapp.openapi.json",
  messenger: "messenger.openapi.json",
  messengerMultipart: "messenger.multipart.openapi.json",
} as const;

/** Absolute path of the bundle of a scope. */
export function scopeBundlePath(scope: BundleScope): string {
  return path.join(generatedDir, bundleFileNames[scope]);
}
