import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { ENVIRONMENT_ALIASES } from "../../server/environment.ts";

const base = { MESSENGER_PAGES: '{"1234567890":"page-token-1234"}' };

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({ ...base });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      dataDir: path.resolve("./data"),
      mediaMaxBytes: 100 * 1024 * 1024,
      apiVersion: "3.0.1",
    });
    expect(config.adminPassword).toBeUndefined();
    expect(config.mediaVolumeMaxBytes).toBeUndefined();
    expect(config.messenger.pages).toEqual({ "1234567890": "page-token-1234" });
    expect(config.loginThrottle).toEqual({ maxFailuresPerAddress: 30, maxFailuresPerUser: 100, windowSeconds: 900 });
    expect(config.passwordHashCost).toBe(14);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      ...base,
      HOST: "::1",
      PORT: "0",
      DATA_DIR: "/tmp/wa-data",
      WA_ADMIN_PASSWORD: "Adm1n!pass",
      WA_ID: "15550001111",
      WA_MEDIA_MAX_BYTES: "1048576",
      WA_MEDIA_VOLUME_MAX_BYTES: "1073741824",
      WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "5",
      WA_LOGIN_MAX_FAILURES_PER_USER: "7",
      WA_LOGIN_FAILURE_WINDOW_SECONDS: "60",
      WA_PASSWORD_HASH_COST: "10",
    });
    expect(config.passwordHashCost).toBe(10);
    expect(config.loginThrottle).toEqual({ maxFailuresPerAddress: 5, maxFailuresPerUser: 7, windowSeconds: 60 });
    expect(config).toMatchObject({
      host: "::1",
      port: 0,
      dataDir: "/tmp/wa-data",
      adminPassword: "Adm1n!pass",
      waId: "15550001111",
      mediaMaxBytes: 1048576,
      mediaVolumeMaxBytes: 1073741824,
    });
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["WA_MEDIA_MAX_BYTES", "100MB"],
    ["WA_MEDIA_MAX_BYTES", "0"],
    ["WA_MEDIA_VOLUME_MAX_BYTES", "1e9"],
    ["WA_ADMIN_PASSWORD", "secret"],
    ["WA_ID", "+1 555"],
    ["HOST", "a b"],
    ["MESSENGER_PAGES", "not json"],
    ["WA_LOGIN_MAX_FAILURES_PER_ADDRESS", "0"],
    ["WA_LOGIN_MAX_FAILURES_PER_USER", "many"],
    ["WA_LOGIN_FAILURE_WINDOW_SECONDS", "1e3"],
    ["WA_LOGIN_FAILURE_WINDOW_SECONDS", "86401"],
    ["WA_PASSWORD_HASH_COST", "9"],
    ["WA_PASSWORD_HASH_COST", "17"],
    ["WA_PASSWORD_HASH_COST", "16384"],
    ["WA_PASSWORD_HASH_COST", "high"],
  ])("refuses %s=%s with a message naming it", (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(name);
  });
});

describe("older names of renamed variables", () => {
  const renamed: Array<[string, string, string, (config: ReturnType<typeof loadConfig>) => number | undefined]> = [
    ["WA_MEDIA_MAX_BYTES", "MEDIA_MAX_BYTES", "1048576", (c) => c.mediaMaxBytes],
    ["WA_MEDIA_VOLUME_MAX_BYTES", "MEDIA_VOLUME_MAX_BYTES", "1073741824", (c) => c.mediaVolumeMaxBytes],
    [
      "WA_LOGIN_MAX_FAILURES_PER_ADDRESS",
      "LOGIN_MAX_FAILURES_PER_ADDRESS",
      "5",
      (c) => c.loginThrottle.maxFailuresPerAddress,
    ],
    ["WA_LOGIN_MAX_FAILURES_PER_USER", "LOGIN_MAX_FAILURES_PER_USER", "7", (c) => c.loginThrottle.maxFailuresPerUser],
    ["WA_LOGIN_FAILURE_WINDOW_SECONDS", "LOGIN_FAILURE_WINDOW_SECONDS", "60", (c) => c.loginThrottle.windowSeconds],
  ];

  it("are the documented aliases", () => {
    for (const [name, older] of renamed) expect(ENVIRONMENT_ALIASES[name]).toBe(older);
  });

  it.each(renamed)("%s is read under its older name %s", (_name, older, value, read) => {
    expect(read(loadConfig({ ...base, [older]: value }))).toBe(Number(value));
  });

  it.each(renamed)("%s wins over %s when both are set, even over a bad older value", (name, older, value, read) => {
    expect(read(loadConfig({ ...base, [name]: value, [older]: "2" }))).toBe(Number(value));
    expect(read(loadConfig({ ...base, [name]: value, [older]: "bad" }))).toBe(Number(value));
  });

  it.each(renamed)("a bad %s is reported under that name; a bad %s alone under the older one", (name, older) => {
    expect(() => loadConfig({ ...base, [name]: "bad", [older]: "2" })).toThrow(new RegExp(`^${name} must`));
    expect(() => loadConfig({ ...base, [older]: "bad" })).toThrow(new RegExp(`^${older} must`));
  });

  it("an empty new name leaves the older one in force", () => {
    expect(loadConfig({ ...base, WA_MEDIA_MAX_BYTES: " ", MEDIA_MAX_BYTES: "1000" }).mediaMaxBytes).toBe(1000);
  });
});
