/** Reading what an exchange said, for the features' `track`: the path's last segment, a JSON body, the outcome. */
import { getOperation } from "../../spec-model/openapi-document.ts";

/**
 * The last path segment of a request, decoded; undefined when a URL parser would resolve it away (`.`, `..`, in any
 * percent-encoded spelling): such a request reached another path than the one it names.
 */
export function lastSegment(path: string): string | undefined {
  const raw = path.split("?")[0]!.split("/").pop() ?? "";
  if (/^(?:\.|%2e){1,2}$/i.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The JSON value of a request body, if it is JSON. */
export function jsonOf(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a status is a success. */
export const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * Whether an exchange may have done what it asked: a success, no reply, or a server fault the operation does not
 * document (its outcome is unknown). A documented refusal (a 4xx, the storage-full 503) did nothing.
 */
export function mayHaveSucceeded(operationId: string, status: number | undefined): boolean {
  if (status === undefined || isSuccess(status)) return true;
  return status >= 500 && !(String(status) in getOperation(operationId).operation.responses);
}
