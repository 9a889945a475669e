/**
 * Which addresses the attachment fetcher may connect to. Default-deny for everything that is not plain public unicast:
 * a URL given by an API caller must never reach this machine, its network, or a cloud metadata endpoint.
 */
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why an address is refused (for logs and tests; never shown to API callers). */
export type RefusalReason =
  | "invalid"
  | "unspecified"
  | "loopback"
  | "private"
  | "linkLocal"
  | "uniqueLocal"
  | "multicast"
  | "broadcast"
  | "carrierGradeNat"
  | "reserved"
  | "ipv4Compatible"
  | "ipv4Embedded"
  | "special";

/** Verdict on one address. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: RefusalReason };

const V4_REASONS: Record<string, RefusalReason> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "linkLocal",
  loopback: "loopback",
  carrierGradeNat: "carrierGradeNat",
  private: "private",
  reserved: "reserved",
};

const V6_REASONS: Record<string, RefusalReason> = {
  unspecified: "unspecified",
  linkLocal: "linkLocal",
  multicast: "multicast",
  loopback: "loopback",
  uniqueLocal: "uniqueLocal",
  deprecatedSiteLocal: "private",
  reserved: "reserved",
};

const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");
const IETF_RESERVED_V6 = ipaddr.parseCIDR("::/8");

/** Parses an IP literal as the OS would dial it (zone ids dropped); undefined when it is not one. */
export function parseIp(text: string): Address | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const withoutZone = bare.includes("%") ? bare.slice(0, bare.indexOf("%")) : bare;
  // isValidFourPartDecimal / isValid(v6) accept only canonical text; the WHATWG URL parser has already turned the odd
  // IPv4 spellings (0x7f000001, 2130706433, 017700000001) of a URL host into dotted decimal.
  if (ipaddr.IPv4.isValidFourPartDecimal(withoutZone)) return ipaddr.IPv4.parse(withoutZone);
  if (ipaddr.IPv6.isValid(withoutZone)) return ipaddr.IPv6.parse(withoutZone);
  return undefined;
}

function classifyV4(addr: ipaddr.IPv4): AddressVerdict {
  const range = addr.range();
  if (range === "unicast") return { allowed: true };
  return { allowed: false, reason: V4_REASONS[range] ?? "special" };
}

function embeddedV4(addr: ipaddr.IPv6, firstPart: number): ipaddr.IPv4 {
  const p = addr.parts;
  const hi = p[firstPart]!;
  const lo = p[firstPart + 1]!;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function refusedIfEmbeddedRefused(v4: ipaddr.IPv4): AddressVerdict {
  return classifyV4(v4).allowed ? { allowed: true } : { allowed: false, reason: "ipv4Embedded" };
}

function classifyV6(addr: ipaddr.IPv6): AddressVerdict {
  const range = addr.range();
  // Forms that carry an IPv4 address and reach it over IPv4 (mapped, SIIT) or through a translator (NAT64, 6to4)
  // are judged by the IPv4 address inside.
  if (range === "ipv4Mapped" || range === "rfc6145") return refusedIfEmbeddedRefused(embeddedV4(addr, 6));
  if (addr.match(NAT64_WELL_KNOWN)) return refusedIfEmbeddedRefused(embeddedV4(addr, 6));
  if (range === "6to4") return refusedIfEmbeddedRefused(embeddedV4(addr, 1));
  if (V6_REASONS[range]) return { allowed: false, reason: V6_REASONS[range]! };
  // Local-use NAT64 (64:ff9b:1::/48) translates into whatever network the operator chose.
  if (range === "rfc6052") return { allowed: false, reason: "special" };
  // ::/8 holds the deprecated IPv4-compatible form (::a.b.c.d)
  // besides loopback/unspecified; nothing public lives there.
  if (addr.match(IETF_RESERVED_V6)) return { allowed: false, reason: "ipv4Compatible" };
  if (range === "unicast") return { allowed: true };
  // Teredo, discard, benchmarking, ORCHID, segment routing...: not a web server.
  return { allowed: false, reason: "special" };
}

/** Classifies an address without any allow-list: only public unicast is allowed. */
export function classifyAddress(ip: string): AddressVerdict {
  const addr = parseIp(ip);
  if (!addr) return { allowed: false, reason: "invalid" };
  return addr.kind() === "ipv4" ? classifyV4(addr as ipaddr.IPv4) : classifyV6(addr as ipaddr.IPv6);
}

/** The address rules plus the operator's allow-list (ATTACHMENT_FETCH_ALLOW). */
export interface AddressPolicy {
  /**
   * True when the host name (as in the URL, lower case) is named in the allow-list: all its addresses may be dialled.
   */
  isHostAllowed(hostname: string): boolean;
  /** Verdict for an address about to be dialled for `hostname` (the URL's host; absent for IP-literal URLs). */
  check(ip: string, hostname?: string): AddressVerdict;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function normaliseHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * Parses the allow-list entries: IPs, CIDR ranges (v4 or v6) or host names; throws on an entry that is none of them.
 */
export function parseAllowList(entries: readonly string[]): { hosts: Set<string>; ranges: Array<[Address, number]> } {
  const hosts = new Set<string>();
  const ranges: Array<[Address, number]> = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (entry.includes("/")) {
      const [ip, bits] = entry.split("/", 2) as [string, string];
      const addr = parseIp(ip);
      const prefix = Number(bits);
      const max = addr?.kind() === "ipv4" ? 32 : 128;
      if (!addr || !/^[0-9]{1,3}$/.test(bits) || prefix > max) {
        throw new Error(`ATTACHMENT_FETCH_ALLOW: ${JSON.stringify(entry)} is not a valid CIDR range`);
      }
      ranges.push([addr, prefix]);
      continue;
    }
    const addr = parseIp(entry);
    if (addr) {
      ranges.push([addr, addr.kind() === "ipv4" ? 32 : 128]);
      continue;
    }
    const host = normaliseHostName(entry);
    if (!HOST_NAME.test(host)) {
      throw new Error(
        `ATTACHMENT_FETCH_ALLOW: ${JSON.stringify(entry)} is neither a host name, an IP address nor a CIDR range`,
      );
    }
    hosts.add(host);
  }
  return { hosts, ranges };
}

function inRanges(addr: Address, ranges: ReadonlyArray<[Address, number]>): boolean {
  // An IPv4-mapped address reaches the IPv4 address, so v4 ranges apply to it too.
  const alt =
    addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()
      ? (addr as ipaddr.IPv6).toIPv4Address()
      : undefined;
  for (const [net, bits] of ranges) {
    if (net.kind() === addr.kind() && addr.match(net, bits)) return true;
    if (alt && net.kind() === "ipv4" && alt.match(net, bits)) return true;
  }
  return false;
}

/** Builds the policy from ATTACHMENT_FETCH_ALLOW entries. */
export function createAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const { hosts, ranges } = parseAllowList(allow);
  const isHostAllowed = (hostname: string) => hosts.has(normaliseHostName(hostname));
  return {
    isHostAllowed,
    check(ip, hostname) {
      if (hostname !== undefined && isHostAllowed(hostname)) return { allowed: true };
      const addr = parseIp(ip);
      if (!addr) return { allowed: false, reason: "invalid" };
      if (inRanges(addr, ranges)) return { allowed: true };
      return addr.kind() === "ipv4" ? classifyV4(addr as ipaddr.IPv4) : classifyV6(addr as ipaddr.IPv6);
    },
  };
}
