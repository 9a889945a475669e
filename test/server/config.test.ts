import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";

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
  });

  it("reads every variable", () => {
    const config = loadConfig({
      ...base,
      HOST: "::1",
      PORT: "0",
      DATA_DIR: "/tmp/wa-data",
      WA_ADMIN_PASSWORD: "Adm1n!pass",
      WA_ID: "15550001111",
      MEDIA_MAX_BYTES: "1048576",
      MEDIA_VOLUME_MAX_BYTES: "1073741824",
      LOGIN_MAX_FAILURES_PER_ADDRESS: "5",
      LOGIN_MAX_FAILURES_PER_USER: "7",
      LOGIN_FAILURE_WINDOW_SECONDS: "60",
    });
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
    ["MEDIA_MAX_BYTES", "100MB"],
    ["MEDIA_MAX_BYTES", "0"],
    ["MEDIA_VOLUME_MAX_BYTES", "1e9"],
    ["WA_ADMIN_PASSWORD", "secret"],
    ["WA_ID", "+1 555"],
    ["HOST", "a b"],
    ["MESSENGER_PAGES", "not json"],
    ["LOGIN_MAX_FAILURES_PER_ADDRESS", "0"],
    ["LOGIN_MAX_FAILURES_PER_USER", "many"],
    ["LOGIN_FAILURE_WINDOW_SECONDS", "1e3"],
    ["LOGIN_FAILURE_WINDOW_SECONDS", "86401"],
  ])("refuses %s=%s with a message naming it", (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(name);
  });
});
