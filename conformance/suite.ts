/**
 * The contract suite as one function, shared by `npm test` (against the reference server) and by
 * `npm run test:contract` / `npm run fuzz` (against any server): layer 1 (scenarios through the validating proxy),
 * layer 4 (fuzzing), and the coverage table of layer 2 over everything they exchanged.
 */
import { listOperations } from "../server/validation/openapi-document.ts";
import { familyOf } from "./exchange.ts";
import { fuzzTable, runFuzzLayer, type FuzzResult } from "./fuzz.ts";
import { runScenarioLayer, type ScenarioLayerResult } from "./scenarios.ts";
import { ContractSession, isWriteOperation, type ContractTarget } from "./session.ts";
import { startValidatingProxies } from "./validating-proxy.ts";

export interface SuiteOptions {
  seed: number;
  runs: number;
  statefulRuns?: number;
  /** Run layer 1 (default true). */
  scenarios?: boolean;
  /** Run layer 4 (default true). */
  fuzz?: boolean;
  /** Put the Prism validating proxies in front of the target for layer 1 (default true). */
  proxy?: boolean;
  operations?: string[];
  path?: string;
  log?: (line: string) => void;
}

export interface SuiteReport {
  session: ContractSession;
  scenarios?: ScenarioLayerResult;
  fuzz?: FuzzResult;
  failures: Error[];
  skipped: string[];
  coverageTable: string;
}

/** The operations that change state, as the list shown before a run. */
export function writeOperationsNotice(target: ContractTarget): string {
  const writes = listOperations().filter((op) => isWriteOperation(op.operationId));
  const lines = writes.map((op) => `  ${op.method.toUpperCase().padEnd(6)} ${op.path}  (${op.operationId})`);
  return [
    `Operations that change state on the target (${target.allowWrites ? "WILL RUN: --allow-writes given" : "SKIPPED: pass --allow-writes to run them"}):`,
    ...lines,
  ].join("\n");
}

/** Runs the chosen layers against a target; never throws for a conformance failure (they are in the report). */
export async function runContractSuite(target: ContractTarget, opts: SuiteOptions): Promise<SuiteReport> {
  const log = opts.log ?? (() => undefined);
  const session = new ContractSession(target);
  const failures: Error[] = [];
  const report: SuiteReport = { session, failures, skipped: [], coverageTable: "" };
  let operations = opts.operations;
  if (!target.graph.accessToken) {
    operations = (operations ?? listOperations().map((o) => o.operationId)).filter((id) => familyOf(id) !== "graph");
    report.skipped.push("Graph operations: no CONTRACT_GRAPH_ACCESS_TOKEN / CONTRACT_GRAPH_PAGE_ID");
  }
  try {
    if (opts.scenarios !== false) {
      const proxies = opts.proxy === false ? undefined : await startValidatingProxies(session.direct);
      try {
        log(`layer 1: scenarios${proxies ? ` through Prism validating proxies (WA ${proxies.strict.wa}, Graph ${proxies.strict.graph})` : " (no proxy)"}`);
        report.scenarios = await runScenarioLayer(session, proxies, operations);
        failures.push(...report.scenarios.failures);
        report.skipped.push(...report.scenarios.skipped.map((s) => `${s.scenario}: ${s.reason}`));
        log(`layer 1: ${report.scenarios.ran} scenarios, ${report.scenarios.failures.length} failed, ${report.scenarios.skipped.length} skipped`);
      } finally {
        await proxies?.stop();
      }
    }
    if (opts.fuzz !== false) {
      log(`layer 4: fuzzing with seed ${opts.seed}, ${opts.runs} generated + ${opts.runs} mutated requests per operation`);
      report.fuzz = await runFuzzLayer(session, {
        seed: opts.seed,
        runs: opts.runs,
        ...(opts.statefulRuns !== undefined ? { statefulRuns: opts.statefulRuns } : {}),
        ...(operations ? { operations } : {}),
        ...(opts.path ? { path: opts.path } : {}),
      });
      failures.push(...report.fuzz.failures);
      report.skipped.push(...report.fuzz.skipped);
      log(fuzzTable(report.fuzz));
    }
  } finally {
    await session.cleanup();
  }
  report.skipped = [...new Set([...report.skipped, ...session.skipped])];
  report.coverageTable = session.coverage.table();
  return report;
}
