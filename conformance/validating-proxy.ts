/**
 * Prism in proxy mode in front of the target, one pair per API family under test: a strict one (`--errors`, used for
 * requests the spec calls valid: any request or response violation becomes an error) and a lenient one (for requests
 * that are deliberately invalid, so that they reach the server; its `sl-violations` header must name no response
 * violation). Prism never talks to the target itself: each family's proxies forward to a guard (target-guard.ts)
 * that alone reaches the target, without following redirects and within the reply cap and deadline. A family not
 * under test gets no proxy; its base URL stays the target's.
 */
import type { BaseUrls } from "./exchange.ts";
import { startPrism, type RunningPrism } from "./prism-process.ts";
import { bundlePath } from "../spec-model/openapi-document.ts";
import type { ApiFamily } from "../spec-model/spec-bundles.ts";
import { startTargetGuard, type GuardEvent, type RunningGuard } from "./target-guard.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "./target-http.ts";

/** The running proxies and the base URLs to reach them. */
export interface ValidatingProxies {
  strict: BaseUrls;
  lenient: BaseUrls;
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

/** Starts the guards and the proxies (strict and lenient) in front of the given base URLs, for the given families. */
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
    const wanted = families.flatMap((family) => [true, false].map((strict) => ({ family, strict })));
    const started = await Promise.allSettled(
      wanted.map(({ family, strict }) =>
        startPrism(["proxy", bundlePath, guardOf.get(family)!.url, ...(strict ? ["--errors"] : [])]),
      ),
    );
    for (const s of started) if (s.status === "fulfilled") prisms.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const strict: BaseUrls = { ...upstream };
    const lenient: BaseUrls = { ...upstream };
    wanted.forEach(({ family, strict: isStrict }, i) => {
      (isStrict ? strict : lenient)[family] = (started[i] as PromiseFulfilledResult<RunningPrism>).value.url;
    });
    return {
      strict,
      lenient,
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
