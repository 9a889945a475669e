/**
 * Layer 1: a scenario for every documented (operationId, status) pair, as the features declare them (plus, for
 * every operation that documents 413 for a JSON body, a body past any JSON limit). JSON exchanges go through the
 * validating proxy (any violation fails a valid request, a response violation an invalid one); the binary and
 * multipart ones, which Prism cannot judge, go straight to the target and are checked by the session (status,
 * content type, ajv, bytes). A scenario that could change what cannot be undone runs only with `--destructive`.
 */
import { isIrreversible, knowledgeOf } from "./operation-catalog.ts";
import type { Scenario } from "./operation-knowledge.ts";
import { CheckSkipped, RunInterrupted, TargetStoppedAnswering, type RunReport } from "./run-report.ts";
import { ScenarioContext } from "./scenario-context.ts";
import type { ContractSession } from "./session.ts";
import { listOperations } from "../spec-model/openapi-document.ts";
import { familyOf } from "../spec-model/spec-bundles.ts";
import type { ValidatingProxy } from "./validating-proxy.ts";

/** Bigger than any JSON body these APIs take (the reference server's limit is 256 KiB). */
export const OVERSIZED_JSON_BYTES = 1024 * 1024 + 1;

/** A scenario with the operation it exercises. */
export type OperationScenario = Scenario & { operationId: string };

/** Every operation that documents 413 for a JSON body: a body past any JSON limit. */
function oversizedJsonScenario(operationId: string): Scenario {
  return {
    status: 413,
    name: "a JSON body over the size limit",
    // With valid credentials: on an irreversible operation a target that wrongly read it might act on it.
    changes: isIrreversible(operationId) ? [operationId] : [],
    run: async (ctx) =>
      void (await ctx.call(
        operationId,
        {
          params: { page_id: ctx.session.target.messenger.pageId },
          auth: "admin",
          json: { contract_padding: "x".repeat(OVERSIZED_JSON_BYTES) },
          valid: false,
        },
        413,
      )),
  };
}

/** The scenario list, in the spec's order: at least one per documented (operationId, status) pair. */
export function scenarios(): OperationScenario[] {
  return listOperations().flatMap((op) => {
    const own = knowledgeOf(op.operationId).scenarios.map((s) => ({ ...s, operationId: op.operationId }));
    const generic =
      "413" in op.operation.responses &&
      op.operation.requestBody?.content["application/json"] &&
      !own.some((s) => s.status === 413)
        ? [{ ...oversizedJsonScenario(op.operationId), operationId: op.operationId }]
        : [];
    return [...own, ...generic];
  });
}

/** Why a scenario cannot run on this target, or undefined when it can. */
export function scenarioBlocker(session: ContractSession, scenario: OperationScenario): string | undefined {
  const families = [...new Set([scenario.operationId, ...scenario.changes].map((id) => familyOf(id)))];
  const missing = families.filter((f) => !session.target.families.includes(f));
  if (missing.length) return `the ${missing.join(" and ")} family is not under test`;
  const irreversible = [...new Set(scenario.changes.filter(isIrreversible))];
  if (irreversible.length && !session.target.destructive)
    return `cannot be undone (${irreversible.join(", ")}): runs only with --destructive`;
  for (const need of scenario.needs ?? []) {
    if (need === "fetchable" && !session.target.fetchableImageUrl)
      return "needs --fetchable-url (an image URL the target can fetch)";
    if (need === "unfetchable" && !session.target.unfetchableUrl)
      return "needs --unfetchable-url (a URL the target can reach that answers 404)";
    if (need === "storageFault" && !session.target.hooks)
      return "needs a storage fault (only the in-process reference server can be given one)";
    if (need === "loginThrottle" && session.target.loginFailureLimitPerUser === undefined)
      return "needs --wa-login-failure-limit (the target's failed-login limit per user name)";
  }
  return undefined;
}

/** Result of layer 1. */
export interface ScenarioLayerResult {
  ran: number;
  failures: Error[];
  skipped: Array<{ scenario: string; reason: string }>;
}

/** Options of layer 1. */
export interface ScenarioLayerOptions {
  /** Only the scenarios of these operations. */
  operations?: string[];
  /** Where each scenario is recorded as a check. */
  report?: RunReport;
  /** One progress line per operation. */
  log?: (line: string) => void;
}

/** Runs every scenario (optionally only those of some operations), collecting failures instead of stopping. */
export async function runScenarioLayer(
  session: ContractSession,
  proxy: ValidatingProxy | undefined,
  opts: ScenarioLayerOptions = {},
): Promise<ScenarioLayerResult> {
  const ctx = new ScenarioContext(session, proxy);
  const result: ScenarioLayerResult = { ran: 0, failures: [], skipped: [] };
  session.useProxy(proxy);
  try {
    await runScenarios(session, ctx, result, opts);
  } finally {
    session.useProxy(undefined);
  }
  return result;
}

async function runScenarios(
  session: ContractSession,
  ctx: ScenarioContext,
  result: ScenarioLayerResult,
  opts: ScenarioLayerOptions,
): Promise<void> {
  const all = scenarios().filter((s) => !opts.operations || opts.operations.includes(s.operationId));
  // Grouped by operation in the spec's order, so that progress reads one line per operation.
  for (const operationId of listOperations().map((o) => o.operationId)) {
    const own = all.filter((s) => s.operationId === operationId);
    if (own.length === 0) continue;
    const tally = { passed: 0, failed: 0, skipped: 0 };
    for (const scenario of own) {
      const label = `${scenario.operationId} ${scenario.status} (${scenario.name})`;
      const check = async () => {
        let blocker = scenarioBlocker(session, scenario);
        if (!blocker && session.interrupted) blocker = session.stoppedBy!.message;
        if (!blocker && scenario.needs?.includes("user")) {
          const token = await session.userToken().catch((err: Error) => {
            if (err instanceof RunInterrupted) throw err;
            return undefined;
          });
          if (token === undefined) blocker = "needs a non-admin account that can log in";
        }
        if (blocker) {
          result.skipped.push({ scenario: label, reason: blocker });
          session.coverage.skip(scenario.operationId, scenario.status, blocker);
          throw new CheckSkipped(blocker);
        }
        result.ran++;
        try {
          await scenario.run(ctx);
        } catch (err) {
          // A skip decided while it ran (the failed-login budget, an irreversible request), or the run stopping.
          if (err instanceof CheckSkipped || err instanceof RunInterrupted) {
            session.coverage.skip(scenario.operationId, scenario.status, (err as Error).message);
            throw err;
          }
          // After Ctrl-C a failure may be the interruption's doing (the request was abandoned, Prism stopped).
          if (session.interrupted && !(session.stoppedBy instanceof TargetStoppedAnswering)) throw session.stoppedBy!;
          result.failures.push(new Error(`scenario ${label}:\n${(err as Error).message}`));
          // The check is named after the scenario already: its message starts with the broken rule.
          throw err;
        }
      };
      const status = opts.report
        ? (await opts.report.run("scenarios", scenario.operationId, label, check)).status
        : await check().then(
            () => "passed" as const,
            (err) =>
              (err instanceof CheckSkipped || err instanceof RunInterrupted ? "skipped" : "failed") as
                | "skipped"
                | "failed",
          );
      tally[status]++;
    }
    opts.log?.(
      `  scenarios  ${operationId.padEnd(26)} ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`,
    );
  }
}
