/**
 * Test-side wrapper over the conformance suite's reply rules (conformance/response-conformance.ts): asserts that a
 * fetch Response conforms to what the spec documents for an operation. One rule set serves the server, client and
 * contract suites and the tool's `test` command.
 */
import { documentedResponseOf, responseProblems } from "../../conformance/response-conformance.ts";

/** Options of `expectResponseMatchesSpec`. */
export interface SpecResponseOptions {
  /** Documented headers that must be present (names, case-insensitive). */
  requireHeaders?: string[];
}

/** Every way a Response departs from the spec for `operationId` (empty when it conforms). Reads a clone. */
export async function specProblemsOf(
  operationId: string,
  response: Response,
  opts: SpecResponseOptions = {},
): Promise<string[]> {
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  const contentType = response.headers.get("content-type");
  const text =
    bytes.length === 0 || (contentType !== null && /json/i.test(contentType))
      ? new TextDecoder().decode(bytes)
      : undefined;
  const problems = responseProblems(operationId, {
    status: response.status,
    headers: response.headers,
    size: bytes.length,
    ...(text !== undefined ? { text } : {}),
  });
  const documented = Object.keys(documentedResponseOf(operationId, response.status)?.headers ?? {}).map((n) =>
    n.toLowerCase(),
  );
  for (const name of opts.requireHeaders ?? []) {
    if (!documented.includes(name.toLowerCase()))
      problems.push(`${operationId} ${response.status}: header ${name} is not documented`);
    else if (response.headers.get(name) === null)
      problems.push(`${operationId} ${response.status}: header ${name} is missing`);
  }
  return problems;
}

/**
 * Asserts that a fetch Response conforms to the spec for `operationId` (status, Content-Type, JSON body, documented
 * headers) and returns its parsed JSON body (or `undefined` for an empty or non-JSON body). It reads a clone, so the
 * caller can still read the body (for example the bytes of a download).
 */
export async function expectResponseMatchesSpec(
  operationId: string,
  response: Response,
  opts: SpecResponseOptions = {},
): Promise<unknown> {
  const problems = await specProblemsOf(operationId, response, opts);
  if (problems.length) throw new Error(problems.join("\n"));
  const contentType = response.headers.get("content-type");
  if (contentType === null || !/json/i.test(contentType)) return undefined;
  const text = await response.clone().text();
  return text ? JSON.parse(text) : undefined;
}
