// The record interfaces (server/storage/records.ts) hold the same contract on both adapters: what SQLite stores and
// finds, the in-memory adapter stores and finds too, so the emulator behaves like the server.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  MemoryMediaRecords,
  MemoryProviderRecords,
  MemorySettingsRecords,
  MemoryUserRecords,
} from "../../server/storage/memory/memory-records.ts";
import type { MediaRecords, ProviderRecords, SettingsRecords, UserRecords } from "../../server/storage/records.ts";
import { SqliteMediaRecords } from "../../server/storage/sqlite/media-records.ts";
import { SqliteProviderRecords } from "../../server/storage/sqlite/provider-records.ts";
import { SqliteSettingsRecords } from "../../server/storage/sqlite/settings-records.ts";
import { SqliteUserRecords } from "../../server/storage/sqlite/user-records.ts";

let db: Database.Database;
beforeEach(() => {
  db = new Database(":memory:");
});
afterEach(() => db.close());

const hash = (byte: number) => Buffer.alloc(32, byte);

describe.each<[string, () => UserRecords]>([
  ["SQLite", () => new SqliteUserRecords(db)],
  ["memory", () => new MemoryUserRecords()],
])("user records on %s", (_name, make) => {
  it("store users by name, refuse a second of the same name, change hashes and delete", () => {
    const users = make();
    const alice = { username: "alice", role: "ROLE_USER" as const, passwordHash: "h1", mustChangePassword: true };
    expect(users.insert(alice)).toBe(true);
    expect(users.insert({ ...alice, role: "ROLE_ADMIN" })).toBe(false);
    expect(users.find("alice")).toEqual(alice);
    users.setPasswordHash("alice", "h2");
    expect(users.find("alice")).toEqual({ ...alice, passwordHash: "h2", mustChangePassword: false });
    expect(users.delete("alice")).toBe(true);
    expect(users.delete("alice")).toBe(false);
    expect(users.find("alice")).toBeUndefined();
  });

  it("find tokens by hash with their user, drop expired ones on insert, and drop a user's tokens with it", () => {
    const users = make();
    users.insert({ username: "bob", role: "ROLE_ADMIN", passwordHash: "h", mustChangePassword: false });
    users.insertToken({ tokenHash: hash(1), username: "bob", expiresAt: 1000 }, 0);
    expect(users.findToken(hash(1))).toEqual({
      tokenHash: hash(1),
      username: "bob",
      role: "ROLE_ADMIN",
      mustChangePassword: false,
      expiresAt: 1000,
    });
    users.insertToken({ tokenHash: hash(2), username: "bob", expiresAt: 5000 }, 1000);
    expect(users.findToken(hash(1))).toBeUndefined();
    users.deleteToken(hash(2));
    expect(users.findToken(hash(2))).toBeUndefined();
    users.insertToken({ tokenHash: hash(3), username: "bob", expiresAt: 5000 }, 1000);
    users.delete("bob");
    expect(users.findToken(hash(3))).toBeUndefined();
  });

  it("revoke every token of a user whose password changes", () => {
    const users = make();
    users.insert({ username: "carol", role: "ROLE_USER", passwordHash: "h", mustChangePassword: false });
    users.insert({ username: "dave", role: "ROLE_USER", passwordHash: "h", mustChangePassword: false });
    users.insertToken({ tokenHash: hash(4), username: "carol", expiresAt: 5000 }, 0);
    users.insertToken({ tokenHash: hash(5), username: "carol", expiresAt: 5000 }, 0);
    users.insertToken({ tokenHash: hash(6), username: "dave", expiresAt: 5000 }, 0);
    users.setPasswordHash("carol", "h2");
    expect(users.findToken(hash(4))).toBeUndefined();
    expect(users.findToken(hash(5))).toBeUndefined();
    expect(users.findToken(hash(6))?.username).toBe("dave");
  });
});

describe.each<[string, () => MediaRecords]>([
  ["SQLite", () => new SqliteMediaRecords(db)],
  ["memory", () => new MemoryMediaRecords()],
])("media records on %s", (_name, make) => {
  it("store, find, list existing ids and remove", () => {
    const media = make();
    const record = { id: "a", contentType: "image/png", size: 3, sha256: "00", createdAt: new Date(1_000) };
    media.add(record);
    expect(() => media.add(record)).toThrow();
    expect(media.get("a")).toEqual(record);
    expect(media.existingIds(["a", "b"])).toEqual(new Set(["a"]));
    expect(media.remove("a")).toBe(true);
    expect(media.remove("a")).toBe(false);
    expect(media.get("a")).toBeUndefined();
  });
});

describe.each<[string, () => SettingsRecords]>([
  ["SQLite", () => new SqliteSettingsRecords(db)],
  ["memory", () => new MemorySettingsRecords()],
])("settings records on %s", (_name, make) => {
  it("keep one document, written whole, as a copy", () => {
    const settings = make();
    expect(settings.read()).toBeUndefined();
    const doc = { webhooks: { url: "https://x.example" }, sent_status: true };
    settings.write(doc);
    doc.sent_status = false;
    expect(settings.read()).toEqual({ webhooks: { url: "https://x.example" }, sent_status: true });
    settings.clear();
    expect(settings.read()).toBeUndefined();
  });
});

describe.each<[string, () => ProviderRecords]>([
  ["SQLite", () => new SqliteProviderRecords(db)],
  ["memory", () => new MemoryProviderRecords()],
])("provider records on %s", (_name, make) => {
  it("create or replace by name, list by name, remove", () => {
    const providers = make();
    providers.put({ name: "zeta", type: "www", config: { bearer: "t1" } });
    providers.put({ name: "alpha", type: "www", config: { basic: { username: "u", password: "p" } } });
    providers.put({ name: "zeta", type: "www", config: { bearer: "t2" } });
    expect(providers.list()).toEqual([
      { name: "alpha", type: "www", config: { basic: { username: "u", password: "p" } } },
      { name: "zeta", type: "www", config: { bearer: "t2" } },
    ]);
    expect(providers.remove("zeta")).toBe(true);
    expect(providers.remove("zeta")).toBe(false);
    expect(providers.list().map((p) => p.name)).toEqual(["alpha"]);
  });
});
