// The storage contract (test/storage/storage-contract.ts) on the adapters that need no database server: memory (the
// emulator) and SQLite (one server). test/postgres/storage.test.ts runs the same contract on PostgreSQL.
import { localAdapters } from "./storage-adapters.ts";
import { storageContract } from "./storage-contract.ts";

for (const [name, open] of localAdapters) storageContract(name, open);
