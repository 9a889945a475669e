/**
 * Former names of exports renamed after their API family (`whatsapp`, `messenger`, as the spec's `x-api-family`
 * says), kept so that code written against 0.1.0's README still compiles. They are the same values and types:
 * `instanceof GraphApiError` and `err.is(graphErrorCatalogue.fetchFailed)` behave as before.
 */
import {
  isMessengerErrorOf,
  type MessengerErrorEntry,
  type MessengerErrorName,
  messengerErrorCatalogue,
} from "./errors/messenger-error-catalogue.ts";
import {
  WHATSAPP_ERROR_TITLES,
  type WhatsAppErrorCode,
  type WhatsAppErrorEntry,
} from "./errors/whatsapp-error-catalogue.ts";
import { MessengerApiError } from "./messenger-api-error.ts";

/** @deprecated Renamed `MessengerApiError`. */
export const GraphApiError = MessengerApiError;
/** @deprecated Renamed `MessengerApiError`. */
export type GraphApiError = MessengerApiError;
/** @deprecated Renamed `messengerErrorCatalogue`. */
export const graphErrorCatalogue = messengerErrorCatalogue;
/** @deprecated Renamed `isMessengerErrorOf`. */
export const isGraphErrorOf = isMessengerErrorOf;
/** @deprecated Renamed `MessengerErrorEntry`. */
export type GraphErrorEntry = MessengerErrorEntry;
/** @deprecated Renamed `MessengerErrorName`. */
export type GraphErrorName = MessengerErrorName;
/** @deprecated Renamed `WHATSAPP_ERROR_TITLES`. */
export const WA_ERROR_TITLES = WHATSAPP_ERROR_TITLES;
/** @deprecated Renamed `WhatsAppErrorCode`. */
export type WaErrorCode = WhatsAppErrorCode;
/** @deprecated Renamed `WhatsAppErrorEntry`. */
export type WaErrorEntry = WhatsAppErrorEntry;
