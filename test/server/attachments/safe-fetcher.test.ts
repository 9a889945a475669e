import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIP } from "node:net";
import type { buildConnector } from "undici";
import { type AddressPolicy, createAddressPolicy } from "../../../server/attachments/address-policy.ts";
import {
  AddressRefusedError,
  createDial,
  createSafeFetcher,
  FetchError,
  guardedLookup,
  type LookupFunction,
} from "../../../server/attachments/safe-fetcher.ts";
import { REFUSED_URL_HOSTS } from "../../support/refused-hosts.ts";
import { type Origin, startOrigin, streamChunked } from "../../support/local-origin.ts";

/**
 * The fetcher's own dialler (with its checked lookup) wrapped to record what it is asked to dial and which peers it
 * reached; as a last guard it never dials an IP literal other than 127.0.0.1.
 */
function spyDial(policy: AddressPolicy, lookup?: LookupFunction) {
  const real = createDial(policy, lookup);
  const dialled: string[] = [];
  const connected: string[] = [];
  const dial: buildConnector.connector = (opts, cb) => {
    dialled.push(opts.hostname);
    if (isIP(opts.hostname) && opts.hostname !== "127.0.0.1")
      return cb(new Error(`test guard: refused to dial ${opts.hostname}`), null);
    real(opts, (err, socket) => {
      if (socket?.remoteAddress) connected.push(socket.remoteAddress);
      cb(err as Error, socket as never);
    });
  };
  return { dial, dialled, connected };
}

/** A stub DNS: the given names map to the given addresses, everything else fails; every query is recorded. */
function stubLookup(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup = (async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`stub: no ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  }) as unknown as LookupFunction;
  return { lookup, asked };
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
}

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FetchError) return err;
    throw err;
  }
  throw new Error("expected the fetch to fail");
}

let origin: Origin;
let bigSentBytes = 0;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const hop = Number(url.searchParams.get("hop") ?? "0");
    switch (url.pathname) {
      case "/ok":
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("hello");
      case "/redirect":
        res.writeHead(302, { location: url.searchParams.get("to") ?? "/ok" });
        return res.end();
      case "/chain":
        // Each hop redirects to the next one until `hops` is reached.
        res.writeHead(hop < Number(url.searchParams.get("hops")) ? 307 : 200, {
          location: `/chain?hops=${url.searchParams.get("hops")}&hop=${hop + 1}`,
        });
        return res.end(hop < Number(url.searchParams.get("hops")) ? "" : "end");
      case "/chunked-big":
        res.on("finish", () => (bigSentBytes = -1));
        streamChunked(res, 4 * 1024 * 1024);
        res.on("close", () => {
          if (bigSentBytes !== -1) bigSentBytes = res.socket?.bytesWritten ?? 0;
        });
        return;
      case "/declared-big":
        res.writeHead(200, { "content-length": String(50 * 1024 * 1024) });
        // Sends a little and then nothing: the client must decide from the header alone.
        return res.write(Buffer.alloc(1024));
      case "/status":
        res.writeHead(Number(url.searchParams.get("code")));
        return res.end();
      default:
        res.writeHead(404);
        return res.end();
    }
  });
});

afterAll(() => origin.close());

describe("safe fetcher: addresses", () => {
  it("fetches an allowed loopback origin (positive control for the spy)", async () => {
    const policy = createAddressPolicy(["127.0.0.1"]);
    const spy = spyDial(policy);
    const fetcher = createSafeFetcher({ policy, dial: spy.dial });
    const res = await fetcher.get(`${origin.url}/ok`, { maxBytes: 100 });
    expect(await drain(res.body)).toBe(5);
    expect(spy.dialled).toEqual(["127.0.0.1"]);
    expect(spy.connected).toEqual(["127.0.0.1"]);
    await fetcher.close();
  });

  it.each(REFUSED_URL_HOSTS)("never dials http://%s (%s)", async (host) => {
    const policy = createAddressPolicy([]);
    const spy = spyDial(policy);
    const fetcher = createSafeFetcher({ policy, dial: spy.dial });
    const err = await failure(fetcher.get(`http://${host}:${origin.port}/ok`, { maxBytes: 100 }));
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(spy.dialled).toEqual([]);
    await fetcher.close();
  });

  it("does not connect to a loopback origin reached through odd spellings of its address", async () => {
    const before = origin.connections();
    const fetcher = createSafeFetcher({ policy: createAddressPolicy([]) });
    for (const host of ["127.0.0.1", "0x7f000001", "2130706433", "017700000001", "127.1"]) {
      expect(await failure(fetcher.get(`http://${host}:${origin.port}/ok`, { maxBytes: 100 }))).toBeInstanceOf(
        AddressRefusedError,
      );
    }
    expect(origin.connections()).toBe(before);
    await fetcher.close();
  });

  it("refuses a host name whose (stubbed) lookup returns 127.0.0.1, without connecting", async () => {
    const before = origin.connections();
    const dns = stubLookup({ "rebind.example": ["127.0.0.1"] });
    const fetcher = createSafeFetcher({ policy: createAddressPolicy([]), lookup: dns.lookup });
    const err = await failure(fetcher.get(`http://rebind.example:${origin.port}/ok`, { maxBytes: 100 }));
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(dns.asked).toEqual(["rebind.example"]);
    expect(origin.connections()).toBe(before);
    await fetcher.close();
  });

  it("refuses localhost through the real resolver (/etc/hosts), without connecting", async () => {
    const before = origin.connections();
    const fetcher = createSafeFetcher({ policy: createAddressPolicy([]) });
    const err = await failure(fetcher.get(`http://localhost:${origin.port}/ok`, { maxBytes: 100 }));
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(origin.connections()).toBe(before);
    await fetcher.close();
  });

  it("connects to a host name named in the allow-list whatever it resolves to", async () => {
    const dns = stubLookup({ "media.internal": ["127.0.0.1"] });
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["media.internal"]), lookup: dns.lookup });
    const res = await fetcher.get(`http://media.internal:${origin.port}/ok`, { maxBytes: 100 });
    expect(await drain(res.body)).toBe(5);
    await fetcher.close();
  });

  it.each([
    [["127.0.0.1"]],
    [["10.0.0.7"]],
    [["169.254.169.254"]],
    [["::1"]],
    [["::ffff:127.0.0.1"]],
    [["fd00::1"]],
    [["93.184.216.34", "127.0.0.1"]],
    [["2001:4860:4860::8888", "fe80::1"]],
  ])("the connect-time lookup refuses a name resolving to %j (every address is checked)", async (addresses) => {
    const dns = stubLookup({ "mixed.example": addresses });
    const lookup = guardedLookup(createAddressPolicy([]), dns.lookup);
    const result = await new Promise<{ err: Error | null; value: unknown }>((resolve) =>
      lookup("mixed.example", { all: true }, (err, value) => resolve({ err, value })),
    );
    expect(result.err).toBeInstanceOf(AddressRefusedError);
    expect(result.value).toEqual([]);
  });

  it("the connect-time lookup passes public addresses through in the shape net.connect asked for", async () => {
    const dns = stubLookup({ "public.example": ["93.184.216.34", "2606:2800:220:1::1"] });
    const lookup = guardedLookup(createAddressPolicy([]), dns.lookup);
    const all = await new Promise<unknown>((resolve) => lookup("public.example", { all: true }, (_e, v) => resolve(v)));
    expect((all as LookupAddress[]).map((a) => a.address)).toEqual(["93.184.216.34", "2606:2800:220:1::1"]);
    const one = await new Promise<unknown[]>((resolve) => lookup("public.example", {}, (_e, v, f) => resolve([v, f])));
    expect(one).toEqual(["93.184.216.34", 4]);
  });
});

describe("safe fetcher: redirects", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/"],
    ["http://10.0.0.1/"],
    ["http://127.0.0.2/"],
    ["http://[::1]/"],
    ["http://0x7f000002/"],
    ["http://[::ffff:7f00:2]/"],
    ["http://rebind.example:1/"],
  ])("refuses a redirect from the allowed origin to %s without dialling it", async (target) => {
    // The name resolves to another loopback address, so even a broken check could not send traffic off this machine.
    const dns = stubLookup({ "rebind.example": ["127.0.0.2"] });
    const policy = createAddressPolicy(["127.0.0.1"]);
    const spy = spyDial(policy, dns.lookup);
    const fetcher = createSafeFetcher({ policy, dial: spy.dial, lookup: dns.lookup });
    const err = await failure(
      fetcher.get(`${origin.url}/redirect?to=${encodeURIComponent(target)}`, { maxBytes: 100 }),
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(spy.dialled[0]).toBe("127.0.0.1");
    expect(spy.dialled.slice(1).every((h) => !isIP(h))).toBe(true);
    expect(spy.connected).toEqual(["127.0.0.1"]);
    await fetcher.close();
  });

  it("refuses a redirect to another scheme or to credentials", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    for (const to of ["file:///etc/passwd", "ftp://127.0.0.1/x", `http://user:pw@127.0.0.1:${origin.port}/ok`]) {
      const err = await failure(fetcher.get(`${origin.url}/redirect?to=${encodeURIComponent(to)}`, { maxBytes: 100 }));
      expect(err.reason).toBe("badUrl");
    }
    await fetcher.close();
  });

  it("follows 5 redirects and refuses the 6th", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    const ok = await fetcher.get(`${origin.url}/chain?hops=5`, { maxBytes: 100 });
    expect(ok.url).toBe(`${origin.url}/chain?hops=5&hop=5`);
    expect(await drain(ok.body)).toBe(3);
    const err = await failure(fetcher.get(`${origin.url}/chain?hops=6`, { maxBytes: 100 }));
    expect(err.reason).toBe("redirects");
    await fetcher.close();
  });

  it("fails on an error status", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    for (const code of [404, 500, 304]) {
      expect((await failure(fetcher.get(`${origin.url}/status?code=${code}`, { maxBytes: 100 }))).reason).toBe(
        "status",
      );
    }
    await fetcher.close();
  });
});

describe("safe fetcher: size", () => {
  it("stops a chunked body (no Content-Length) as soon as it passes the limit", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    const res = await fetcher.get(`${origin.url}/chunked-big`, { maxBytes: 256 * 1024 });
    expect(res.contentLength).toBeUndefined();
    let received = 0;
    let caught: unknown;
    try {
      for await (const chunk of res.body) received += chunk.length;
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FetchError);
    expect((caught as FetchError).reason).toBe("tooLarge");
    expect(received).toBeLessThanOrEqual(256 * 1024);
    await fetcher.close();
  });

  it("refuses a Content-Length over the limit before reading the body", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    const err = await failure(fetcher.get(`${origin.url}/declared-big`, { maxBytes: 1024 * 1024 }));
    expect(err.reason).toBe("tooLarge");
    await fetcher.close();
  });

  it("aborts a fetch when its signal fires", async () => {
    const fetcher = createSafeFetcher({ policy: createAddressPolicy(["127.0.0.1"]) });
    const controller = new AbortController();
    const res = await fetcher.get(`${origin.url}/declared-big`, {
      maxBytes: 100 * 1024 * 1024,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("test timeout")), 50);
    await expect(drain(res.body)).rejects.toThrow();
    await fetcher.close();
  });
});
