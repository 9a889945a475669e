/** The names exports had before they took their API family's name still import, as the same values. */
import { describe, expect, it } from "vitest";
import * as client from "../../client/index.ts";
import type { GraphErrorEntry, MessengerErrorEntry, WaErrorEntry, WhatsAppErrorEntry } from "../../client/index.ts";

describe("former export names (client/deprecated-names.ts)", () => {
  it("GraphApiError, graphErrorCatalogue, isGraphErrorOf and WA_ERROR_TITLES are the renamed values themselves", () => {
    expect(client.GraphApiError).toBe(client.MessengerApiError);
    expect(client.graphErrorCatalogue).toBe(client.messengerErrorCatalogue);
    expect(client.isGraphErrorOf).toBe(client.isMessengerErrorOf);
    expect(client.WA_ERROR_TITLES).toBe(client.WHATSAPP_ERROR_TITLES);
  });

  it("the former type names are the renamed types", () => {
    const messenger: MessengerErrorEntry = client.messengerErrorCatalogue.fetchFailed;
    const graph: GraphErrorEntry = messenger;
    const whatsApp: WhatsAppErrorEntry = client.whatsAppErrorForStatus(404);
    const wa: WaErrorEntry = whatsApp;
    expect(client.isGraphErrorOf({ code: graph.code, error_subcode: graph.subcode }, graph)).toBe(true);
    expect(wa.code).toBe(whatsApp.code);
  });
});
