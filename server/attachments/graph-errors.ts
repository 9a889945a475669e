/**
 * Graph API errors. The texts of the errors the spec documents are read from the spec's own examples
 * (components/examples/Graph*), so the server and the documentation cannot drift apart.
 */
import { randomBytes } from "node:crypto";
import type { ErrorObject } from "ajv";
import { loadOpenApiDocument } from "../validation/openapi-document.ts";

/** The body of one Graph error (inside `{"error": ...}`). */
export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id: string;
}

/** An error to answer in the Graph envelope. */
export class GraphError extends Error {
  override name = "GraphError";
  constructor(
    readonly status: number,
    readonly body: Omit<GraphErrorBody, "fbtrace_id">,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

type ExampleName =
  | "GraphMissingToken"
  | "GraphInvalidToken"
  | "GraphAppsecretProof"
  | "GraphUnknownPage"
  | "GraphAttachmentInvalid"
  | "GraphFetchFailed"
  | "GraphVideoTimeout"
  | "GraphTypeMismatch"
  | "GraphFileTooLarge"
  | "GraphReusableInSend"
  | "GraphInvalidParameter"
  | "GraphServiceUnavailable";

function exampleError(name: ExampleName): Omit<GraphErrorBody, "fbtrace_id"> {
  const examples = loadOpenApiDocument().components.examples as Record<string, { value?: { error?: GraphErrorBody } }>;
  const error = examples[name]?.value?.error;
  if (!error) throw new Error(`The spec has no example ${name} with an error`);
  const { fbtrace_id: _ignored, ...rest } = error;
  return rest;
}

const EXAMPLES = new Map<ExampleName, Omit<GraphErrorBody, "fbtrace_id">>();
function example(name: ExampleName): Omit<GraphErrorBody, "fbtrace_id"> {
  let body = EXAMPLES.get(name);
  if (!body) {
    body = exampleError(name);
    EXAMPLES.set(name, body);
  }
  return { ...body };
}

/** The id the example of GraphUnknownPage names; replaced by the page id of the request. */
const EXAMPLE_PAGE_ID = "'1234567890'";
const WWW_AUTHENTICATE = 'OAuth realm="Graph API"';

/** A fresh trace id, shaped like Graph's. */
export function newFbtraceId(): string {
  return randomBytes(17).toString("base64url").slice(0, 23);
}

/** The errors the Graph routes answer. */
export const graphErrors = {
  missingToken: () => new GraphError(401, example("GraphMissingToken"), { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="invalid_request"` }),
  invalidToken: () => new GraphError(401, example("GraphInvalidToken"), { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="invalid_token"` }),
  appsecretProof: () => new GraphError(400, example("GraphAppsecretProof")),
  unknownPage(pageId: string) {
    const body = example("GraphUnknownPage");
    if (!body.message.includes(EXAMPLE_PAGE_ID)) throw new Error(`GraphUnknownPage example no longer names ${EXAMPLE_PAGE_ID}`);
    // The id comes from the URL: keep it short and printable in the echo.
    const shown = pageId.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
    return new GraphError(400, { ...body, message: body.message.replace(EXAMPLE_PAGE_ID, `'${shown}'`) });
  },
  attachmentInvalid: () => new GraphError(400, example("GraphAttachmentInvalid")),
  fetchFailed: () => new GraphError(400, example("GraphFetchFailed")),
  videoTimeout: () => new GraphError(400, example("GraphVideoTimeout")),
  typeMismatch: () => new GraphError(400, example("GraphTypeMismatch")),
  fileTooLarge: () => new GraphError(400, example("GraphFileTooLarge")),
  reusableInSend: () => new GraphError(400, example("GraphReusableInSend")),
  /** Code 100 with a message of Graph's shape, for example `(#100) The parameter recipient is required`. */
  invalidParameter: (message: string) => new GraphError(400, { ...example("GraphInvalidParameter"), message: `(#100) ${message}` }),
  /** Storage that cannot take the file: Graph's transient code 2. */
  unavailable: () => new GraphError(503, example("GraphServiceUnavailable")),
  methodNotAllowed: (method: string) =>
    new GraphError(405, {
      message: `Unsupported ${method.toLowerCase()} request. This endpoint accepts POST only.`,
      type: "GraphMethodException",
      code: 100,
    }, { Allow: "POST" }),
  unknownPath: (path: string) =>
    new GraphError(404, {
      message: `Unknown path components: ${path.replace(/[^\x20-\x7e]/g, "?").slice(0, 200)}`,
      type: "OAuthException",
      code: 2500,
    }),
};

/** `message.attachment.type` -> `message[attachment][type]`, the way Graph names parameters. */
export function graphParamName(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter(Boolean).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra) parts.push(extra);
  if (parts.length === 0) return "(body)";
  return parts[0] + parts.slice(1).map((p) => `[${p}]`).join("");
}

/** The first ajv error, in Graph's words (`(#100) Param message[attachment][type] must be one of {image, video, audio, file}`). */
export function invalidParameterFromAjv(errors: ErrorObject[] | null | undefined, prefix = ""): GraphError {
  const errs = errors ?? [];
  // oneOf branches report every branch's complaint; the most specific is the deepest one.
  const first = [...errs].sort((a, b) => b.instancePath.length - a.instancePath.length).find((e) => e.keyword !== "oneOf") ?? errs[0];
  if (!first) return graphErrors.invalidParameter("Invalid parameter");
  const at = (extra?: string) => graphParamName(prefix + first.instancePath, extra);
  const params = first.params as Record<string, unknown>;
  switch (first.keyword) {
    case "required":
      return graphErrors.invalidParameter(`The parameter ${at(String(params.missingProperty))} is required`);
    case "additionalProperties":
      return graphErrors.invalidParameter(`Param ${at(String(params.additionalProperty))} is not a recognised parameter`);
    case "enum":
      return graphErrors.invalidParameter(`Param ${at()} must be one of {${(params.allowedValues as unknown[]).join(", ")}}`);
    case "const":
      return graphErrors.invalidParameter(`Param ${at()} must be ${JSON.stringify(params.allowedValue)}`);
    default:
      return graphErrors.invalidParameter(`Param ${at()} ${first.message ?? "is invalid"}`);
  }
}

/** The JSON body of a Graph error reply. */
export function graphErrorBody(err: GraphError): { error: GraphErrorBody } {
  return { error: { ...err.body, fbtrace_id: newFbtraceId() } };
}
