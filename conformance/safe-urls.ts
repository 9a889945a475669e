/**
 * Generated values never lead anywhere: a URL in a generated body (an attachment to fetch, a webhook to call back)
 * has its host moved under `.invalid`, a name that never resolves, or becomes the fetchable URL the run was given.
 */

/** `value` with every http(s) URL in it made harmless; `pick` chooses when the fetchable URL is used instead. */
export function safeUrls(value: unknown, fetchable: string | undefined, pick: number): unknown {
  if (typeof value === "string" && /^https?:\/\//.test(value)) {
    if (fetchable && pick % 3 === 0) return fetchable;
    try {
      const url = new URL(value);
      url.hostname = `${url.hostname.replace(/\.$/, "")}.invalid`;
      return url.toString();
    } catch {
      return "https://contract.invalid/unparsable";
    }
  }
  if (Array.isArray(value)) return value.map((v) => safeUrls(v, fetchable, pick));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeUrls(v, fetchable, pick)]));
  return value;
}
