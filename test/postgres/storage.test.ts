// The storage contract (test/storage/storage-contract.ts) and the attachment store's rules on PostgreSQL: the same
// cases as on memory and SQLite (test/storage/records.test.ts, test/attachments/attachment-store.test.ts).
import { attachmentStoreContract } from "../attachments/attachment-store-contract.ts";
import { storageContract } from "../storage/storage-contract.ts";
import { temporaryPostgresStorage } from "./database.ts";

storageContract("PostgreSQL", temporaryPostgresStorage);
attachmentStoreContract("PostgreSQL", temporaryPostgresStorage);
