/**
 * What an API family supplies to the registrar: everything that differs between the WhatsApp and the Messenger
 * (Graph) halves of the spec. Which family an operation belongs to is declared in the spec (`x-api-family`).
 */
import type { ErrorObject } from "ajv";
import type { SpecOperation } from "../../spec-model/openapi-document.ts";
import type { ValidationWording } from "./operation-handler.ts";
import type { OperationRequest } from "./operation-request.ts";

/** A security scheme's verdict that the request carries no credentials of that scheme. */
export class CredentialsAbsent {
  /** `error` is what the request is refused with when no alternative of the operation's security applies. */
  constructor(readonly error: unknown) {}
}

/**
 * Authenticates a request for one security scheme, keyed in the family by the scheme's name in the spec. `scopes`
 * are those of the operation's security requirement (roles, for WA). Returns the authentication result, or
 * CredentialsAbsent when the request carries none of this scheme's credentials; throws to refuse.
 */
export type SecurityHandler<Auth> = (
  request: OperationRequest,
  scopes: readonly string[],
) => Auth | CredentialsAbsent | Promise<Auth | CredentialsAbsent>;

/** The errors a family answers for what the registrar checks before a handler runs. */
export interface FamilyRequestErrors {
  /** A path parameter its schema refuses (when the operation says nothing more precise). */
  invalidPathParameter(name: string, value: string, errors: ErrorObject[]): unknown;
  /** The Content-Type is none of the operation's request media types. */
  unsupportedMediaType(accepted: readonly string[]): unknown;
  /** The JSON body is over the family's limit. */
  bodyTooLarge(maxBytes: number): unknown;
  /** The JSON body is not valid JSON. */
  malformedBody(): unknown;
  /** The JSON body is not UTF-8. */
  notUtf8Body(): unknown;
  /** A required body is empty. */
  missingBody(): unknown;
  /** The JSON body does not match its schema. */
  invalidBody(errors: ErrorObject[], wording: ValidationWording | undefined): unknown;
  /** The body broke off before its end (the client went away). */
  incompleteBody(cause: Error): unknown;
}

/** An API family. */
export interface ApiFamily<Auth> {
  /** The value of `x-api-family` this family serves. */
  name: string;
  /** Hono pattern put before every spec path of the family (Graph's `/{version}`); "" for none. */
  pathPrefix: string;
  /** Handlers of the security schemes the family understands, by scheme name. */
  security: Record<string, SecurityHandler<Auth>>;
  /** The bound of the one JSON reader for this family's bodies. */
  jsonBodyMaxBytes: number;
  /**
   * Whether a refusal sent before the request body was read (auth, size, type, storage; not a 400) asks the client
   * to close the connection (`Connection: close`) rather than keep it while the server drains the rest.
   */
  closeAfterEarlyRefusal: boolean;
  errors: FamilyRequestErrors;
  /** The reply for an error of this family's catalogue; undefined for anything else (a fault). */
  errorResponse(err: unknown): Response | undefined;
  /** The reply for a fault (logged by the registrar). */
  faultResponse(): Response;
  /** 405 with `Allow` for a method `operations` (the path's) do not have. */
  methodNotAllowed(method: string, specPath: string, allow: readonly string[]): Response;
  /** Whether an unknown path is in this family's space (for its 404). */
  claimsPath(path: string): boolean;
  /** 404 for an unknown path in the family's space. */
  notFound(method: string, path: string): Response;
  /** Optional start-up check of an operation the family is given (throw to refuse to start). */
  checkOperation?(operation: SpecOperation): void;
}
