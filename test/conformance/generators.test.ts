// The contract suite's own machinery, checked without the reference server: the schema -> arbitrary generator yields
// only valid values for every component, the mutations only invalid ones, the scenario list covers every documented
// (operationId, status) pair, and requests generated for every operation pass the Prism mock's request validation
// (an independent validator) and get spec-conformant answers.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { listOperations, loadOpenApiDocument } from "../../spec-model/openapi-document.ts";
import { CoverageRecorder, documentedPairs } from "../../conformance/coverage.ts";
import { conformanceProblems, requestUrl } from "../../conformance/exchange.ts";
import { TargetHttp } from "../../conformance/target-http.ts";
import { sampleGeneratedRequests } from "../../conformance/fuzz.ts";
import { mediaSamples } from "../../conformance/media-samples.ts";
import { valueMutations } from "../../conformance/mutations.ts";
import { scenarios } from "../../conformance/scenarios.ts";
import { bundleAjv, schemaArbitrary } from "../../conformance/schema-arbitrary.ts";
import { ContractSession } from "../../conformance/session.ts";

const doc = loadOpenApiDocument();
const SEED = 20251122;
const componentNames = Object.keys(doc.components.schemas ?? {});

describe("schema -> fast-check arbitrary", () => {
  it.each(componentNames)("%s: every generated value validates", (name) => {
    const schema = { $ref: `#/components/schemas/${name}` };
    const validate = bundleAjv().schema(schema);
    const direction = /Response$|^ApplicationSettings$|Masked$|^UserToken$|^WaMeta$|^GraphError$|^WaError$|^User$/.test(
      name,
    )
      ? "response"
      : "request";
    fc.assert(
      fc.property(schemaArbitrary(schema, { direction }), (value) => validate(value) === true),
      { seed: SEED, numRuns: 50 },
    );
  });

  it("handles lookahead patterns (the password rule) with varied values", () => {
    const values = fc.sample(schemaArbitrary({ $ref: "#/components/schemas/Password" }), { seed: SEED, numRuns: 30 });
    expect(new Set(values).size).toBeGreaterThan(20);
    for (const v of values) expect(v).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[^A-Za-z0-9]).{8,64}$/);
  });

  it("reaches both branches of a oneOf and both types of a type union", () => {
    const configs = fc.sample(schemaArbitrary({ $ref: "#/components/schemas/MediaProvider" }), {
      seed: SEED,
      numRuns: 60,
    }) as Array<{ config: object }>;
    expect(configs.some((p) => "basic" in p.config)).toBe(true);
    expect(configs.some((p) => "bearer" in p.config)).toBe(true);
    const delays = fc.sample(schemaArbitrary({ $ref: "#/components/schemas/DelayMilliseconds" }), {
      seed: SEED,
      numRuns: 60,
    });
    expect(delays.some((d) => typeof d === "string")).toBe(true);
    expect(delays.some((d) => typeof d === "number")).toBe(true);
  });
});

describe("mutations of valid values", () => {
  const requestSchemas = [
    "CreateUserRequest",
    "ApplicationSettingsPatch",
    "MediaProvidersUpdate",
    "SendMessageRequest",
    "AttachmentUploadRequest",
    "LoginRequest",
  ];
  it.each(requestSchemas)("%s: every mutation is invalid and every kind appears", (name) => {
    const schema = { $ref: `#/components/schemas/${name}` };
    const validate = bundleAjv().schema(schema);
    const kinds = new Set<string>();
    for (const value of fc.sample(schemaArbitrary(schema), { seed: SEED, numRuns: 10 })) {
      for (const m of valueMutations(schema, value)) {
        expect(validate(m.apply(value)), `${m.kind} at ${m.at}`).toBe(false);
        kinds.add(m.kind);
      }
    }
    expect(kinds).toContain("wrong type");
    expect(kinds).toContain("unknown property");
  });
});

describe("media samples", () => {
  it("has one sample per documented upload type, each under its x-max-bytes", () => {
    const documented = Object.keys(
      listOperations().find((o) => o.operationId === "uploadMedia")!.operation.requestBody!.content,
    );
    const samples = mediaSamples();
    expect(samples.map((s) => s.documented)).toEqual(documented);
    for (const s of samples) expect(s.bytes.length).toBeLessThanOrEqual(s.maxBytes);
  });
});

describe("scenario list and coverage table", () => {
  it("has a scenario for every documented (operationId, status) pair", () => {
    const have = new Set(scenarios().map((s) => `${s.operationId} ${s.status}`));
    const missing = documentedPairs().filter((p) => !have.has(`${p.operationId} ${p.status}`));
    expect(missing).toEqual([]);
  });

  it("reports missing and undocumented pairs", () => {
    const recorder = new CoverageRecorder();
    for (const p of documentedPairs().slice(1)) recorder.record(p.operationId, Number(p.status));
    recorder.record("loginUser", 418);
    const first = documentedPairs()[0]!;
    expect(recorder.missing()).toEqual([first]);
    expect(recorder.undocumented()).toEqual([{ operationId: "loginUser", status: "418" }]);
    expect(recorder.table()).toMatch(/UNDOCUMENTED/);
    expect(recorder.percent()).toBeLessThan(100);
  });
});

describe("generated requests against the Prism mock", () => {
  const prismUrl = inject("prismUrl");
  const session = new ContractSession({
    whatsAppBaseUrl: prismUrl,
    graphBaseUrl: prismUrl,
    admin: { username: "admin", password: "Mock-Passw0rd!" },
    user: { username: "someone", password: "Mock-Passw0rd!" },
    messenger: { pageId: "1234567890", accessToken: "mock-page-token" },
    families: ["whatsapp", "messenger"],
    destructive: true,
    disposable: true,
  });

  it.each(listOperations().map((o) => o.operationId))(
    "%s: Prism accepts generated requests and its answers conform",
    async (operationId) => {
      const requests = await sampleGeneratedRequests(session, operationId, 8, SEED);
      for (const req of requests) {
        const res = await new TargetHttp([prismUrl]).send({
          url: requestUrl({ whatsapp: prismUrl, messenger: prismUrl }, req),
          method: req.method,
          ...(req.headers ? { headers: req.headers } : {}),
          ...(req.body !== undefined ? { body: req.body } : {}),
        });
        // Prism answers 422 (or its own 4xx problem+json) when a request breaks the spec.
        expect(res.status, `${req.method} ${req.path}: ${res.text?.slice(0, 500)}`).not.toBe(422);
        expect(res.headers.get("content-type") ?? "").not.toMatch(/problem\+json/);
        expect(conformanceProblems(operationId, res)).toEqual([]);
      }
    },
  );
});
