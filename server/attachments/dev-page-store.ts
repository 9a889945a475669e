/**
 * The development page (generated when MESSENGER_PAGES is unset) is kept in the storage, so that its id and page
 * access token stay the same across restarts, and on every instance sharing a database, and scripts need not read
 * the log each time. Only the page id and the sha256 of the token are stored: tokens are never at rest in clear.
 * The token is therefore printed once, by the start that recorded the page; later starts (and the other instances)
 * accept it but cannot show it again.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ServerConfig } from "../config.ts";
import type { DevPageRecords } from "../storage/records.ts";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * The configuration with the development page the storage already has, when the configuration asked for a
 * generated one: the start that records the freshly generated page keeps its token in `pages` (to be printed);
 * every other start gets the recorded page, known by its token's hash only.
 */
export async function withPersistedDevPage(config: ServerConfig, records: DevPageRecords): Promise<ServerConfig> {
  if (!config.messenger.generatedDevPage) return config;
  const [entry] = Object.entries(config.messenger.pages);
  if (!entry) return config;
  const [pageId, token] = entry;
  const candidate = { pageId, tokenSha256: sha256(token) };
  const recorded = await records.recordOnce(candidate);
  // Ours when it is the page just generated (a fresh id and token: another start cannot have generated the same).
  if (recorded.pageId === pageId && timingSafeEqual(recorded.tokenSha256, candidate.tokenSha256)) return config;
  return {
    ...config,
    messenger: { ...config.messenger, pages: {}, pageTokenHashes: { [recorded.pageId]: recorded.tokenSha256 } },
  };
}
