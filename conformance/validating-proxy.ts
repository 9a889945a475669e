/**
 * Prism in proxy mode in front of the target, one pair per API family: a strict one (`--errors`, used for requests
 * the spec calls valid: any request or response violation becomes an error) and a lenient one (for requests that are
 * deliberately invalid, so that they reach the server; its `sl-violations` header must name no response violation).
 */
import { bundlePath } from "../server/validation/openapi-document.ts";
import { startPrism, type RunningPrism } from "./prism-process.ts";
import type { BaseUrls } from "./exchange.ts";

/** The running proxies and the base URLs to reach them. */
export interface ValidatingProxies {
  strict: BaseUrls;
  lenient: BaseUrls;
  stop(): Promise<void>;
}

/** Starts the four proxies (WA and Graph, strict and lenient) in front of the given base URLs. */
export async function startValidatingProxies(upstream: BaseUrls): Promise<ValidatingProxies> {
  const specs = [
    [upstream.wa, true],
    [upstream.wa, false],
    [upstream.graph, true],
    [upstream.graph, false],
  ] as const;
  const started = await Promise.allSettled(specs.map(([url, strict]) => startPrism(["proxy", bundlePath, url, ...(strict ? ["--errors"] : [])])));
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(running.map((p) => p.stop()));
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [waStrict, waLenient, graphStrict, graphLenient] = running as [RunningPrism, RunningPrism, RunningPrism, RunningPrism];
  return {
    strict: { wa: waStrict.url, graph: graphStrict.url },
    lenient: { wa: waLenient.url, graph: graphLenient.url },
    stop,
  };
}
