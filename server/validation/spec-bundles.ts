/**
 * The bundled descriptions in generated/: the combined one (both API families, what the server, the types, Prism and
 * the docs use), one per API family (each with its own top-level `servers`, for client generators), and a Messenger
 * variant whose `uploadAttachment` takes only `multipart/form-data` (for generators that pick one request media type).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The API families an operation can declare in `x-api-family`. */
export const apiFamilies = ["whatsapp", "messenger"] as const;
export type ApiFamily = (typeof apiFamilies)[number];

/** Which bundle: one family, or both. */
export type BundleScope = ApiFamily | "all";

/** Folder of the generated files (the repository's generated/, or dist/generated/ in the package). */
export const generatedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../generated");

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
