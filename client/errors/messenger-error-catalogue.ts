/**
 * Every error the Messenger (Graph API) operations answer: HTTP status, Graph `code`, `error_subcode` and `type`,
 * a title and when it is used. Where the spec has an example of the error (`components/examples/Graph*`), `example`
 * names it: the reference server takes the message text from that example of the spec it serves, and refuses to
 * start when the example's code, subcode or type disagree with the entry. Plain data with no dependency, so the
 * client package carries it without any server code.
 */

/** One kind of Graph error. */
export interface MessengerErrorEntry {
  readonly status: number;
  readonly code: number;
  readonly subcode?: number;
  readonly type: string;
  /** Graph's `is_transient`: retrying later may succeed. */
  readonly transient?: boolean;
  readonly title: string;
  /** When the server answers it. */
  readonly when: string;
  /** The spec example (`#/components/examples/<name>`) whose message the server answers. */
  readonly example?: string;
}

/** The Messenger error catalogue. */
export const messengerErrorCatalogue = {
  missingToken: {
    status: 401,
    code: 190,
    type: "OAuthException",
    title: "Missing access token",
    when: "No access token in the query, the Authorization header or the JSON body.",
    example: "GraphMissingToken",
  },
  invalidToken: {
    status: 401,
    code: 190,
    type: "OAuthException",
    title: "Invalid access token",
    when: "The access token is not a page access token of a configured page.",
    example: "GraphInvalidToken",
  },
  appsecretProof: {
    status: 400,
    code: 100,
    type: "GraphMethodException",
    title: "Invalid appsecret_proof",
    when: "The app requires appsecret_proof and it is missing or wrong.",
    example: "GraphAppsecretProof",
  },
  unknownPage: {
    status: 400,
    code: 100,
    subcode: 33,
    type: "GraphMethodException",
    title: "Unknown page",
    when: "The page id of the path is neither `me` nor the page of the token.",
    example: "GraphUnknownPage",
  },
  attachmentInvalid: {
    status: 400,
    code: 100,
    subcode: 2018074,
    type: "OAuthException",
    title: "Attachment id invalid",
    when: "The attachment id is unknown, expired, not reusable or another page's.",
    example: "GraphAttachmentInvalid",
  },
  fetchFailed: {
    status: 400,
    code: 100,
    subcode: 2018008,
    type: "OAuthException",
    title: "URL could not be fetched",
    when: "Fetching the URL failed: address refused, DNS, connection, status, redirects, size or time.",
    example: "GraphFetchFailed",
  },
  videoTimeout: {
    status: 400,
    code: 100,
    subcode: 2018294,
    type: "OAuthException",
    title: "Video timed out or corrupt",
    when: "A video could not be fetched in time, or its bytes are not a video.",
    example: "GraphVideoTimeout",
  },
  typeMismatch: {
    status: 400,
    code: 100,
    subcode: 2018047,
    type: "OAuthException",
    title: "Attachment type mismatch",
    when: "The declared type does not match the file, or the type of the attachment sent by id.",
    example: "GraphTypeMismatch",
  },
  fileTooLarge: {
    status: 400,
    code: 100,
    type: "OAuthException",
    title: "File too large",
    when: "The uploaded file is over the size limit of its type.",
    example: "GraphFileTooLarge",
  },
  reusableInSend: {
    status: 400,
    code: 100,
    type: "OAuthException",
    title: "is_reusable in upload-and-send",
    when: "An upload-and-send sets is_reusable to true.",
    example: "GraphReusableInSend",
  },
  invalidParameter: {
    status: 400,
    code: 100,
    type: "OAuthException",
    title: "Invalid parameter",
    when: "A parameter is missing, unknown or invalid, or the body is not the JSON or form the operation takes.",
    example: "GraphInvalidParameter",
  },
  serviceUnavailable: {
    status: 503,
    code: 2,
    type: "OAuthException",
    transient: true,
    title: "Service unavailable",
    when: "Storage could not take the file; nothing was stored. Retry later.",
    example: "GraphServiceUnavailable",
  },
  methodNotAllowed: {
    status: 405,
    code: 100,
    type: "GraphMethodException",
    title: "Unsupported method",
    when: "The path does not have this method (with Allow).",
  },
  unknownPath: {
    status: 404,
    code: 2500,
    type: "OAuthException",
    title: "Unknown path",
    when: "No operation has this path.",
  },
  unknownError: {
    status: 500,
    code: 1,
    type: "OAuthException",
    title: "Unknown error",
    when: "A fault of the server, or a reply without a Graph envelope.",
  },
} as const satisfies Record<string, MessengerErrorEntry>;

/** The name of an entry of the Messenger catalogue. */
export type MessengerErrorName = keyof typeof messengerErrorCatalogue;

/** Whether a Graph error body (`code`, `error_subcode`) is of the kind `entry` describes. */
export function isMessengerErrorOf(
  error: { code: number; error_subcode?: number },
  entry: MessengerErrorEntry,
): boolean {
  return error.code === entry.code && error.error_subcode === entry.subcode;
}
