/**
 * The development page (generated when MESSENGER_PAGES is unset) is kept in the data directory, so that its id and
 * page access token stay the same across restarts and scripts need not read the log each time. Only the page id and
 * the sha256 of the token are stored: tokens are never at rest in clear. The token is therefore printed once, at the
 * first start on a data directory; later starts accept it but cannot show it again.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { ServerConfig } from "../config.ts";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * The configuration with the development page this data directory already has, when the configuration asked for a
 * generated one: on the first start the freshly generated page is recorded (and its token stays in `pages`, to be
 * printed); on later starts it is replaced by the recorded page, known by its token's hash only.
 */
export function withPersistedDevPage(config: ServerConfig, db: Database.Database): ServerConfig {
  if (!config.messenger.generatedDevPage) return config;
  db.exec(`
    CREATE TABLE IF NOT EXISTS dev_page (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      page_id TEXT NOT NULL,
      token_sha256 BLOB NOT NULL
    );
  `);
  const recorded = db.prepare("SELECT page_id, token_sha256 FROM dev_page WHERE one = 1").get() as
    | { page_id: string; token_sha256: Buffer }
    | undefined;
  if (!recorded) {
    const [entry] = Object.entries(config.messenger.pages);
    if (!entry) return config;
    const [pageId, token] = entry;
    db.prepare("INSERT INTO dev_page (one, page_id, token_sha256) VALUES (1, ?, ?)").run(pageId, sha256(token));
    return config;
  }
  return {
    ...config,
    messenger: { ...config.messenger, pages: {}, pageTokenHashes: { [recorded.page_id]: recorded.token_sha256 } },
  };
}
