/**
 * Every feature the suite knows, and lookups by operation: the one door through which the engines (scenarios, fuzz,
 * cleanup, the session's ledger, the notice of what needs `--destructive`) reach per-operation knowledge. The catalog
 * and the spec must agree: an operation without knowledge, knowledge of an operation the spec lacks, or a documented
 * status without a scenario is a problem (`catalogProblems`), and the suite refuses to run with one.
 */
import type { ContractRequest, ContractResponse } from "./exchange.ts";
import { attachmentsFeature } from "./features/attachments.ts";
import { mediaFeature } from "./features/media.ts";
import { providersFeature } from "./features/providers.ts";
import { settingsFeature } from "./features/settings.ts";
import { usersFeature } from "./features/users.ts";
import type { Ledger } from "./ledger.ts";
import type {
  Feature,
  OperationEffect,
  OperationKnowledge,
  ResourceCleanup,
  StatefulModel,
  StateKeeper,
} from "./operation-knowledge.ts";
import { listOperations } from "../spec-model/openapi-document.ts";

/** The features, in the order the cleanup puts them back (users last: the suite's own account among them). */
export const FEATURES: readonly Feature[] = [
  settingsFeature,
  providersFeature,
  mediaFeature,
  attachmentsFeature,
  usersFeature,
];

const byOperation = new Map<string, OperationKnowledge>(
  FEATURES.flatMap((f) => f.operations.map((o) => [o.operationId, o] as const)),
);

/** What the suite knows about an operation; throws for one no feature declares (the spec gained one). */
export function knowledgeOf(operationId: string): OperationKnowledge {
  const knowledge = byOperation.get(operationId);
  if (!knowledge)
    throw new Error(`no feature of conformance/features/ declares ${operationId}: add it where its feature lives`);
  return knowledge;
}

/** Where the spec and the catalog disagree; empty when they agree. */
export function catalogProblems(): string[] {
  const problems: string[] = [];
  const spec = listOperations();
  const ids = new Set(spec.map((o) => o.operationId));
  for (const op of spec) {
    const k = byOperation.get(op.operationId);
    if (!k) {
      problems.push(`${op.operationId}: in the spec, declared by no feature of conformance/features/`);
      continue;
    }
    const scenarioStatuses = new Set(k.scenarios.map((s) => String(s.status)));
    const json = op.operation.requestBody?.content["application/json"] !== undefined;
    for (const status of Object.keys(op.operation.responses)) {
      // 413 for a JSON body is produced for every operation by the generic oversized-body scenario.
      if (status === "413" && json) continue;
      if (!scenarioStatuses.has(status))
        problems.push(`${op.operationId}: no scenario produces the documented ${status}`);
    }
  }
  for (const id of byOperation.keys()) if (!ids.has(id)) problems.push(`${id}: declared by a feature, not in the spec`);
  return problems;
}

/** What a successful call of the operation changes on the target. */
export function effectOf(operationId: string): OperationEffect {
  return knowledgeOf(operationId).effect;
}

/** Whether a successful call cannot be undone, so that only `--destructive` runs it. */
export function isIrreversible(operationId: string): boolean {
  return effectOf(operationId) === "irreversible";
}

/** The operations only `--destructive` runs, as printed before a run. */
export function irreversibleOperationsNotice(): string[] {
  return listOperations()
    .filter((op) => isIrreversible(op.operationId))
    .map(
      (op) =>
        `  ${op.method.toUpperCase().padEnd(6)} ${op.path}  (${op.operationId}): ${knowledgeOf(op.operationId).note}`,
    );
}

/** Writes into the ledger what one exchange may have created or removed (res undefined: no reply came). */
export function trackExchange(ledger: Ledger, req: ContractRequest, res: ContractResponse | undefined): void {
  byOperation.get(req.operationId)?.track?.(ledger, req, res);
}

/** How each kind of resource is deleted and confirmed gone, in cleanup order. */
export function resourceCleanups(): ResourceCleanup[] {
  return FEATURES.flatMap((f) => f.resources ?? []);
}

/** The state read before the run and put back after it. */
export function stateKeepers(): StateKeeper[] {
  return FEATURES.flatMap((f) => (f.state ? [f.state] : []));
}

/** Every stateful model of the fuzz layer. */
export function statefulModels(): StatefulModel[] {
  return FEATURES.flatMap((f) => f.statefulModels ?? []);
}
