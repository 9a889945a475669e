/**
 * The outcome of one run, check by check: every check belongs to a layer (scenarios, coverage, route drift, fuzz,
 * cleanup) and passed, failed (with the request/reply excerpt that shows why) or was skipped (with the reason).
 * The JUnit XML and JSON reports and the printed summary are all written from this one record.
 */

/** The layers, each one `<testsuite>` of the JUnit report (coverage is computed last, over every exchange). */
export const LAYERS = ["scenarios", "coverage", "route drift", "fuzz", "cleanup"] as const;
export type Layer = (typeof LAYERS)[number];

export type CheckStatus = "passed" | "failed" | "skipped";

/** One check of the run. */
export interface CheckResult {
  layer: Layer;
  /** What the check is about, usually an operationId (JUnit `classname`). */
  subject: string;
  /** The check itself (JUnit `name`). */
  name: string;
  status: CheckStatus;
  /** Why it failed or was skipped, in one line. */
  message?: string;
  /** The failure in full: rule, request, reply, replay command. */
  details?: string;
  /** Wall time of the check. */
  ms: number;
}

/** A check that decided not to run; `runCheck` records it as skipped with this reason. */
export class CheckSkipped extends Error {
  override name = "CheckSkipped";
}

/** The run is stopping (Ctrl-C, or a target that stopped answering): checks not yet done are recorded as skipped. */
export class RunInterrupted extends Error {
  override name = "RunInterrupted";
  constructor(message = "interrupted (Ctrl-C)") {
    super(message);
  }
}

/** The run gave up on a target that stopped answering: what was left to do is skipped, with this reason. */
export class TargetStoppedAnswering extends RunInterrupted {
  override name = "TargetStoppedAnswering";
}

/** The first line of a message, for JUnit's `message` attribute and the progress lines. */
export function firstLine(text: string, max = 300): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Collects the checks of one run. */
export class RunReport {
  readonly checks: CheckResult[] = [];
  readonly startedAt = new Date();

  /** Records a check that was decided without running anything (skips, coverage rows). */
  add(check: Omit<CheckResult, "ms"> & { ms?: number }): CheckResult {
    const full: CheckResult = { ms: 0, ...check };
    this.checks.push(full);
    return full;
  }

  /** Runs one check: passed when `fn` resolves, skipped on CheckSkipped/RunInterrupted, failed on anything else. */
  async run(layer: Layer, subject: string, name: string, fn: () => Promise<void>): Promise<CheckResult> {
    const started = performance.now();
    try {
      await fn();
      return this.add({ layer, subject, name, status: "passed", ms: performance.now() - started });
    } catch (err) {
      const ms = performance.now() - started;
      if (err instanceof CheckSkipped || err instanceof RunInterrupted)
        return this.add({ layer, subject, name, status: "skipped", message: err.message, ms });
      const text = err instanceof Error ? err.message : String(err);
      return this.add({ layer, subject, name, status: "failed", message: firstLine(text), details: text, ms });
    }
  }

  /** Counts over every check, or over one layer's. */
  counts(layer?: Layer): { tests: number; passed: number; failed: number; skipped: number; ms: number } {
    const of = layer ? this.checks.filter((c) => c.layer === layer) : this.checks;
    return {
      tests: of.length,
      passed: of.filter((c) => c.status === "passed").length,
      failed: of.filter((c) => c.status === "failed").length,
      skipped: of.filter((c) => c.status === "skipped").length,
      ms: of.reduce((sum, c) => sum + c.ms, 0),
    };
  }

  failures(): CheckResult[] {
    return this.checks.filter((c) => c.status === "failed");
  }
}
