/**
 * `meta-media-openapi test`: turns parsed options into a target (or starts the in-process reference server), prints
 * what will run and what is skipped, runs the suite with progress lines, and always ends the same way, also after a
 * failure or Ctrl-C: the target put back, the coverage table and summary printed, the JUnit and JSON reports written.
 * Exit code 0 when every check passed, 1 when one failed, 130 when interrupted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomSeed } from "./fuzz.ts";
import { junitXml } from "./junit-xml.ts";
import { leftBehind, type LeftBehind } from "./cleanup.ts";
import { irreversibleOperationsNotice } from "./operation-catalog.ts";
import { RunReport, TargetStoppedAnswering, type CheckResult } from "./run-report.ts";
import { ContractSession, type ContractTarget } from "./session.ts";
import { runConformanceSuite, type SuiteOptions } from "./suite.ts";
import { DEFAULT_HTTP_LIMITS } from "./target-http.ts";
import type { TestOptions } from "./test-options.ts";

/** Where the run prints (the CLI passes stdout and stderr). */
export interface RunnerOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: RunnerOutput = { out: (l) => console.log(l), err: (l) => console.error(l) };

function targetOf(opts: TestOptions): ContractTarget {
  const whatsAppBaseUrl = opts.target!;
  return {
    whatsAppBaseUrl,
    graphBaseUrl: opts.messenger?.graphBaseUrl ?? `${whatsAppBaseUrl}/v21.0`,
    families: opts.families,
    admin: opts.whatsapp
      ? { username: opts.whatsapp.username, password: opts.whatsapp.password }
      : { username: "", password: "" },
    ...(opts.whatsapp?.user ? { user: opts.whatsapp.user } : {}),
    messenger: {
      pageId: opts.messenger?.pageId ?? "me",
      accessToken: opts.messenger?.pageToken ?? "",
      ...(opts.messenger?.appSecret ? { appSecret: opts.messenger.appSecret } : {}),
    },
    ...(opts.messenger?.fetchableUrl ? { fetchableImageUrl: opts.messenger.fetchableUrl } : {}),
    ...(opts.messenger?.unfetchableUrl ? { unfetchableUrl: opts.messenger.unfetchableUrl } : {}),
    ...(opts.whatsapp?.loginFailureLimit !== undefined
      ? { loginFailureLimitPerUser: opts.whatsapp.loginFailureLimit }
      : {}),
    destructive: opts.destructive,
  };
}

/** The JSON report: every check, the coverage table and pairs, the seed, what was left behind, failed logins. */
function jsonReport(
  report: RunReport,
  session: ContractSession,
  context: Record<string, unknown>,
  coverageTable: string,
  left: LeftBehind,
): string {
  const coverage = session.coverage;
  return `${JSON.stringify(
    {
      tool: "meta-media-openapi test",
      ...context,
      startedAt: report.startedAt.toISOString(),
      summary: report.counts(),
      byLayer: Object.fromEntries(
        ["scenarios", "coverage", "route drift", "fuzz", "cleanup"].map((l) => [
          l,
          report.counts(l as CheckResult["layer"]),
        ]),
      ),
      checks: report.checks.map((c) => ({ ...c, ms: Math.round(c.ms) })),
      coverage: {
        percent: Number(coverage.percent().toFixed(1)),
        pairs: coverage.rows(),
        undocumented: coverage.undocumented().map((u) => ({ ...u, count: coverage.count(u.operationId, u.status) })),
        table: coverageTable,
      },
      exchanges: session.exchanges,
      failedLogins: session.failedLogins,
      loginBudget: session.budget.limits,
      leftBehind: left,
      skippedNotes: session.skipped,
    },
    null,
    2,
  )}\n`;
}

async function writeReport(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, text, "utf8");
}

/** The target the run tests: the deployment given, or an in-process reference server (then `app` and `close`). */
interface OpenedTarget {
  target: ContractTarget;
  app?: SuiteOptions["app"];
  close: () => Promise<void>;
}

/** Opens the run's target and says what will run against it (families, what --destructive adds, the seed). */
async function openTarget(opts: TestOptions, io: RunnerOutput, seed: number): Promise<OpenedTarget> {
  let opened: OpenedTarget;
  if (opts.target) {
    opened = { target: targetOf(opts), close: async () => {} };
    io.out(`target: ${opened.target.whatsAppBaseUrl} (WA) and ${opened.target.graphBaseUrl} (Graph)`);
  } else {
    // Only this path loads the server's code.
    const { startReferenceTarget } = await import("./reference-target.ts");
    const ref = await startReferenceTarget({ families: opts.families });
    opened = { target: ref.target, app: ref.app, close: ref.close };
    io.out(
      `no --target: running against an in-process reference server at ${ref.target.whatsAppBaseUrl} ` +
        "(everything runs)",
    );
    if (opts.ignoredCredentials.length) io.out(`ignored without --target: ${opts.ignoredCredentials.join(", ")}`);
  }
  const { target } = opened;
  for (const note of opts.familyNotes) io.out(note);
  io.out(`families: ${target.families.join(", ")}`);
  if (!target.destructive) {
    io.out("skipped without --destructive (they cannot be undone on the target; reported as skipped):");
    for (const line of irreversibleOperationsNotice()) io.out(line);
  } else if (opts.target) {
    io.out("--destructive: the settings reset, attachment uploads and sent messages run too:");
    for (const line of irreversibleOperationsNotice()) io.out(line);
  }
  io.out(`seed ${seed} (replay with --seed ${seed})`);
  return opened;
}

/** Ctrl-C while the run goes: the first stops it and puts the target back, a second quits at once. */
function onInterrupt(session: ContractSession, io: RunnerOutput): () => void {
  let interrupts = 0;
  return () => {
    interrupts++;
    if (interrupts > 1) {
      io.err("interrupted again: quitting without putting the target back");
      process.exit(130);
    }
    io.err(
      "interrupted: putting the target back (at most 25 s, with the tokens the run holds); " +
        "Ctrl-C again to quit at once",
    );
    session.interrupt();
  };
}

/** The end of the run on the terminal: coverage, failures, skips by reason, leftovers, failed logins. */
/** What a finished run has to tell: its checks, its session, its target, what it left and its coverage. */
interface RunOutcome {
  report: RunReport;
  session: ContractSession;
  target: ContractTarget;
  seed: number;
  left: LeftBehind;
  coverageTable: string;
}

function printOutcome(io: RunnerOutput, { report, session, target, left, coverageTable }: RunOutcome): void {
  io.out(`\n${coverageTable}`);
  for (const f of report.failures()) io.err(`\nFAIL [${f.layer}] ${f.name}\n${f.details ?? f.message ?? ""}`);
  const skipped = report.checks.filter((c) => c.status === "skipped");
  if (skipped.length) {
    const reasons = new Map<string, number>();
    for (const c of skipped) reasons.set(c.message ?? "skipped", (reasons.get(c.message ?? "skipped") ?? 0) + 1);
    io.out(
      `\nskipped checks by reason:\n${[...reasons].map(([why, n]) => `  ${String(n).padStart(4)}  ${why}`).join("\n")}`,
    );
  }
  if (left.irreversible.length && !target.disposable)
    io.out(`\nleft on the target (cannot be undone):\n${left.irreversible.map((b) => `  - ${b}`).join("\n")}`);
  const leftCount = left.media.length + left.users.length + left.providers.length + left.maybeCreated.length;
  if (leftCount || left.tokens || left.settings.length)
    io.out(
      `\nleft behind (not confirmed gone): ${left.media.length} media, ${left.users.length} users, ` +
        `${left.providers.length} providers, ${left.maybeCreated.length} maybe created, ` +
        `${left.tokens} login tokens${left.settings.length ? ", settings not restored" : ""} (see the JSON report)`,
    );
  const logins = session.failedLogins;
  const budget = session.budget.limits;
  const byName = Object.entries(logins.byUsername)
    .map(([u, n]) => `${u} ${n}`)
    .join(", ");
  io.out(
    `\nfailed logins caused: ${logins.total} from this address ` +
      `(budget: ${budget.total}, ${budget.perUser} per user name)${logins.total ? ` (by user name: ${byName})` : ""}`,
  );
}

/** Writes the JUnit and JSON reports asked for; resolves with the first write that failed, if any. */
async function writeReports(
  opts: TestOptions,
  io: RunnerOutput,
  { report, session, target, seed, left, coverageTable }: RunOutcome,
): Promise<Error | undefined> {
  const context = {
    target: opts.target ?? `in-process reference server (${target.whatsAppBaseUrl})`,
    families: target.families,
    seed,
    runs: opts.runs,
    statefulRuns: opts.statefulRuns,
    destructive: target.destructive,
    layers: opts.layers,
    ...(opts.operations ? { operations: opts.operations } : {}),
    interrupted: session.interrupted,
    ...(session.stoppedBy ? { stoppedBy: session.stoppedBy.message } : {}),
  };
  const properties = {
    target: String(context.target),
    families: target.families.join(","),
    seed,
    runs: opts.runs,
    destructive: target.destructive,
  };
  let failed: Error | undefined;
  for (const [file, text] of [
    [opts.junit, () => junitXml(report, properties)],
    [opts.json, () => jsonReport(report, session, context, coverageTable, left)],
  ] as const) {
    if (!file) continue;
    try {
      await writeReport(file, text());
      io.out(`report written: ${file}`);
    } catch (err) {
      io.err(`could not write ${file}: ${(err as Error).message}`);
      failed ??= err as Error;
    }
  }
  return failed;
}

/** Runs the conformance test as the CLI's `test` command; resolves with the exit code. */
export async function runConformanceTest(opts: TestOptions, io: RunnerOutput = consoleOutput): Promise<number> {
  const seed = opts.seed ?? randomSeed();
  const { target, app, close } = await openTarget(opts, io, seed);
  const session = new ContractSession(target, {
    limits: { ...DEFAULT_HTTP_LIMITS, requestTimeoutMs: opts.requestTimeoutMs },
    ...(opts.maxResponseTimeMs !== undefined ? { maxResponseTimeMs: opts.maxResponseTimeMs } : {}),
  });
  const report = new RunReport();
  const onSigint = onInterrupt(session, io);
  process.on("SIGINT", onSigint);
  const replayCommand = `npx meta-media-openapi test${opts.target ? ` --target ${opts.target}` : ""}`;
  let crashed: Error | undefined;
  let left: LeftBehind | undefined;
  try {
    const result = await runConformanceSuite(session, report, {
      seed,
      runs: opts.runs,
      statefulRuns: opts.statefulRuns,
      layers: opts.layers,
      proxy: opts.proxy,
      minCoverage: opts.minCoverage,
      replayCommand,
      ...(opts.operations ? { operations: opts.operations } : {}),
      ...(opts.fuzzPath ? { fuzzPath: opts.fuzzPath } : {}),
      ...(app ? { app } : {}),
      log: (line) => io.out(line),
    });
    left = result.leftBehind;
  } catch (err) {
    crashed = err as Error;
    report.add({
      layer: "cleanup",
      subject: "run",
      name: "the run completes",
      status: "failed",
      message: crashed.message.split("\n", 1)[0]!,
      details: crashed.stack ?? crashed.message,
    });
  } finally {
    process.off("SIGINT", onSigint);
    await close().catch(() => undefined);
  }
  if (session.stoppedBy instanceof TargetStoppedAnswering)
    report.add({
      layer: "cleanup",
      subject: "run",
      name: "the target keeps answering",
      status: "failed",
      message: session.stoppedBy.message,
    });
  left ??= leftBehind(session);

  const coverageTable = session.coverage.table();
  const outcome: RunOutcome = { report, session, target, seed, left, coverageTable };
  printOutcome(io, outcome);
  // Written whatever happened before (a crash too): `??=` would skip the call when the run already crashed.
  const writeFailure = await writeReports(opts, io, outcome);
  crashed ??= writeFailure;
  const n = report.counts();
  const userStop = session.interrupted && !(session.stoppedBy instanceof TargetStoppedAnswering);
  const verdict = userStop ? "INTERRUPTED" : n.failed || crashed ? "FAIL" : "PASS";
  io.out(
    `\n${verdict}: ${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped ` +
      `(${n.tests} checks, ${session.exchanges} exchanges, seed ${seed})`,
  );
  if (userStop) return 130;
  return n.failed || crashed ? 1 : 0;
}
