import { describe, expect, it } from "vitest";
import { classifyAddress, createAddressPolicy, parseAllowList } from "../../../server/attachments/address-policy.ts";
import { loadMessengerConfig } from "../../../server/attachments/config.ts";
import { AddressRefusedError, checkFetchUrl, FetchError } from "../../../server/attachments/safe-fetcher.ts";
import { REFUSED_URL_HOSTS } from "../../support/refused-hosts.ts";

const noAllow = createAddressPolicy([]);

describe("address rules", () => {
  it.each(REFUSED_URL_HOSTS)("refuses http://%s/ (%s) before any connection", (host) => {
    let caught: unknown;
    try {
      checkFetchUrl(`http://${host}:8080/x`, noAllow);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AddressRefusedError);
  });

  it.each([
    ["127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.20.0.1", "private"],
    ["192.168.100.100", "private"],
    ["169.254.169.254", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["fc00::1", "uniqueLocal"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["::ffff:127.0.0.1", "ipv4Embedded"],
    ["::ffff:10.0.0.1", "ipv4Embedded"],
    ["64:ff9b::7f00:1", "ipv4Embedded"],
    ["::7f00:1", "ipv4Compatible"],
    ["64:ff9b:1::1", "special"],
    ["2001::1", "special"],
    ["not-an-ip", "invalid"],
  ])("classifies the dialled address %s as %s", (ip, reason) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, reason });
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("allows the public address %s", (ip) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true });
  });

  it("lets public IP-literal URLs through the URL check", () => {
    expect(checkFetchUrl("https://8.8.8.8/a.png#frag", noAllow).href).toBe("https://8.8.8.8/a.png");
    expect(checkFetchUrl("http://[2001:4860:4860::8888]/", noAllow).hostname).toBe("[2001:4860:4860::8888]");
  });

  it.each([
    "ftp://example.com/a",
    "file:///etc/passwd",
    "data:text/plain,hi",
    "javascript:alert(1)",
    "gopher://x/",
    "http://user:pw@example.com/",
    "http://user@example.com/",
    "not a url",
    "http://exa mple.com/",
  ])("refuses the URL %s", (url) => {
    expect(() => checkFetchUrl(url, noAllow)).toThrow(FetchError);
  });
});

describe("allow-list (ATTACHMENT_FETCH_ALLOW)", () => {
  it("allows addresses inside its CIDR ranges and single IPs, including their IPv4-mapped forms", () => {
    const policy = createAddressPolicy(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    expect(policy.check("10.9.8.7")).toEqual({ allowed: true });
    expect(policy.check("::ffff:10.9.8.7")).toEqual({ allowed: true });
    expect(policy.check("127.0.0.1")).toEqual({ allowed: true });
    expect(policy.check("fd00::5")).toEqual({ allowed: true });
    expect(policy.check("127.0.0.2")).toEqual({ allowed: false, reason: "loopback" });
    expect(policy.check("172.16.0.1")).toEqual({ allowed: false, reason: "private" });
    expect(policy.check("fc00::5")).toEqual({ allowed: false, reason: "uniqueLocal" });
  });

  it("allows every address of a named host, case-insensitively, and only for that host", () => {
    const policy = createAddressPolicy(["Media.Internal.Example"]);
    expect(policy.isHostAllowed("media.internal.example.")).toBe(true);
    expect(policy.check("10.0.0.1", "MEDIA.internal.example")).toEqual({ allowed: true });
    expect(policy.check("10.0.0.1", "other.example")).toEqual({ allowed: false, reason: "private" });
    expect(policy.check("10.0.0.1")).toEqual({ allowed: false, reason: "private" });
  });

  it.each(["10.0.0.0/33", "::1/129", "10.0.0.0/x", "999.1.1.1/8", "not a host!", "a..b"])(
    "rejects the entry %s",
    (entry) => {
      expect(() => parseAllowList([entry])).toThrow(/ATTACHMENT_FETCH_ALLOW/);
    },
  );
});

describe("loadMessengerConfig", () => {
  it("generates one development page with a numeric id and a random token when MESSENGER_PAGES is unset", () => {
    const a = loadMessengerConfig({});
    const b = loadMessengerConfig({});
    expect(a.generatedDevPage).toBe(true);
    const [[id, token]] = Object.entries(a.pages) as [[string, string]];
    expect(id).toMatch(/^[1-9][0-9]{14}$/);
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(Object.values(b.pages)[0]).not.toBe(token);
    // Unset: the spec's limits apply (x-attachment-limits: 75 s for videos, 10 s for the rest).
    expect(a.fetchTimeoutMs).toEqual({});
    expect(a.fetchAllow).toEqual([]);
    expect(a.appSecret).toBeUndefined();
  });

  it("reads pages, app secret, allow-list and timeouts", () => {
    const cfg = loadMessengerConfig({
      MESSENGER_PAGES: '{"123":"token-aaaa","456":"token-bbbb"}',
      MESSENGER_APP_SECRET: "s3cret",
      ATTACHMENT_FETCH_ALLOW: " 127.0.0.1 , media.example ,10.0.0.0/8,",
      ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "500",
      ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "250",
    });
    expect(cfg).toEqual({
      pages: { "123": "token-aaaa", "456": "token-bbbb" },
      generatedDevPage: false,
      appSecret: "s3cret",
      fetchAllow: ["127.0.0.1", "media.example", "10.0.0.0/8"],
      fetchTimeoutMs: { video: 500, other: 250 },
    });
  });

  it.each([
    ["{not json", /MESSENGER_PAGES must be a JSON object/],
    ["[]", /MESSENGER_PAGES must be a JSON object/],
    ['"x"', /MESSENGER_PAGES must be a JSON object/],
    ["{}", /at least one page/],
    ['{"abc":"token-aaaa"}', /page id "abc" must be a numeric string/],
    ['{"123":42}', /token of page 123/],
    ['{"123":"has space here"}', /token of page 123/],
    ['{"1":"token-aaaa","2":"token-aaaa"}', /reuses another page's token/],
  ])("rejects MESSENGER_PAGES=%s", (value, message) => {
    expect(() => loadMessengerConfig({ MESSENGER_PAGES: value })).toThrow(message);
  });

  it("rejects bad timeouts and allow-list entries with the variable's name", () => {
    expect(() => loadMessengerConfig({ ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO: "soon" })).toThrow(
      /ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO/,
    );
    expect(() => loadMessengerConfig({ ATTACHMENT_FETCH_TIMEOUT_MS_OTHER: "0" })).toThrow(
      /ATTACHMENT_FETCH_TIMEOUT_MS_OTHER/,
    );
    expect(() => loadMessengerConfig({ ATTACHMENT_FETCH_ALLOW: "10.0.0.0/40" })).toThrow(/ATTACHMENT_FETCH_ALLOW/);
  });
});
