// The storage contract (test/support/storage-contract.ts) on the adapters that need no database server: memory (the
// emulator) and SQLite (one server). test/server/storage/postgres/storage.postgres.ts runs the same contract on
// PostgreSQL.
import { localAdapters } from "../../support/storage-adapters.ts";
import { storageContract } from "../../support/storage-contract.ts";

for (const [name, open] of localAdapters) storageContract(name, open);
