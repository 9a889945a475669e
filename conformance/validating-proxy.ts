/**
 * Prism in proxy mode in front of the target, one per API family under test. It forwards every request, valid or
 * deliberately invalid, and names what it found wrong in its `sl-violations` header: the session fails a request the
 * spec calls valid on any violation, and a deliberately invalid one on any violation of the response (session.ts).
 * Prism's `--errors` mode would turn violations into Prism's own error replies instead, which needs a second Prism
 * per family for the invalid requests, and each costs about two CPU-seconds to start. Prism never talks to the target
 * itself: each family's proxy forwards to a guard (target-guard.ts) that alone reaches the target, without following
 * redirects and within the reply cap and deadline. A family not under test gets no proxy; its base URL stays the
 * target's.
 */
import type { BaseUrls } from "./exchange.ts";
import { startPrism, type RunningPrism } from "./prism-process.ts";
import { bundlePath } from "../spec-model/openapi-document.ts";
import type { ApiFamily } from "../spec-model/spec-bundles.ts";
import { startTargetGuard, type GuardEvent, type RunningGuard } from "./target-guard.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "./target-http.ts";

/** The running proxies and the base URLs to reach them. */
export interface ValidatingProxies {
  /** Each family's proxy (the target's own base URL for a family without one). */
  baseUrls: BaseUrls;
  /** The families with proxies in front of them; requests of the others go straight to the target. */
  families: readonly ApiFamily[];
  /** Every base URL of a proxy (origins the suite may send to). */
  urls: string[];
  /** Process ids of the Prism processes. */
  pids: number[];
  /** What a guard refused for a request id, if anything. */
  guardEvent(requestId: string): GuardEvent | undefined;
  stop(): Promise<void>;
}

/** Starts the guards and the proxies in front of the given base URLs, for the given families. */
export async function startValidatingProxies(
  upstream: BaseUrls,
  families: readonly ApiFamily[] = ["whatsapp", "messenger"],
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Promise<ValidatingProxies> {
  const guards: RunningGuard[] = [];
  const prisms: RunningPrism[] = [];
  const stop = async () => {
    await Promise.all(prisms.map((p) => p.stop()));
    await Promise.all(guards.map((g) => g.close()));
  };
  try {
    const guardOf = new Map<ApiFamily, RunningGuard>();
    for (const family of families) {
      const guard = await startTargetGuard(upstream[family], limits);
      guards.push(guard);
      guardOf.set(family, guard);
    }
    const started = await Promise.allSettled(
      families.map((family) => startPrism(["proxy", bundlePath, guardOf.get(family)!.url])),
    );
    for (const s of started) if (s.status === "fulfilled") prisms.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const baseUrls: BaseUrls = { ...upstream };
    families.forEach((family, i) => {
      baseUrls[family] = (started[i] as PromiseFulfilledResult<RunningPrism>).value.url;
    });
    return {
      baseUrls,
      families,
      urls: prisms.map((p) => p.url),
      pids: prisms.map((p) => p.pid),
      guardEvent: (id) => {
        for (const g of guards) {
          const event = g.take(id);
          if (event) return event;
        }
        return undefined;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
