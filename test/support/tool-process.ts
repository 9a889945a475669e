/**
 * Runs `meta-media-openapi` (the package's own bin,
 * `cli/meta-media-openapi.mjs`) as a child process, from a temporary folder.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ReferenceTarget } from "../../conformance/reference-target.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const cliPath = path.join(repoRoot, "cli", "meta-media-openapi.mjs");

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running CLI: its pid, its output so far, and its end. */
export interface StartedTool {
  pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Sends a signal to the CLI (SIGINT is Ctrl-C). */
  kill(signal: NodeJS.Signals): void;
  done: Promise<ToolRun>;
}

/**
 * Starts the CLI (killed after `timeoutMs`; sent SIGINT once its output matches `interruptWhen`); the environment is
 * this one plus `env`, minus the tool's variables.
 */
export function startTool(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number; interruptWhen?: RegExp },
): StartedTool {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The tool reads these; a developer's shell must not change what a test means.
  for (const name of Object.keys(env)) if (/^(CONFORMANCE_|WA_|MESSENGER_)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd,
    env: { ...env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    // Ctrl-C, as a user would press it once the output shows the run got that far.
    if (opts.interruptWhen && !interrupted && opts.interruptWhen.test(stdout)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<ToolRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    kill: (signal) => child.kill(signal),
    done,
  };
}

/** Runs the CLI to completion (see `startTool`). */
export function runTool(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number; interruptWhen?: RegExp },
): Promise<ToolRun> {
  return startTool(args, opts).done;
}

/** `test` arguments that point the tool at an in-process reference server, credentials included. */
export function targetArgs(ref: ReferenceTarget): string[] {
  const t = ref.target;
  return [
    "--target",
    t.whatsAppBaseUrl,
    "--graph-base-url",
    t.graphBaseUrl,
    "--wa-password",
    t.admin.password,
    "--page-id",
    t.messenger.pageId,
    "--page-token",
    t.messenger.accessToken,
    "--fetchable-url",
    t.fetchableImageUrl!,
    "--unfetchable-url",
    t.unfetchableUrl!,
  ];
}

/** A parsed JUnit report: each suite with its test cases. */
export interface JunitSuite {
  name: string;
  tests: number;
  failures: number;
  skipped: number;
  cases: Array<{
    classname: string;
    name: string;
    failure?: { message: string; text: string };
    skipped?: { message: string };
  }>;
}

/** Validates a JUnit XML document with a real XML parser and returns its suites. */
export function parseJunit(xml: string): JunitSuite[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`the JUnit report is not well-formed XML: ${JSON.stringify(valid.err)}`);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    textNodeName: "text",
    isArray: (name) => name === "testsuite" || name === "testcase",
  }).parse(xml) as {
    testsuites: { testsuite: Array<Record<string, unknown> & { testcase?: Array<Record<string, unknown>> }> };
  };
  return doc.testsuites.testsuite.map((s) => ({
    name: String(s.name),
    tests: Number(s.tests),
    failures: Number(s.failures),
    skipped: Number(s.skipped),
    cases: (s.testcase ?? []).map((c) => {
      const failure = c.failure as { message: string; text?: string } | undefined;
      const skipped = c.skipped as { message: string } | undefined;
      return {
        classname: String(c.classname),
        name: String(c.name),
        ...(failure ? { failure: { message: failure.message, text: String(failure.text ?? "") } } : {}),
        ...(skipped ? { skipped: { message: skipped.message } } : {}),
      };
    }),
  }));
}
