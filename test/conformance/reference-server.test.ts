// The contract suite against the reference server, in the order a user's run goes: layer 1 (a scenario for every
// documented status, JSON operations through Prism validating proxy, binary/multipart ones checked in-process),
// layer 4 (fast-check fuzzing with a fixed seed), then layer 2: the coverage table printed and required at 100%.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOperations } from "../../spec-model/openapi-document.ts";
import { fuzzTable, runFuzzLayer } from "../../conformance/fuzz.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { runScenarioLayer } from "../../conformance/scenarios.ts";
import { leaveAsFound, readStateBefore } from "../../conformance/cleanup.ts";
import { RunReport } from "../../conformance/run-report.ts";
import { ContractSession } from "../../conformance/session.ts";
import { startValidatingProxy } from "../../conformance/validating-proxy.ts";

/** Fixed in `npm test`; set CONFORMANCE_SEED to replay another run. */
const SEED = Number(process.env.CONFORMANCE_SEED ?? 20251122);
const RUNS = 100;

let ref: ReferenceTarget;
let session: ContractSession;

beforeAll(async () => {
  ref = await startReferenceTarget();
  session = new ContractSession(ref.target);
  // What the cleanup puts back at the end is read first, as a run does.
  expect(await readStateBefore(session, new RunReport())).toBe(true);
});

afterAll(async () => {
  await ref?.close();
});

describe("contract suite against the reference server", () => {
  it("layer 1: every scenario passes through the validating proxy", async () => {
    const proxy = await startValidatingProxy(session.direct);
    try {
      const result = await runScenarioLayer(session, proxy);
      expect(result.failures.map((f) => f.message)).toEqual([]);
      expect(result.skipped).toEqual([]);
      expect(result.ran).toBeGreaterThanOrEqual(listOperations().length);
    } finally {
      await proxy.stop();
    }
  }, 180_000);

  it(`layer 4: ${RUNS} generated and ${RUNS} mutated requests per operation, ` +
    `security and stateful models (seed ${SEED})`, async () => {
    const result = await runFuzzLayer(session, { seed: SEED, runs: RUNS, statefulRuns: 10 });
    console.log(fuzzTable(result));
    expect(result.failures.map((f) => f.message)).toEqual([]);
    expect(result.skipped).toEqual([]);
    for (const op of listOperations()) {
      const counts = result.counts[op.operationId]!;
      expect(counts.generated, op.operationId).toBeGreaterThanOrEqual(RUNS);
      expect(counts.mutated, op.operationId).toBeGreaterThanOrEqual(RUNS);
      expect(counts.security, op.operationId).toBeGreaterThanOrEqual(3);
    }
    for (const id of [
      "uploadMedia",
      "downloadMedia",
      "deleteMedia",
      "updateApplicationSettings",
      "resetApplicationSettings",
      "uploadAttachment",
      "sendMessage",
      "createUser",
      "loginUser",
      "deleteUser",
      "updateMediaProviders",
      "getMediaProviders",
      "deleteMediaProvider",
    ]) {
      expect(result.counts[id]!.stateful, id).toBeGreaterThan(0);
    }
  }, 600_000);

  it("layer 2: every documented (operationId, status) pair was exercised, nothing undocumented was seen", () => {
    console.log(session.coverage.table());
    expect(session.coverage.undocumented()).toEqual([]);
    expect(session.coverage.missing()).toEqual([]);
    expect(session.coverage.percent()).toBe(100);
  });

  it("cleanup: everything the layers created is deleted and confirmed gone, and the settings read back", async () => {
    const report = new RunReport();
    const left = await leaveAsFound(session, report);
    expect(report.failures()).toEqual([]);
    expect(left).toMatchObject({ media: [], users: [], providers: [], maybeCreated: [], tokens: 0, settings: [] });
    // It was real work: the layers uploaded media, created users and providers, and logged in many times.
    const deleted = report.checks.filter((c) => /deleted and confirmed gone \([1-9][0-9]*\)/.test(c.name));
    expect(deleted.map((c) => c.subject).sort()).toEqual(["deleteMedia", "deleteMediaProvider", "deleteUser"]);
  }, 300_000);
});
