/**
 * Prism in proxy mode in front of the target, one for all the API families under test (a Prism costs about two
 * CPU-seconds to start). It forwards every request, valid or deliberately invalid, and names what it found wrong in
 * its `sl-violations` header: the session fails a request the spec calls valid on any violation, and a deliberately
 * invalid one on any violation of the response (session.ts). Prism's `--errors` mode would turn violations into
 * Prism's own error replies instead, which needs a second Prism for the invalid requests. Prism never talks to the
 * target itself: it forwards to a guard (target-guard.ts) that alone reaches the target, each request at the base URL
 * of the family the suite names in its `x-conformance-family` header, without following redirects and within the
 * reply cap and deadline. A family not under test is not proxied; its base URL stays the target's.
 */
import type { BaseUrls } from "./exchange.ts";
import { startPrism, type RunningPrism } from "./prism-process.ts";
import { bundlePath } from "../spec-model/openapi-document.ts";
import type { ApiFamily } from "../spec-model/spec-bundles.ts";
import { startTargetGuard, type GuardEvent, type RunningGuard } from "./target-guard.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "./target-http.ts";

/** The running proxy and the base URLs to reach it. */
export interface ValidatingProxy {
  /** Each family's base URL: the proxy's for the families behind it, the target's own for the others. */
  baseUrls: BaseUrls;
  /** The families behind the proxy; requests of the others go straight to the target. */
  families: readonly ApiFamily[];
  /** The proxy's base URL (the origin the suite sends proxied requests to). */
  url: string;
  /** Process id of the Prism process. */
  pid: number;
  /** What the guard refused for a request id, if anything. */
  guardEvent(requestId: string): GuardEvent | undefined;
  stop(): Promise<void>;
}

/** Starts the guard and the proxy in front of the given base URLs, for the given families. */
export async function startValidatingProxy(
  upstream: BaseUrls,
  families: readonly ApiFamily[] = ["whatsapp", "messenger"],
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Promise<ValidatingProxy> {
  let guard: RunningGuard | undefined;
  let prism: RunningPrism | undefined;
  const stop = async () => {
    await prism?.stop();
    await guard?.close();
  };
  try {
    guard = await startTargetGuard(Object.fromEntries(families.map((f) => [f, upstream[f]])), limits);
    prism = await startPrism(["proxy", bundlePath, guard.url]);
    const baseUrls: BaseUrls = { ...upstream };
    for (const family of families) baseUrls[family] = prism.url;
    const running = guard;
    return {
      baseUrls,
      families,
      url: prism.url,
      pid: prism.pid,
      guardEvent: (id) => running.take(id),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
