/** The generated Messenger development page in PostgreSQL: the first instance to record one wins. */
import type { Pool } from "pg";
import type { DevPageRecord, DevPageRecords } from "../records.ts";

/** The `dev_page` table (one row). */
export class PostgresDevPageRecords implements DevPageRecords {
  constructor(private readonly pool: Pool) {}

  async recordOnce(candidate: DevPageRecord): Promise<DevPageRecord> {
    await this.pool.query(
      "INSERT INTO dev_page (one, page_id, token_sha256) VALUES (1, $1, $2) ON CONFLICT (one) DO NOTHING",
      [candidate.pageId, candidate.tokenSha256],
    );
    // A statement of its own: its snapshot sees the row another instance committed while the insert waited for it.
    const row = (
      await this.pool.query<{ page_id: string; token_sha256: Buffer }>(
        "SELECT page_id, token_sha256 FROM dev_page WHERE one = 1",
      )
    ).rows[0]!;
    return { pageId: row.page_id, tokenSha256: row.token_sha256 };
  }
}
