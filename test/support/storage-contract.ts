/**
 * The storage contract (server/storage/records.ts, storage.ts): what every adapter stores, finds, refuses and does
 * under concurrency, so that the emulator (memory), one server (SQLite) and several instances (PostgreSQL) behave
 * alike. test/server/storage/records.test.ts runs it on memory and SQLite,
 * test/server/storage/postgres/storage.postgres.ts on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginAttemptKey } from "../../server/storage/records.ts";
import type { Storage } from "../../server/storage/storage.ts";

/** Opens a fresh, empty storage; the contract closes it. */
export type StorageFactory = () => Promise<Storage>;

const hash = (byte: number) => Buffer.alloc(32, byte);
const key = (byte: number, keep = 10): LoginAttemptKey => ({ key: Buffer.alloc(16, byte), keep });
const attachment = (id: string, blobId: string, expiresAt: number) => ({
  id,
  pageId: "1",
  type: "image" as const,
  isReusable: true,
  createdAt: new Date(expiresAt - 1000),
  expiresAt: new Date(expiresAt),
  blobId,
  size: 3,
  sha256: "0".repeat(64),
  mimeType: "image/png",
  source: "url" as const,
});

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

/** Runs the contract on the storages `open` makes. */
export function storageContract(name: string, open: StorageFactory): void {
  describe(`the storage contract on ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });

    it("stores users by name, refuses a second of the same name, changes hashes and deletes", async () => {
      const users = storage.users;
      const alice = { username: "alice", role: "ROLE_USER" as const, passwordHash: "h1", mustChangePassword: true };
      expect(await users.insert(alice)).toBe(true);
      expect(await users.insert({ ...alice, role: "ROLE_ADMIN" })).toBe(false);
      expect(await users.find("alice")).toEqual(alice);
      await users.setPasswordHash("alice", "h2");
      expect(await users.find("alice")).toEqual({ ...alice, passwordHash: "h2", mustChangePassword: false });
      expect(await users.delete("alice")).toBe(true);
      expect(await users.delete("alice")).toBe(false);
      expect(await users.find("alice")).toBeUndefined();
    });

    it("inserts a user once when many try at the same time", async () => {
      const user = { username: "eve", role: "ROLE_USER" as const, passwordHash: "h", mustChangePassword: false };
      const results = await Promise.all(Array.from({ length: 8 }, () => storage.users.insert(user)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("finds tokens by hash with their user, drops expired ones on insert and a user's with it", async () => {
      const users = storage.users;
      await users.insert({ username: "bob", role: "ROLE_ADMIN", passwordHash: "h", mustChangePassword: false });
      await users.insertToken({ tokenHash: hash(1), username: "bob", expiresAt: 1000 }, 0);
      expect(await users.findToken(hash(1))).toEqual({
        tokenHash: hash(1),
        username: "bob",
        role: "ROLE_ADMIN",
        mustChangePassword: false,
        expiresAt: 1000,
      });
      await users.insertToken({ tokenHash: hash(2), username: "bob", expiresAt: 5000 }, 1000);
      expect(await users.findToken(hash(1))).toBeUndefined();
      await users.deleteToken(hash(2));
      expect(await users.findToken(hash(2))).toBeUndefined();
      await users.insertToken({ tokenHash: hash(3), username: "bob", expiresAt: 5000 }, 1000);
      await users.delete("bob");
      expect(await users.findToken(hash(3))).toBeUndefined();
    });

    it("revokes every token of a user whose password changes", async () => {
      const users = storage.users;
      await users.insert({ username: "carol", role: "ROLE_USER", passwordHash: "h", mustChangePassword: false });
      await users.insert({ username: "dave", role: "ROLE_USER", passwordHash: "h", mustChangePassword: false });
      await users.insertToken({ tokenHash: hash(4), username: "carol", expiresAt: 5000 }, 0);
      await users.insertToken({ tokenHash: hash(5), username: "carol", expiresAt: 5000 }, 0);
      await users.insertToken({ tokenHash: hash(6), username: "dave", expiresAt: 5000 }, 0);
      await users.setPasswordHash("carol", "h2");
      expect(await users.findToken(hash(4))).toBeUndefined();
      expect(await users.findToken(hash(5))).toBeUndefined();
      expect((await users.findToken(hash(6)))?.username).toBe("dave");
    });

    it("stores, finds, lists existing ids of and removes media records, refusing a second of one id", async () => {
      const media = storage.media;
      const record = { id: "a", contentType: "image/png", size: 3, sha256: "00", createdAt: new Date(1_000) };
      await media.add(record);
      await expect(media.add(record)).rejects.toThrow();
      expect(await media.get("a")).toEqual(record);
      expect(await media.existingIds(["a", "b"])).toEqual(new Set(["a"]));
      expect(await media.existingIds([])).toEqual(new Set());
      expect(await media.remove("a")).toBe(true);
      expect(await media.remove("a")).toBe(false);
      expect(await media.get("a")).toBeUndefined();
    });

    it("keeps one settings document, replaced whole, as a copy", async () => {
      const settings = storage.settings;
      expect(await settings.read()).toBeUndefined();
      const doc = { webhooks: { url: "https://x.example" }, sent_status: true };
      await settings.update((stored) => {
        expect(stored).toBeUndefined();
        return doc;
      });
      doc.sent_status = false;
      expect(await settings.read()).toEqual({ webhooks: { url: "https://x.example" }, sent_status: true });
      await settings.update((stored) => ({ ...(stored as object), heartbeat_interval: 7 }));
      expect(await settings.read()).toEqual({
        webhooks: { url: "https://x.example" },
        sent_status: true,
        heartbeat_interval: 7,
      });
      await settings.clear();
      expect(await settings.read()).toBeUndefined();
    });

    it("writes nothing when a settings change throws", async () => {
      await storage.settings.update(() => ({ sent_status: true }));
      const refusal = new Error("not that");
      await expect(
        storage.settings.update(() => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      expect(await storage.settings.read()).toEqual({ sent_status: true });
    });

    it("applies concurrent settings updates one after the other, none lost", async () => {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          storage.settings.update((stored) => {
            const count = (stored as { heartbeat_interval?: number } | undefined)?.heartbeat_interval ?? 0;
            return { heartbeat_interval: count + 1 };
          }),
        ),
      );
      expect(await storage.settings.read()).toEqual({ heartbeat_interval: 20 });
    });

    it("creates or replaces providers by name, lists them by name and removes them", async () => {
      const providers = storage.providers;
      await providers.put({ name: "zeta", type: "www", config: { bearer: "t1" } });
      await providers.put({ name: "alpha", type: "www", config: { basic: { username: "u", password: "p" } } });
      await providers.put({ name: "zeta", type: "www", config: { bearer: "t2" } });
      await providers.put({ name: "Beta", type: "www", config: { bearer: "t3" } });
      expect(await providers.list()).toEqual([
        { name: "Beta", type: "www", config: { bearer: "t3" } },
        { name: "alpha", type: "www", config: { basic: { username: "u", password: "p" } } },
        { name: "zeta", type: "www", config: { bearer: "t2" } },
      ]);
      expect(await providers.remove("zeta")).toBe(true);
      expect(await providers.remove("zeta")).toBe(false);
      expect((await providers.list()).map((p) => p.name)).toEqual(["Beta", "alpha"]);
    });

    it("stores attachments and messages; expired ones that no message names give up their bytes", async () => {
      const records = storage.attachments;
      await records.insert(attachment("1000000000000001", "1000000000000001", 5_000));
      await records.insert(attachment("1000000000000002", "1000000000000002", 6_000));
      await records.insert(attachment("1000000000000003", "1000000000000003", 9_000));
      await expect(records.insert(attachment("1000000000000001", "x", 1))).rejects.toThrow();
      expect(await records.exists("1000000000000001")).toBe(true);
      expect(await records.exists("1000000000000009")).toBe(false);
      expect(await records.get("1000000000000002")).toEqual(attachment("1000000000000002", "1000000000000002", 6_000));
      expect(await records.existingBlobIds(["1000000000000001", "9"])).toEqual(new Set(["1000000000000001"]));
      const message = {
        id: "m_1",
        pageId: "1",
        recipientId: "42",
        attachmentId: "1000000000000002",
        createdAt: new Date(5_500),
      };
      await records.insertMessage(message);
      await expect(records.insertMessage({ ...message, id: "m_2", attachmentId: "123" })).rejects.toThrow();
      expect(await records.getMessage("m_1")).toEqual(message);
      expect(await records.getMessage("m_2")).toBeUndefined();
      expect(await records.expiredBlobIds(10_000, 10)).toEqual(["1000000000000001", "1000000000000003"]);
      expect(await records.expiredBlobIds(10_000, 1)).toEqual(["1000000000000001"]);
      await records.markBlobRemoved("1000000000000001");
      expect(await records.expiredBlobIds(10_000, 10)).toEqual(["1000000000000003"]);
      expect((await records.get("1000000000000001"))?.id).toBe("1000000000000001");
    });

    it("records one development page, whoever asks first, and gives it back to everyone", async () => {
      const pages = Array.from({ length: 6 }, (_, i) => ({ pageId: `10${i}`, tokenSha256: hash(20 + i) }));
      const recorded = await Promise.all(pages.map((page) => storage.devPage.recordOnce(page)));
      const first = recorded[0]!;
      expect(pages).toContainEqual(first);
      for (const page of recorded) expect(page).toEqual(first);
      expect(await storage.devPage.recordOnce({ pageId: "999", tokenSha256: hash(99) })).toEqual(first);
    });

    it("counts login attempts per key: pending until settled, failures kept, successes forgotten", async () => {
      const attempts = storage.loginAttempts;
      const admitted = await attempts.admit("a1", [key(1), key(2)], 0, 100, () => undefined);
      expect(admitted).toBeUndefined();
      expect(await attempts.list([key(1), key(2), key(3)], 0)).toEqual([
        [{ at: 100, pending: true }],
        [{ at: 100, pending: true }],
        [],
      ]);
      await attempts.settle("a1", true, 150);
      await attempts.admit("a2", [key(1)], 0, 200, () => undefined);
      await attempts.settle("a2", false, 250);
      expect(await attempts.list([key(1), key(2)], 0)).toEqual([
        [{ at: 150, pending: false }],
        [{ at: 150, pending: false }],
      ]);
      // A refusal records nothing, and `decide` sees what `list` would.
      const seen: unknown[] = [];
      const refusal = await attempts.admit("a3", [key(1), key(2)], 0, 300, (lists) => {
        seen.push(lists);
        return 5000;
      });
      expect(refusal).toBe(5000);
      expect(seen).toEqual([[[{ at: 150, pending: false }], [{ at: 150, pending: false }]]]);
      expect(await attempts.list([key(1)], 151)).toEqual([[]]);
      await attempts.prune(151);
      expect(await attempts.list([key(1), key(2)], 0)).toEqual([[], []]);
    });

    it("lists at least the newest `keep` attempts of a key, oldest first", async () => {
      const attempts = storage.loginAttempts;
      for (let i = 0; i < 8; i++) {
        await attempts.admit(`k${i}`, [key(4, 3)], 0, 1000 + i, () => undefined);
        await attempts.settle(`k${i}`, true, 2000 + i);
      }
      const [listed] = await attempts.list([key(4, 3)], 0);
      expect(listed!.length).toBeGreaterThanOrEqual(3);
      expect(listed!.slice(-3)).toEqual([2005, 2006, 2007].map((at) => ({ at, pending: false })));
      expect(listed!.map((a) => a.at)).toEqual([...listed!.map((a) => a.at)].sort((a, b) => a - b));
    });

    it("admits login attempts under a lock: of a concurrent burst, only as many as `decide` allows", async () => {
      const attempts = storage.loginAttempts;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          attempts.admit(`b${i}`, [key(5), key(6)], 0, 500, ([first]) => (first!.length < 3 ? undefined : 1000)),
        ),
      );
      expect(results.filter((r) => r === undefined)).toHaveLength(3);
      const [five, six] = await attempts.list([key(5), key(6)], 0);
      expect(five).toHaveLength(3);
      expect(six).toHaveLength(3);
    });

    it("runs a named task alone: a second run while the first is going is skipped", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = storage.runAlone("sweep", async () => {
        await gate;
        return "first";
      });
      // Give the first run time to take the task before the second asks.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await storage.runAlone("sweep", async () => "second")).toBeUndefined();
      expect(await storage.runAlone("other", async () => "other")).toBe("other");
      release();
      expect(await first).toBe("first");
      expect(await storage.runAlone("sweep", async () => "third")).toBe("third");
    });

    it("holds blobs in its media and attachment folders", async () => {
      await storage.mediaBlobs.write("m1", bytes("media"), { maxBytes: 100 });
      await storage.attachmentBlobs.write("a1", bytes("attachment"), { maxBytes: 100 });
      expect(await storage.mediaBlobs.list()).toEqual(["m1"]);
      expect(await storage.attachmentBlobs.list()).toEqual(["a1"]);
      expect((await storage.mediaBlobs.open("m1"))?.size).toBe(5);
    });
  });
}
