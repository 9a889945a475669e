// Passwords are stored as `scrypt$N$r$p$salt$key` at the configured cost (WA_PASSWORD_HASH_COST): the parameters
// travel with each hash, so a password hashed at one cost still verifies after the server's cost changes.
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../../server/storage/memory/memory-storage.ts";
import { systemClock } from "../../../server/clock.ts";
import {
  DEFAULT_PASSWORD_HASH_COST,
  dummyHash,
  hashPassword,
  passwordDerivations,
  verifyPassword,
} from "../../../server/users/password-hash.ts";
import { UserStore } from "../../../server/users/user-store.ts";

const N = (stored: string) => Number(stored.split("$")[1]);

describe("password hashes", () => {
  it("carry their cost: 2^14 by default, 2^10 when asked", async () => {
    expect(DEFAULT_PASSWORD_HASH_COST).toBe(14);
    const strong = await hashPassword("Some-Passw0rd!");
    const cheap = await hashPassword("Some-Passw0rd!", 10);
    expect(strong).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(N(cheap)).toBe(1024);
    for (const stored of [strong, cheap]) {
      expect(await verifyPassword("Some-Passw0rd!", stored)).toBe(true);
      expect(await verifyPassword("Some-Passw0rd?", stored)).toBe(false);
    }
  });

  it("a stand-in for unknown users matches no password and costs one derivation at the given cost", async () => {
    const stand = dummyHash(12);
    expect(N(stand)).toBe(4096);
    expect(dummyHash()).not.toBe(dummyHash());
    const before = passwordDerivations();
    expect(await verifyPassword("", stand)).toBe(false);
    expect(passwordDerivations() - before).toBe(1);
  });

  it("a user store hashes at its cost, and verifies hashes made at another", async () => {
    const storage = createMemoryStorage();
    const strong = new UserStore(storage.users, systemClock, { adminPassword: "Adm1n!pass" });
    expect(await strong.create("alice", "Alice-Passw0rd!", "ROLE_USER")).toBe(true);
    const cheap = new UserStore(storage.users, systemClock, { passwordHashCost: 10 });
    expect(await cheap.create("bob", "Bob-Passw0rd!", "ROLE_USER")).toBe(true);
    expect(N((await storage.users.find("admin"))!.passwordHash)).toBe(16384);
    expect(N((await storage.users.find("alice"))!.passwordHash)).toBe(16384);
    expect(N((await storage.users.find("bob"))!.passwordHash)).toBe(1024);
    expect(await cheap.authenticate("alice", "Alice-Passw0rd!")).toMatchObject({ username: "alice" });
    expect(await strong.authenticate("bob", "Bob-Passw0rd!")).toMatchObject({ username: "bob" });
    expect(await cheap.authenticate("admin", "wrong")).toBeUndefined();
    await storage.close();
  });
});
