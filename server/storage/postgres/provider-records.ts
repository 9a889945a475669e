/** Media providers in PostgreSQL, by name. */
import type { Pool } from "pg";
import type { MediaProvider, ProviderRecords } from "../records.ts";

const LIST = {
  name: "providers-list",
  text: 'SELECT name, type, config FROM media_providers ORDER BY name COLLATE "C"',
};
const PUT = {
  name: "providers-put",
  text: `INSERT INTO media_providers (name, type, config) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, config = excluded.config`,
};
const REMOVE = { name: "providers-remove", text: "DELETE FROM media_providers WHERE name = $1" };

/** The `media_providers` table. */
export class PostgresProviderRecords implements ProviderRecords {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<MediaProvider[]> {
    const rows = (await this.pool.query<{ name: string; type: "www"; config: string }>(LIST)).rows;
    return rows.map((r) => ({ name: r.name, type: r.type, config: JSON.parse(r.config) as MediaProvider["config"] }));
  }

  async put(provider: MediaProvider): Promise<void> {
    await this.pool.query({ ...PUT, values: [provider.name, provider.type, JSON.stringify(provider.config)] });
  }

  async remove(name: string): Promise<boolean> {
    return (await this.pool.query({ ...REMOVE, values: [name] })).rowCount === 1;
  }
}
