/**
 * Media providers' secrets must be usable to fetch media by link, so they cannot be hashed; they never leave the
 * server again: every read is masked.
 */
import type { components } from "../../generated/openapi.d.ts";

export type MediaProvider = components["schemas"]["MediaProvider"];
export type MediaProviderMasked = components["schemas"]["MediaProviderMasked"];

/** What a secret reads as. */
export const MASK = "********";

/** A provider with its secrets replaced by the mask. */
export function maskProvider(p: MediaProvider): MediaProviderMasked {
  const config =
    "bearer" in p.config ? { bearer: MASK } : { basic: { username: p.config.basic.username, password: MASK } };
  return { name: p.name, type: p.type, config } as MediaProviderMasked;
}
