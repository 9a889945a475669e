// `meta-media-openapi test` options: flags and their environment twins, defaults, the family rules, and exit code 2
// with one clear line for bad input or a missing credential; the JUnit writer's escaping of arbitrary text.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { junitXml, xmlEscape } from "../../conformance/junit-xml.ts";
import { RunReport } from "../../conformance/run-report.ts";
import { parseTestOptions, TEST_OPTIONS, TestUsageError } from "../../conformance/test-options.ts";
import { parseJunit, runTool } from "../support/tool-process.ts";

const target = ["--target", "https://wa.example.test:9090/"];

describe("parseTestOptions", () => {
  it("reads credentials from flags or their environment twins, the flag winning", () => {
    const fromEnv = parseTestOptions(target, {
      WA_PASSWORD: "env-pass",
      WA_USERNAME: "ops",
      MESSENGER_PAGE_ID: "42",
      MESSENGER_PAGE_TOKEN: "tok",
    });
    expect(fromEnv.target).toBe("https://wa.example.test:9090");
    expect(fromEnv.whatsapp).toEqual({ username: "ops", password: "env-pass" });
    expect(fromEnv.messenger).toEqual({ pageId: "42", pageToken: "tok" });
    expect(fromEnv.families).toEqual(["whatsapp", "messenger"]);
    const fromFlags = parseTestOptions([...target, "--wa-password", "flag-pass", "--page-token", "flag-tok"], {
      WA_PASSWORD: "env-pass",
      MESSENGER_PAGE_TOKEN: "tok",
    });
    expect(fromFlags.whatsapp).toEqual({ username: "admin", password: "flag-pass" });
    expect(fromFlags.messenger).toEqual({ pageId: "me", pageToken: "flag-tok" });
  });

  it("has defaults, and every option has an environment twin that works", () => {
    const d = parseTestOptions([...target, "--wa-password", "p"], {});
    expect(d).toMatchObject({
      runs: 100,
      statefulRuns: 10,
      minCoverage: 0,
      destructive: false,
      proxy: true,
      layers: ["scenarios", "route-drift", "fuzz"],
    });
    expect(d.seed).toBeUndefined();
    const e = parseTestOptions([], {
      CONFORMANCE_TARGET: "http://127.0.0.1:1",
      WA_PASSWORD: "p",
      CONFORMANCE_RUNS: "7",
      CONFORMANCE_STATEFUL_RUNS: "2",
      CONFORMANCE_SEED: "99",
      CONFORMANCE_DESTRUCTIVE: "true",
      CONFORMANCE_NO_PROXY: "1",
      CONFORMANCE_MIN_COVERAGE: "80.5",
      CONFORMANCE_LAYERS: "fuzz,route-drift",
      CONFORMANCE_OPERATIONS: "uploadMedia, deleteMedia",
      CONFORMANCE_FAMILY: "whatsapp",
      CONFORMANCE_JUNIT: "r.xml",
      CONFORMANCE_JSON: "r.json",
      WA_USER_USERNAME: "u",
      WA_USER_PASSWORD: "up",
    });
    expect(e).toMatchObject({
      target: "http://127.0.0.1:1",
      runs: 7,
      statefulRuns: 2,
      seed: 99,
      destructive: true,
      proxy: false,
      minCoverage: 80.5,
      junit: "r.xml",
      json: "r.json",
    });
    expect(e.layers).toEqual(["fuzz", "route-drift"]);
    expect(e.operations).toEqual(["uploadMedia", "deleteMedia"]);
    expect(e.families).toEqual(["whatsapp"]);
    expect(e.whatsapp?.user).toEqual({ username: "u", password: "up" });
    // Names follow one rule: CONFORMANCE_* for general options, WA_* and MESSENGER_* for a family's.
    for (const o of TEST_OPTIONS) expect(o.env, o.flag).toMatch(/^(CONFORMANCE|WA|MESSENGER)_[A-Z_]+$/);
  });

  it("skips a family without credentials with a note, and refuses when neither has any", () => {
    const whatsAppOnly = parseTestOptions([...target, "--wa-password", "p"], {});
    expect(whatsAppOnly.families).toEqual(["whatsapp"]);
    expect(whatsAppOnly.familyNotes).toEqual(["messenger: skipped (no --page-token / MESSENGER_PAGE_TOKEN)"]);
    expect(() => parseTestOptions(target, {})).toThrow(/no credentials for either family/);
    expect(() => parseTestOptions([...target, "--family", "whatsapp", "--page-token", "t"], {})).toThrow(
      /whatsapp family needs an admin password/,
    );
    expect(() => parseTestOptions([...target, "--family", "messenger", "--wa-password", "p"], {})).toThrow(
      /messenger family needs a page access token/,
    );
    // Without --target the in-process reference server brings its own credentials.
    expect(parseTestOptions([], {}).families).toEqual(["whatsapp", "messenger"]);
  });

  it.each([
    [["--runs", "0"], /--runs must be a whole number of at least 1/],
    [["--runs", "ten"], /--runs must be a whole number/],
    [["--seed", "1.5"], /--seed must be a whole number/],
    [["--min-coverage", "120"], /--min-coverage must be a percentage/],
    [["--family", "sms"], /--family must be whatsapp, messenger or all/],
    [["--layer", "coverage"], /unknown layer "coverage"/],
    [["--operation", "frobnicate"], /unknown operation "frobnicate"/],
    [["--target", "ftp://x"], /--target must be an http:\/\/ or https:\/\/ URL/],
    [["--fuzz-path", "1:2"], /--fuzz-path replays one counterexample/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--allow-writes"], /--allow-writes is gone/],
    [["stray"], /unexpected argument "stray"/],
    [[...target, "--wa-password", "p", "--page-id", "42"], /--page-id was given without --page-token/],
    [[...target, "--wa-password", "p", "--wa-user-username", "u"], /go together/],
  ])("refuses %j", (args, message) => {
    expect(() => parseTestOptions(args, {})).toThrow(TestUsageError);
    expect(() => parseTestOptions(args, {})).toThrow(message);
  });

  it("refuses a malformed boolean variable", () => {
    expect(() => parseTestOptions([], { CONFORMANCE_DESTRUCTIVE: "maybe" })).toThrow(/CONFORMANCE_DESTRUCTIVE=maybe/);
  });
});

describe("the command line", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "tool-options-"));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("exits 2 with one clear line for bad input and for a missing credential", { timeout: 60_000 }, async () => {
    const runs = await Promise.all([
      runTool(["test", "--runs", "0"], { cwd: work }),
      runTool(["test", "--target", "http://127.0.0.1:9", "--family", "whatsapp"], { cwd: work }),
      runTool(["test", "--target", "http://127.0.0.1:9"], { cwd: work, env: { MESSENGER_PAGE_ID: "1" } }),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^meta-media-openapi test: .+ \(see meta-media-openapi test --help\)\n$/);
    }
    expect(runs[1]!.stderr).toContain("the whatsapp family needs an admin password: --wa-password or WA_PASSWORD");
  });

  it("--help lists every flag with its environment variable", { timeout: 60_000 }, async () => {
    const help = await runTool(["test", "--help"], { cwd: work });
    expect(help.code).toBe(0);
    for (const o of TEST_OPTIONS) expect(help.stdout).toMatch(new RegExp(`--${o.flag}\\b.*\\b${o.env}\\b`));
  });

  it("exits 1 and still writes the reports when the target cannot be reached", { timeout: 60_000 }, async () => {
    const run = await runTool(["test", "--target", "http://127.0.0.1:9", "--wa-password", "p", "--junit", "down.xml"], {
      cwd: work,
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/cannot start: .*no reply/);
    const cases = parseJunit(await readFile(path.join(work, "down.xml"), "utf8")).flatMap((s) => s.cases);
    expect(cases.find((c) => c.failure)?.name).toBe(
      "log in and read the settings and providers to restore after the run",
    );
  });
});

describe("JUnit XML", () => {
  it("escapes markup and replaces characters XML cannot carry, so any reply text parses", () => {
    const nasty = `<a href="x">&'\u0000\u0007\uD800 ok \uFFFE 😀</a>]]>`;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML cannot carry are the point
    expect(xmlEscape(nasty)).not.toMatch(/[<>\u0000\u0007\uD800\uFFFE]/);
    const report = new RunReport();
    report.add({
      layer: "scenarios",
      subject: "loginUser",
      name: `weird ${nasty}`,
      status: "failed",
      message: nasty,
      details: `line 1\n${nasty}`,
    });
    report.add({
      layer: "fuzz",
      subject: "uploadMedia",
      name: "skipped one",
      status: "skipped",
      message: `needs --destructive ${nasty}`,
    });
    const suites = parseJunit(junitXml(report, { target: nasty, seed: 1 }));
    const failed = suites.find((s) => s.name === "scenarios")!.cases[0]!;
    expect(failed.name).toContain("😀");
    expect(failed.failure?.text).toContain(`line 1`);
    expect(suites.find((s) => s.name === "fuzz")!.cases[0]!.skipped?.message).toMatch(/^needs --destructive/);
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.skipped])).toEqual([
      ["scenarios", 1, 1, 0],
      ["coverage", 0, 0, 0],
      ["route drift", 0, 0, 0],
      ["fuzz", 1, 0, 1],
      ["cleanup", 0, 0, 0],
    ]);
  });
});
