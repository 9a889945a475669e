// The storage contract (test/support/storage-contract.ts) and the attachment store's rules on PostgreSQL: the same
// cases as on memory and SQLite (test/server/storage/records.test.ts,
// test/server/attachments/attachment-store.test.ts); then what only a shared database has: a task run by one instance
// at a time, and the schema's version.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { EXPIRY_SWEEP_TASK } from "../../../../server/attachments/attachment-expiry.ts";
import { openPostgresStorage } from "../../../../server/storage/postgres/postgres-storage.ts";
import { SCHEMA_VERSION, SchemaVersionError } from "../../../../server/storage/postgres/schema.ts";
import { attachmentStoreContract } from "../../../support/attachment-store-contract.ts";
import { storageContract } from "../../../support/storage-contract.ts";
import { freshDatabase, temporaryPostgresStorage } from "../../../support/postgres-database.ts";

storageContract("PostgreSQL", temporaryPostgresStorage);
attachmentStoreContract("PostgreSQL", temporaryPostgresStorage);

describe("PostgreSQL storage across instances", () => {
  it("runs a named task on one instance at a time: another instance's storage skips it meanwhile", async () => {
    const databaseUrl = await freshDatabase("alone");
    const mediaDir = await mkdtemp(path.join(os.tmpdir(), "pg-alone-"));
    const [one, two] = await Promise.all([
      openPostgresStorage({ databaseUrl, mediaDir }),
      openPostgresStorage({ databaseUrl, mediaDir }),
    ]);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started!: () => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const first = one.runAlone(EXPIRY_SWEEP_TASK, async () => {
        started();
        await gate;
        return 1;
      });
      await running;
      expect(await two.runAlone(EXPIRY_SWEEP_TASK, async () => 2)).toBeUndefined();
      release();
      expect(await first).toBe(1);
      expect(await two.runAlone(EXPIRY_SWEEP_TASK, async () => 2)).toBe(2);
    } finally {
      await Promise.all([one.close(), two.close()]);
      await rm(mediaDir, { recursive: true, force: true });
    }
  });

  it("lets a task run alone use the records even with a pool of one connection (DATABASE_POOL_MAX=1)", async () => {
    const databaseUrl = await freshDatabase("pool");
    const mediaDir = await mkdtemp(path.join(os.tmpdir(), "pg-pool-"));
    const storage = await openPostgresStorage({ databaseUrl, mediaDir, poolMax: 1 });
    try {
      const found = await storage.runAlone(EXPIRY_SWEEP_TASK, () => storage.attachments.expiredBlobIds(0, 10));
      expect(found).toEqual([]);
    } finally {
      await storage.close();
      await rm(mediaDir, { recursive: true, force: true });
    }
  });

  it("refuses a database whose schema is newer than this server's, and upgrades nothing", async () => {
    const databaseUrl = await freshDatabase("newer");
    const mediaDir = await mkdtemp(path.join(os.tmpdir(), "pg-newer-"));
    try {
      await (await openPostgresStorage({ databaseUrl, mediaDir })).close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query("UPDATE schema_version SET version = $1", [SCHEMA_VERSION + 1]);
      await client.end();
      await expect(openPostgresStorage({ databaseUrl, mediaDir })).rejects.toThrow(
        new SchemaVersionError(
          `its schema is at version ${SCHEMA_VERSION + 1}, newer than this server's ${SCHEMA_VERSION}: ` +
            "run a newer server",
        ),
      );
    } finally {
      await rm(mediaDir, { recursive: true, force: true });
    }
  });
});
