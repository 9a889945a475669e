/**
 * The Messenger Platform family (`x-api-family: messenger`, Graph API): page access tokens in the query, a bearer
 * header or the JSON body, the Graph envelope and catalogue (messages from the spec's examples), 64 KB JSON bodies,
 * paths under Graph's version prefix (`/v21.0/me/message_attachments`). A path parameter its schema refuses is an
 * object Graph does not know: 100/33, naming it.
 */
import type { OpenApiDocument } from "../../spec-model/openapi-document.ts";
import type { ApiFamily } from "./api-family.ts";
import {
  MessengerHttpError,
  messengerErrorResponse,
  messengerErrors,
  messengerErrorTexts,
  invalidParameterFromAjv,
} from "./messenger-envelope.ts";
import {
  accessTokenSecurity,
  bearerTokenSecurity,
  createPageAuth,
  type MessengerAuth,
  type PageCredentials,
} from "./messenger-security.ts";

/** JSON bodies of these operations are a few hundred bytes; anything far larger is not one of them. */
export const MESSENGER_JSON_BODY_MAX_BYTES = 64 * 1024;

/** Graph's version segment, `v21.0`. */
const VERSION_PATTERN = "v[0-9]{1,3}\\.[0-9]{1,3}";
const VERSIONED = new RegExp(`^/${VERSION_PATTERN}(/|$)`);

/** The Messenger family for the pages of `credentials`, its error texts from `spec`. */
export function createMessengerFamily(deps: {
  spec: OpenApiDocument;
  credentials: PageCredentials;
}): ApiFamily<MessengerAuth> {
  // Read (and checked against the catalogue) now, so that a spec contradicting the catalogue stops the start.
  const texts = messengerErrorTexts(deps.spec);
  const auth = createPageAuth(deps.credentials);
  const respond = (err: MessengerHttpError) => messengerErrorResponse(err, texts);
  return {
    name: "messenger",
    pathPrefix: `/:version{${VERSION_PATTERN}}`,
    security: { graphAccessToken: accessTokenSecurity(auth), graphBearerAuth: bearerTokenSecurity(auth) },
    jsonBodyMaxBytes: MESSENGER_JSON_BODY_MAX_BYTES,
    // The Graph half has always left the connection open and let the server drain what the client still sends.
    closeAfterEarlyRefusal: false,
    errors: {
      invalidPathParameter: (_name, value) => messengerErrors.unknownPage(value),
      unsupportedMediaType: (accepted) =>
        messengerErrors.invalidParameter(`The request body must be ${accepted.join(" or ")}`),
      bodyTooLarge: (maxBytes) => messengerErrors.invalidParameter(`The request body is larger than ${maxBytes} bytes`),
      malformedBody: () => messengerErrors.invalidParameter("The request body is not valid JSON"),
      notUtf8Body: () => messengerErrors.invalidParameter("The request body is not valid UTF-8"),
      missingBody: () => messengerErrors.invalidParameter("The request body is required"),
      invalidBody: (errors) => invalidParameterFromAjv(errors),
      incompleteBody: () => messengerErrors.invalidParameter("The request body ended before it was complete"),
    },
    errorResponse: (err) => (err instanceof MessengerHttpError ? respond(err) : undefined),
    faultResponse: () => respond(messengerErrors.unknownError()),
    methodNotAllowed: (method, _specPath, allow) => respond(messengerErrors.methodNotAllowed(method, allow)),
    claimsPath: (path) => VERSIONED.test(path),
    notFound: (_method, path) => respond(messengerErrors.unknownPath(path)),
  };
}
