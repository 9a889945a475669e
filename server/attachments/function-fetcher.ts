/**
 * A SafeFetcher over a fetch function instead of the network: what the emulator uses when its caller supplies how
 * attachment URLs are fetched (a stub, MSW, a map of test files). The URL rules still apply to the first URL and to
 * every redirect (http or https, no credentials, literal addresses judged by the address policy, at most 5
 * redirects), and the body is counted against the type's limit; what a host name reaches is the function's
 * business.
 */
import type { AddressPolicy } from "./address-policy.ts";
import { checkFetchUrl, FetchError, redirectTarget, type SafeFetcher } from "./safe-fetcher.ts";

/** A fetch function (the global `fetch` has this shape). */
export type FetchFunction = (request: Request) => Response | Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function* counted(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > maxBytes) throw new FetchError("tooLarge", `The body is larger than ${maxBytes} bytes`);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The fetcher; `close` has nothing to release. */
export function createFunctionFetcher(
  fetchFn: FetchFunction,
  opts: { policy: AddressPolicy; maxRedirects?: number },
): SafeFetcher {
  const { policy, maxRedirects = 5 } = opts;
  return {
    async get(raw, { maxBytes, signal }) {
      let url = checkFetchUrl(raw, policy);
      for (let redirects = 0; ; redirects++) {
        let res: Response;
        try {
          const request = new Request(url, {
            method: "GET",
            redirect: "manual",
            headers: { accept: "*/*", "user-agent": "meta-media-openapi-emulator" },
            ...(signal ? { signal } : {}),
          });
          res = await fetchFn(request);
        } catch (err) {
          if (signal?.aborted) throw new FetchError("aborted", "The fetch was aborted", { cause: err });
          throw new FetchError("network", (err as Error).message ?? "Network error", { cause: err });
        }
        if (REDIRECTS.has(res.status)) {
          await res.body?.cancel().catch(() => undefined);
          url = redirectTarget(res.status, res.headers.get("location"), url, redirects, maxRedirects, policy);
          continue;
        }
        if (res.status < 200 || res.status >= 300) {
          await res.body?.cancel().catch(() => undefined);
          throw new FetchError("status", `HTTP ${res.status}`);
        }
        const lengthHeader = res.headers.get("content-length");
        const contentLength =
          lengthHeader !== null && /^[0-9]{1,16}$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
        if (contentLength !== undefined && contentLength > maxBytes) {
          await res.body?.cancel().catch(() => undefined);
          throw new FetchError("tooLarge", `Content-Length ${contentLength} is over ${maxBytes}`);
        }
        const body = res.body ?? new Blob([]).stream();
        return {
          url: url.href,
          contentType: res.headers.get("content-type") ?? undefined,
          contentLength,
          body: counted(body, maxBytes),
          discard: () => void body.cancel().catch(() => undefined),
        };
      }
    },
    close: async () => undefined,
  };
}
