/**
 * The conformance suite as one function, for the tool's `test` command and for `npm test`: read what must be put
 * back, then layer 1 (scenarios through the validating proxy), layer 3 (route drift), layer 4 (fuzzing), then
 * leave the target as found (always, also after a failure or Ctrl-C) and layer 2 (coverage over every exchange).
 * Every check lands in the run report; conformance failures never throw.
 */
import type { Hono } from "hono";
import { leaveAsFound, readStateBefore, type LeftBehind } from "./cleanup.ts";
import { documentedPairs } from "./coverage.ts";
import { runFuzzLayer, type FuzzResult } from "./fuzz.ts";
import { catalogProblems } from "./operation-catalog.ts";
import { familyOf } from "../spec-model/spec-bundles.ts";
import { RunInterrupted, type RunReport } from "./run-report.ts";
import { methodNotAllowedProbes, routeDrift, routedProbes, unknownPathProbes, type RouteProbe } from "./route-drift.ts";
import { runScenarioLayer, type ScenarioLayerResult } from "./scenarios.ts";
import type { ContractSession } from "./session.ts";
import { startValidatingProxy } from "./validating-proxy.ts";

/** The layers a run can choose (coverage is always computed, over what the others exchanged). */
export const SELECTABLE_LAYERS = ["scenarios", "route-drift", "fuzz"] as const;
export type SelectableLayer = (typeof SELECTABLE_LAYERS)[number];

export interface SuiteOptions {
  seed: number;
  runs: number;
  statefulRuns?: number;
  /** The layers to run (default all). */
  layers?: readonly SelectableLayer[];
  /** Put the Prism validating proxy in front of the target for layer 1 (default true). */
  proxy?: boolean;
  operations?: string[];
  /** fast-check path of one counterexample to replay. */
  fuzzPath?: string;
  /** The command that reruns the fuzz layer against this target (replay lines of failures). */
  replayCommand?: string;
  /** Fail below this percentage of documented (operationId, status) pairs exercised. */
  minCoverage?: number;
  /** The in-process reference server's app: its routing table is compared with the spec too. */
  app?: Hono;
  log?: (line: string) => void;
}

export interface SuiteResult {
  scenarios?: ScenarioLayerResult;
  fuzz?: FuzzResult;
  /** The state to restore could not be read: nothing else ran. */
  preflightFailed?: boolean;
  /** What the run left on the target, by its ledger's account. */
  leftBehind?: LeftBehind;
  /** Process ids of the Prism processes the run started (all stopped by the time it returns). */
  prismPids: number[];
}

function recordProbes(report: RunReport, probes: RouteProbe[]): void {
  for (const p of probes) {
    report.add({
      layer: "route drift",
      subject: p.subject,
      name: p.name,
      status: p.problem ? "failed" : p.skipped ? "skipped" : "passed",
      ms: p.ms,
      ...(p.problem ? { message: p.problem.split("\n", 1)[0]!, details: p.problem } : {}),
      ...(p.skipped && !p.problem ? { message: p.skipped } : {}),
    });
  }
}

async function routeDriftLayer(session: ContractSession, report: RunReport, opts: SuiteOptions): Promise<void> {
  const log = opts.log ?? (() => undefined);
  if (opts.app) {
    await report.run(
      "route drift",
      "reference server",
      "the Hono app routes exactly the spec's operations (app.routes)",
      async () => {
        const problems = routeDrift(opts.app!);
        if (problems.length) throw new Error(problems.join("\n"));
      },
    );
  }
  for (const [what, probes] of [
    ["documented operations routed", routedProbes],
    ["undocumented methods answer 405 with Allow", methodNotAllowedProbes],
    ["paths outside the spec answer the unknown-path reply", unknownPathProbes],
  ] as const) {
    if (session.interrupted) throw session.stoppedBy!;
    const found = await probes(session);
    recordProbes(report, found);
    const failed = found.filter((p) => p.problem).length;
    log(`  routes     ${what}: ${found.length - failed}/${found.length} ok`);
  }
}

/** Layer 2: one check per documented pair, one failure per undocumented status seen, and the --min-coverage gate. */
function coverageLayer(session: ContractSession, report: RunReport, opts: SuiteOptions): void {
  const coverage = session.coverage;
  const askedAndFailed = new Set(
    report.checks.filter((c) => c.layer === "scenarios" && c.status === "failed").map((c) => c.name.split(" (", 1)[0]!),
  );
  for (const pair of documentedPairs()) {
    const n = coverage.count(pair.operationId, pair.status);
    const name = `${pair.operationId} ${pair.status} exercised`;
    if (n > 0)
      report.add({ layer: "coverage", subject: pair.operationId, name, status: "passed", message: `${n} replies` });
    else if (askedAndFailed.has(`${pair.operationId} ${pair.status}`)) {
      const scenario = `${pair.operationId} ${pair.status}`;
      const message = `the scenario for ${scenario} ran, and the target never answered ${pair.status}`;
      report.add({ layer: "coverage", subject: pair.operationId, name, status: "failed", message });
    } else {
      report.add({
        layer: "coverage",
        subject: pair.operationId,
        name,
        status: "skipped",
        message: coverage.skipReason(pair.operationId, pair.status) ?? "not exercised on this run",
      });
    }
  }
  for (const u of coverage.undocumented()) {
    report.add({
      layer: "coverage",
      subject: u.operationId,
      name: `${u.operationId} ${u.status} is not documented`,
      status: "failed",
      message:
        `the target answered ${u.operationId} with ${u.status} ${coverage.count(u.operationId, u.status)} time(s); ` +
        "the spec does not document it",
    });
  }
  const min = opts.minCoverage ?? 0;
  const percent = coverage.percent();
  report.add({
    layer: "coverage",
    subject: "coverage",
    name: `at least ${min}% of the documented (operationId, status) pairs exercised`,
    status: percent >= min ? "passed" : "failed",
    message: `${percent.toFixed(1)}% exercised${percent >= min ? "" : `, below --min-coverage ${min}`}`,
  });
}

/** Runs the chosen layers against the session's target, recording every check in `report`. */
export async function runConformanceSuite(
  session: ContractSession,
  report: RunReport,
  opts: SuiteOptions,
): Promise<SuiteResult> {
  const log = opts.log ?? (() => undefined);
  const layers = new Set(opts.layers ?? SELECTABLE_LAYERS);
  const result: SuiteResult = { prismPids: [] };
  const problems = catalogProblems();
  if (problems.length) throw new Error(`the suite's operation catalog and the spec disagree:\n${problems.join("\n")}`);
  try {
    if (!(await readStateBefore(session, report))) {
      log(`cannot start: ${report.failures().at(-1)?.message ?? "the preflight failed"}`);
      result.preflightFailed = true;
      return result;
    }
    if (layers.has("scenarios")) {
      // The Prism proxy (about two CPU-seconds to start) in front of the families the run's operations belong to,
      // and none when no family is left; a family not behind it is sent to straight, as with --no-proxy.
      const { operations } = opts;
      const proxied = operations
        ? session.target.families.filter((family) => operations.some((id) => familyOf(id) === family))
        : session.target.families;
      const proxy =
        opts.proxy === false || proxied.length === 0
          ? undefined
          : await startValidatingProxy(session.direct, proxied, session.http.limits);
      if (proxy) result.prismPids.push(proxy.pid);
      try {
        log(`layer 1: scenarios${proxy ? " through the Prism validating proxy" : " (no proxy)"}`);
        result.scenarios = await runScenarioLayer(session, proxy, {
          ...(opts.operations ? { operations: opts.operations } : {}),
          report,
          log,
        });
      } finally {
        await proxy?.stop();
      }
    }
    if (layers.has("route-drift") && !session.interrupted) {
      log("layer 3: route drift");
      await routeDriftLayer(session, report, opts).catch((err: unknown) => {
        if (!(err instanceof RunInterrupted)) throw err;
      });
    }
    if (layers.has("fuzz") && !session.interrupted) {
      log(
        `layer 4: fuzzing with seed ${opts.seed}, ${opts.runs} generated + ${opts.runs} mutated requests per operation`,
      );
      result.fuzz = await runFuzzLayer(session, {
        seed: opts.seed,
        runs: opts.runs,
        report,
        log,
        ...(opts.statefulRuns !== undefined ? { statefulRuns: opts.statefulRuns } : {}),
        ...(opts.operations ? { operations: opts.operations } : {}),
        ...(opts.fuzzPath ? { path: opts.fuzzPath } : {}),
        ...(opts.replayCommand ? { replayCommand: opts.replayCommand } : {}),
      });
    }
  } finally {
    log("cleanup: leaving the target as it was found");
    result.leftBehind = await leaveAsFound(session, report);
    coverageLayer(session, report, opts);
  }
  return result;
}
