/**
 * The Messenger family's error envelope, the Graph API's (`{"error": {message, type, code, error_subcode,
 * fbtrace_id}}`), and the server's side of the Messenger error catalogue (client/errors/messenger-error-catalogue.ts):
 * `messengerErrors.fetchFailed()` and its siblings are the only way server code raises a Messenger error. The message
 * of an error the spec has an example of is that example's message, read from the spec the app serves
 * (`messengerErrorTexts`), so docs and server cannot drift.
 */
import { randomBytes } from "node:crypto";
import type { ErrorObject } from "ajv";
import { messengerErrorCatalogue, type MessengerErrorEntry, type MessengerErrorName } from "@meta-media-openapi/client";
import { perDocument, type OpenApiDocument } from "../../spec-model/openapi-document.ts";

/** The body of one Graph error (inside `{"error": ...}`). */
export interface MessengerErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id: string;
}

/** The message an error carries: its own, or one made from the spec example's message. */
type MessageSource = string | ((exampleMessage: string) => string) | undefined;

/** An error to answer in the Graph envelope; its message is settled when the reply is written. */
export class MessengerHttpError extends Error {
  override name = "MessengerHttpError";
  constructor(
    readonly entry: MessengerErrorEntry,
    private readonly text?: MessageSource,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof text === "string" ? text : entry.title);
  }

  get status(): number {
    return this.entry.status;
  }

  /** The message, given the messages of the spec's examples. */
  messageWith(texts: MessengerErrorTexts): string {
    const example = this.entry.example === undefined ? undefined : texts.get(this.entry.example);
    if (typeof this.text === "string") return this.text;
    if (example === undefined) return this.entry.title;
    return this.text ? this.text(example) : example;
  }
}

/** Messages of the spec's Graph error examples, by example name. */
export type MessengerErrorTexts = ReadonlyMap<string, string>;

/**
 * The messages of every example the catalogue names, from `doc`. Throws when an example is missing or its code,
 * subcode or type differ from the catalogue's entry: the server must not start with a spec that contradicts it.
 */
export const messengerErrorTexts: (doc: OpenApiDocument) => MessengerErrorTexts = perDocument((doc) => {
  const examples = (doc.components?.examples ?? {}) as Record<
    string,
    { value?: { error?: Partial<MessengerErrorBody> } }
  >;
  const texts = new Map<string, string>();
  for (const [name, entry] of Object.entries(messengerErrorCatalogue) as Array<[string, MessengerErrorEntry]>) {
    if (entry.example === undefined) continue;
    const error = examples[entry.example]?.value?.error;
    if (!error || typeof error.message !== "string") {
      throw new Error(`Graph error ${name}: the spec has no example ${entry.example} with an error message`);
    }
    const subcode = "subcode" in entry ? entry.subcode : undefined;
    if (error.code !== entry.code || error.error_subcode !== subcode || error.type !== entry.type) {
      throw new Error(
        `Graph error ${name}: example ${entry.example} says ${error.code}/${error.error_subcode}/${error.type}, ` +
          `the catalogue ${entry.code}/${subcode}/${entry.type}`,
      );
    }
    texts.set(entry.example, error.message);
  }
  return texts;
});

/** A fresh trace id, shaped like Graph's. */
export function newFbtraceId(): string {
  return randomBytes(17).toString("base64url").slice(0, 23);
}

/** The id the example of GraphUnknownPage names; replaced by the page id of the request. */
const EXAMPLE_PAGE_ID = "'1234567890'";
const WWW_AUTHENTICATE = 'OAuth realm="Graph API"';

const raise =
  (name: MessengerErrorName) =>
  (text?: MessageSource, headers?: Record<string, string>): MessengerHttpError =>
    new MessengerHttpError(messengerErrorCatalogue[name], text, headers);

/** Raises the catalogue's errors. */
export const messengerErrors = {
  missingToken: () =>
    raise("missingToken")(undefined, { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="invalid_request"` }),
  invalidToken: () =>
    raise("invalidToken")(undefined, { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="invalid_token"` }),
  appsecretProof: () => raise("appsecretProof")(),
  unknownPage(pageId: string) {
    // The id comes from the URL: keep it short and printable in the echo.
    const shown = pageId.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
    return raise("unknownPage")((example) => {
      if (!example.includes(EXAMPLE_PAGE_ID)) return `Object with ID '${shown}' does not exist`;
      return example.replace(EXAMPLE_PAGE_ID, `'${shown}'`);
    });
  },
  attachmentInvalid: () => raise("attachmentInvalid")(),
  fetchFailed: () => raise("fetchFailed")(),
  videoTimeout: () => raise("videoTimeout")(),
  typeMismatch: () => raise("typeMismatch")(),
  fileTooLarge: () => raise("fileTooLarge")(),
  reusableInSend: () => raise("reusableInSend")(),
  /** Code 100 with a message of Graph's shape, for example `(#100) The parameter recipient is required`. */
  invalidParameter: (message: string) => raise("invalidParameter")(`(#100) ${message}`),
  /** Storage that cannot take the file: Graph's transient code 2. */
  serviceUnavailable: () => raise("serviceUnavailable")(),
  methodNotAllowed: (method: string, allow: readonly string[]) =>
    raise("methodNotAllowed")(
      `Unsupported ${method.toLowerCase()} request. This endpoint accepts ${allow.join(", ")} only.`,
      { Allow: allow.join(", ") },
    ),
  unknownPath: (path: string) =>
    raise("unknownPath")(`Unknown path components: ${path.replace(/[^\x20-\x7e]/g, "?").slice(0, 200)}`),
  unknownError: () => raise("unknownError")("An unknown error has occurred."),
};

/** `message.attachment.type` -> `message[attachment][type]`, the way Graph names parameters. */
export function messengerParamName(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split("/")
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra) parts.push(extra);
  if (parts.length === 0) return "(body)";
  return (
    parts[0] +
    parts
      .slice(1)
      .map((p) => `[${p}]`)
      .join("")
  );
}

/** The first ajv error, in Graph's words (`(#100) Param message[attachment][type] must be one of {...}`). */
export function invalidParameterFromAjv(errors: ErrorObject[] | null | undefined, prefix = ""): MessengerHttpError {
  const errs = errors ?? [];
  // oneOf branches report every branch's complaint; the most specific is the deepest one.
  const first =
    [...errs].sort((a, b) => b.instancePath.length - a.instancePath.length).find((e) => e.keyword !== "oneOf") ??
    errs[0];
  if (!first) return messengerErrors.invalidParameter("Invalid parameter");
  const at = (extra?: string) => messengerParamName(prefix + first.instancePath, extra);
  const params = first.params as Record<string, unknown>;
  switch (first.keyword) {
    case "required":
      return messengerErrors.invalidParameter(`The parameter ${at(String(params.missingProperty))} is required`);
    case "additionalProperties":
      return messengerErrors.invalidParameter(
        `Param ${at(String(params.additionalProperty))} is not a recognised parameter`,
      );
    case "enum":
      return messengerErrors.invalidParameter(
        `Param ${at()} must be one of {${(params.allowedValues as unknown[]).join(", ")}}`,
      );
    case "const":
      return messengerErrors.invalidParameter(`Param ${at()} must be ${JSON.stringify(params.allowedValue)}`);
    default:
      return messengerErrors.invalidParameter(`Param ${at()} ${first.message ?? "is invalid"}`);
  }
}

/** The JSON reply of a Graph error, its message taken from `texts` where the spec has one. */
export function messengerErrorResponse(err: MessengerHttpError, texts: MessengerErrorTexts): Response {
  const { entry } = err;
  const body: { error: MessengerErrorBody } = {
    error: {
      message: err.messageWith(texts),
      type: entry.type,
      code: entry.code,
      ...(entry.subcode !== undefined ? { error_subcode: entry.subcode } : {}),
      ...(entry.transient ? { is_transient: true } : {}),
      fbtrace_id: newFbtraceId(),
    },
  };
  return new Response(JSON.stringify(body), {
    status: entry.status,
    headers: { "Content-Type": "application/json", ...err.headers },
  });
}
