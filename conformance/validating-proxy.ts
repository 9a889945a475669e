/**
 * Prism in proxy mode in front of the target, one pair per API family under test: a strict one (`--errors`, used for
 * requests the spec calls valid: any request or response violation becomes an error) and a lenient one (for requests
 * that are deliberately invalid, so that they reach the server; its `sl-violations` header must name no response
 * violation). A family not under test gets no proxy; its base URL stays the target's.
 */
import type { BaseUrls } from "./exchange.ts";
import { startPrism, type RunningPrism } from "./prism-process.ts";
import { bundlePath, type ApiFamily } from "./spec.ts";

/** The running proxies and the base URLs to reach them. */
export interface ValidatingProxies {
  strict: BaseUrls;
  lenient: BaseUrls;
  stop(): Promise<void>;
}

/** Starts the proxies (strict and lenient) in front of the given base URLs, for the given families. */
export async function startValidatingProxies(
  upstream: BaseUrls,
  families: readonly ApiFamily[] = ["whatsapp", "messenger"],
): Promise<ValidatingProxies> {
  const wanted = families.flatMap((family) => [true, false].map((strict) => ({ family, strict })));
  const started = await Promise.allSettled(
    wanted.map(({ family, strict }) =>
      startPrism(["proxy", bundlePath, upstream[family], ...(strict ? ["--errors"] : [])]),
    ),
  );
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(running.map((p) => p.stop()));
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const strict: BaseUrls = { ...upstream };
  const lenient: BaseUrls = { ...upstream };
  wanted.forEach(({ family, strict: isStrict }, i) => {
    (isStrict ? strict : lenient)[family] = (running[i] as RunningPrism).url;
  });
  return { strict, lenient, stop };
}
