/**
 * meta-media-openapi client: typed WhatsApp On-Premises and Messenger clients built on openapi-fetch and the spec's
 * types.
 */
export {
  createWhatsAppClient,
  type FetchFunction,
  type MediaContentType,
  type OpenApiClient,
  type WhatsAppClient,
  type WhatsAppClientOptions,
} from "./whatsapp-client.ts";
export {
  appsecretProof,
  createMessengerClient,
  type AttachmentSource,
  type AttachmentType,
  type MessengerClient,
  type MessengerClientOptions,
} from "./messenger-client.ts";
export { WhatsAppApiError, type WaError, type WaMeta } from "./whatsapp-api-error.ts";
export { MessengerApiError } from "./messenger-api-error.ts";
export {
  WHATSAPP_ERROR_TITLES,
  whatsAppErrorCatalogue,
  whatsAppErrorForStatus,
  type WhatsAppErrorCode,
  type WhatsAppErrorEntry,
  type WhatsAppErrorName,
} from "./errors/whatsapp-error-catalogue.ts";
export {
  messengerErrorCatalogue,
  isMessengerErrorOf,
  type MessengerErrorEntry,
  type MessengerErrorName,
} from "./errors/messenger-error-catalogue.ts";
export {
  GraphApiError,
  graphErrorCatalogue,
  isGraphErrorOf,
  WA_ERROR_TITLES,
  type GraphErrorEntry,
  type GraphErrorName,
  type WaErrorCode,
  type WaErrorEntry,
} from "./deprecated-names.ts";
export type { MediaUploadBody } from "./media-body.ts";
export { saveMediaToFile, type DownloadedMedia } from "./media-download.ts";
export type { components, operations, paths } from "../generated/openapi.d.ts";
