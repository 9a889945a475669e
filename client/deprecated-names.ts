/**
 * Former names of exports renamed after their API family (`messenger`, as the spec's `x-api-family` says), kept so
 * that code written against 0.1.0's README still compiles. They are the same values: `instanceof GraphApiError` and
 * `err.is(graphErrorCatalogue.fetchFailed)` behave as before.
 */
import { messengerErrorCatalogue } from "./errors/messenger-error-catalogue.ts";
import { MessengerApiError } from "./messenger-api-error.ts";

/** @deprecated Renamed `MessengerApiError`. */
export const GraphApiError = MessengerApiError;
/** @deprecated Renamed `MessengerApiError`. */
export type GraphApiError = MessengerApiError;
/** @deprecated Renamed `messengerErrorCatalogue`. */
export const graphErrorCatalogue = messengerErrorCatalogue;
