// The suite catches a deliberately broken server: the reference app wrapped so that it drops a required field,
// answers an undocumented status, sends the wrong content type, and corrupts downloaded bytes. Each breakage must be
// caught by every layer that should see it (layer 1 scenarios through the proxy, layer 2 coverage, layer 4 fuzzing),
// and each failure must name the operation, the request and the rule.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzzLayer, type FuzzResult } from "../../conformance/fuzz.ts";
import { breakResponse } from "../support/broken-responses.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { runScenarioLayer, type ScenarioLayerResult } from "../../conformance/scenarios.ts";
import { ContractSession } from "../../conformance/session.ts";
import { startValidatingProxy } from "../../conformance/validating-proxy.ts";

const SEED = 20251122;
const OPERATIONS = ["getApplicationSettings", "deleteMedia", "getMediaProviders", "downloadMedia", "uploadMedia"];

let ref: ReferenceTarget;
let session: ContractSession;
let layer1: ScenarioLayerResult;
let layer4: FuzzResult;

beforeAll(async () => {
  ref = await startReferenceTarget({
    wrap: (app) => ({ fetch: async (request) => breakResponse(request, await app.fetch(request)) }),
  });
  session = new ContractSession(ref.target);
  const proxy = await startValidatingProxy(session.direct);
  try {
    layer1 = await runScenarioLayer(session, proxy, { operations: OPERATIONS });
  } finally {
    await proxy.stop();
  }
  layer4 = await runFuzzLayer(session, { seed: SEED, runs: 5, statefulRuns: 2, operations: OPERATIONS });
}, 240_000);

afterAll(async () => {
  await ref?.close();
});

const messages = (failures: Error[]) => failures.map((f) => f.message);

describe("a broken server is caught", () => {
  it("a dropped required field: layer 1 (validating proxy) and layer 4", () => {
    const l1 = messages(layer1.failures).filter((m) => m.includes("getApplicationSettings broke rule"));
    expect(l1.length).toBeGreaterThan(0);
    expect(l1.join("\n")).toMatch(/wa_id/);
    expect(l1.join("\n")).toMatch(/request: {2}GET http:\/\/127\.0\.0\.1:[0-9]+\/v1\/settings\/application/);
    expect(l1.join("\n")).toMatch(/broke rule "(validating proxy reports no violation|response matches the spec)"/);
    const l4 = messages(layer4.failures).filter((m) => m.includes("getApplicationSettings"));
    expect(l4.join("\n")).toMatch(/must have required property 'wa_id'/);
    expect(l4.join("\n")).toMatch(
      /replay: npx meta-media-openapi test --layer fuzz --seed 20251122 --operation getApplicationSettings/,
    );
  });

  it("an undocumented status: layer 1, layer 2 (coverage) and layer 4", () => {
    const l1 = messages(layer1.failures).filter((m) => m.includes("deleteMedia broke rule"));
    expect(l1.join("\n")).toMatch(/Unable to match the returned status code|status 410 is not documented/);
    expect(session.coverage.missing()).toContainEqual({ operationId: "deleteMedia", status: "404" });
    expect(session.coverage.undocumented()).toContainEqual({ operationId: "deleteMedia", status: "410" });
    expect(session.coverage.table()).toMatch(/deleteMedia +410 +[0-9]+ +UNDOCUMENTED/);
    expect(
      messages(layer4.failures)
        .filter((m) => m.includes("of deleteMedia"))
        .join("\n"),
    ).toMatch(/status 410 is not documented/);
  });

  it("a wrong content type: layer 1 and layer 4", () => {
    const l1 = messages(layer1.failures).filter((m) => m.includes("getMediaProviders broke rule"));
    expect(l1.length).toBeGreaterThan(0);
    expect(
      messages(layer4.failures)
        .filter((m) => m.includes("of getMediaProviders"))
        .join("\n"),
    ).toMatch(/Content-Type text\/plain is not documented/);
  });

  it("corrupted binary bytes: layer 1 (in-process byte check) and layer 4 (stateful model)", () => {
    expect(messages(layer1.failures).join("\n")).toMatch(
      /downloadMedia broke rule "the downloaded bytes are the uploaded ones": the body differs from the bytes expected/,
    );
    expect(messages(layer4.failures).join("\n")).toMatch(/download returns the uploaded bytes and type/);
  });

  it("untouched operations still pass", () => {
    expect(messages(layer1.failures).some((m) => m.includes("uploadMedia broke rule"))).toBe(false);
  });
});
