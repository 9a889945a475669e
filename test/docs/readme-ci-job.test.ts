/**
 * The GitHub Actions job for the conformance suite (docs/conformance.md, linked from the README), run as written:
 * every `run:` step of the YAML block, in order, each in a bash of its own (as a runner does), from a temporary folder,
 * with the job's `env:`; only `npx meta-media-openapi` becomes this repository's bin, and PORT and RUNNER_TEMP point at
 * a free port and a temporary folder. The reports it writes must parse. The options table must list every option of
 * the command.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { freePort } from "../../conformance/free-port.ts";
import { TEST_OPTIONS } from "../../conformance/test-options.ts";
import { readmeSection } from "../support/readme-section.ts";
import { cliPath, parseJunit } from "../support/tool-process.ts";

interface Job {
  env?: Record<string, string>;
  steps: Array<{ name?: string; run?: string; uses?: string }>;
}

let readme: string;
let work: string;
const groups: number[] = [];

beforeAll(async () => {
  readme = await readmeSection("conformance");
  work = await mkdtemp(path.join(os.tmpdir(), "readme-ci-job-"));
});

afterAll(async () => {
  // The server step leaves its server running in the background, as on a runner: stop every process group we started.
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  await rm(work, { recursive: true, force: true });
});

/** Runs one step's script like `bash -e {0}` on a runner; resolves with its exit code and output. */
function runStep(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd: work,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    groups.push(child.pid!);
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    // "exit", not "close": the server step's background server keeps the pipes open.
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("docs/conformance.md: GitHub Actions job", () => {
  it("starts the reference server and passes `meta-media-openapi test --target`, writing reports that parse", {
    timeout: 600_000,
  }, async () => {
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yamlBlock, "the section has a ```yaml block").toBeDefined();
    const doc = parseYaml(yamlBlock!) as { jobs: Record<string, Job> };
    const [job] = Object.values(doc.jobs);
    const steps = job!.steps.filter((s) => s.run !== undefined);
    expect(steps.map((s) => s.name)).toEqual(["Start the reference server", "Conformance suite"]);
    expect(steps[1]!.run).toMatch(/npx --yes meta-media-openapi test --target .*--junit conformance\.xml/);

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (/^(CONFORMANCE_|WA_|MESSENGER_)/.test(name)) delete env[name];
    Object.assign(env, job!.env, {
      PORT: String(await freePort()),
      RUNNER_TEMP: work,
      // Test-only: the rendered API docs go to the temporary folder, not into the repository.
      API_DOCS_DIR: path.join(work, "api-docs"),
      // Test-only: 10 generated and 10 mutated requests per operation rather than the default 100. The job's steps and
      // reports are what this test checks; the default depth of the fuzzing layer is run against the reference
      // server by test/conformance/reference-server.test.ts.
      CONFORMANCE_RUNS: "10",
    });
    const bin = `node ${JSON.stringify(cliPath)}`;
    for (const step of steps) {
      const script = step.run!.replace(/npx (--yes )?meta-media-openapi/g, bin);
      const { code, output } = await runStep(script, env, 540_000);
      expect(code, `step "${step.name}" failed:\n${output.slice(-6000)}`).toBe(0);
      if (step.name === "Conformance suite") expect(output).toMatch(/^PASS: \d+ passed, 0 failed/m);
    }
    const suites = parseJunit(await readFile(path.join(work, "conformance.xml"), "utf8"));
    expect(suites.reduce((n, s) => n + s.failures, 0)).toBe(0);
    expect(suites.find((s) => s.name === "scenarios")!.cases.length).toBeGreaterThan(60);
    const json = JSON.parse(await readFile(path.join(work, "conformance.json"), "utf8")) as {
      destructive: boolean;
      summary: { failed: number };
    };
    expect(json).toMatchObject({ destructive: true, summary: { failed: 0 } });
  });

  it("lists every option of `meta-media-openapi test` with its environment variable", () => {
    const start = readme.indexOf("<!-- conformance:options -->");
    const table = readme.slice(start, readme.indexOf("<!-- /conformance:options -->"));
    for (const o of TEST_OPTIONS) {
      const row = table.split("\n").find((line) => line.includes(`\`--${o.flag} `) || line.includes(`\`--${o.flag}\``));
      expect(row, `options table row for --${o.flag}`).toBeDefined();
      expect(row, o.flag).toContain(`\`${o.env}`);
    }
  });
});
