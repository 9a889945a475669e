// `meta-media-openapi test --target <url>` as a user's CI runs it (the package's bin, a child process): it passes
// against the reference server and its JUnit and JSON reports parse and list the checks; it fails against a server
// that breaks the contract, naming the failing checks; and what cannot be undone runs only with --destructive.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedPairs } from "../../conformance/coverage.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { loadOpenApiDocument } from "../../spec-model/openapi-document.ts";
import { breakResponse } from "../support/broken-responses.ts";
import { parseJunit, runTool, targetArgs } from "../support/tool-process.ts";

const SEED = "20251122";
/** The route probes of undocumented methods: per documented path, each of GET, POST, PUT, PATCH, DELETE it lacks. */
const methodProbes = Object.values(loadOpenApiDocument().paths).reduce(
  (n, item) => n + ["get", "post", "put", "patch", "delete"].filter((m) => !(m in item)).length,
  0,
);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "tool-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface JsonReport {
  seed: number;
  destructive: boolean;
  summary: { tests: number; passed: number; failed: number; skipped: number };
  checks: Array<{ layer: string; subject: string; name: string; status: string; message?: string }>;
  coverage: { percent: number; table: string; pairs: Array<{ operationId: string; status: string; count: number }> };
  failedLogins: { total: number; byUsername: Record<string, number> };
}

/** Records every reply of the target that succeeded, by "METHOD path". */
function recorder() {
  const ok: string[] = [];
  return {
    ok,
    wrap: (app: { fetch: (r: Request) => Response | Promise<Response> }) => ({
      fetch: async (request: Request) => {
        const res = await app.fetch(request);
        if (res.status >= 200 && res.status < 300) ok.push(`${request.method} ${new URL(request.url).pathname}`);
        return res;
      },
    }),
  };
}

describe("meta-media-openapi test against the reference server", () => {
  let ref: ReferenceTarget;
  beforeAll(async () => {
    ref = await startReferenceTarget();
  });
  afterAll(async () => {
    await ref?.close();
  });

  it("passes, prints progress, and writes JUnit and JSON reports that parse and list every check", {
    timeout: 300_000,
  }, async () => {
    const run = await runTool(
      [
        "test",
        ...targetArgs(ref),
        "--runs",
        "10",
        "--stateful-runs",
        "2",
        "--seed",
        SEED,
        "--junit",
        "reports/r.xml",
        "--json",
        "reports/r.json",
      ],
      { cwd: work },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}scenarios {2}uploadMedia +\d+ passed, 0 failed, \d+ skipped$/m);
    expect(run.stdout).toMatch(/^ {2}fuzz {7}getApplicationSettings +10 generated, 10 mutated, 4 security, ok/m);
    const probes = `${methodProbes}/${methodProbes}`;
    expect(run.stdout).toMatch(
      new RegExp(`^ {2}routes {5}undocumented methods answer 405 with Allow: ${probes} ok$`, "m"),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `^coverage: \\d+/${documentedPairs().length} documented \\(operationId, status\\) pairs exercised`,
        "m",
      ),
    );
    expect(run.stdout).toMatch(/^PASS: \d+ passed, 0 failed, \d+ skipped/m);

    const suites = parseJunit(await readFile(path.join(work, "reports/r.xml"), "utf8"));
    expect(suites.map((s) => s.name)).toEqual(["scenarios", "coverage", "route drift", "fuzz", "cleanup"]);
    const cases = suites.flatMap((s) => s.cases.map((c) => ({ suite: s.name, ...c })));
    expect(cases.some((c) => c.failure)).toBe(false);
    expect(cases).toContainEqual(
      expect.objectContaining({
        suite: "scenarios",
        classname: "conformance.scenarios.loginUser",
        name: "loginUser 200 (admin logs in with Basic credentials)",
      }),
    );
    expect(cases).toContainEqual(
      expect.objectContaining({ suite: "cleanup", name: "the application settings read back as before the run" }),
    );
    // Without --destructive the irreversible checks are skipped, not passed, and say why.
    const reset = cases.find((c) => c.name === "resetApplicationSettings 200 (admin resets)")!;
    expect(reset.skipped?.message).toMatch(/--destructive/);
    for (const s of suites) expect(s.tests, s.name).toBe(s.cases.length);

    const json = JSON.parse(await readFile(path.join(work, "reports/r.json"), "utf8")) as JsonReport;
    expect(json.seed).toBe(Number(SEED));
    expect(json.destructive).toBe(false);
    expect(json.summary.failed).toBe(0);
    expect(json.summary.tests).toBe(cases.length);
    expect(json.checks.map((c) => c.name)).toEqual(expect.arrayContaining(cases.map((c) => c.name)));
    expect(json.coverage.table).toContain("coverage:");
    expect(json.coverage.pairs).toHaveLength(documentedPairs().length);
    // A default run's deliberate failed logins stay few, and none names the admin.
    expect(json.failedLogins.total).toBeLessThanOrEqual(12);
    expect(json.failedLogins.byUsername.admin ?? 0).toBe(0);
    console.log(`failed logins of a default run: ${JSON.stringify(json.failedLogins)}`);
  });

  it("without --destructive never resets the settings, uploads an attachment or sends a message; with it, does", {
    timeout: 300_000,
  }, async () => {
    const seen = recorder();
    const gated = await startReferenceTarget({ wrap: seen.wrap });
    try {
      const only = [
        "--operation",
        "resetApplicationSettings,uploadAttachment,sendMessage",
        "--runs",
        "5",
        "--stateful-runs",
        "1",
        "--seed",
        SEED,
        "--layer",
        "scenarios,fuzz",
      ];
      const safe = await runTool(["test", ...targetArgs(gated), ...only, "--json", "safe.json"], { cwd: work });
      expect(safe.code, safe.stdout + safe.stderr).toBe(0);
      expect(safe.stdout).toMatch(
        /skipped without --destructive[^\n]*\n {2}DELETE \/v1\/settings\/application {2}\(resetApplicationSettings\)/,
      );
      expect(safe.stdout).toContain("(uploadAttachment): the Graph API has no way to delete an uploaded attachment");
      expect(safe.stdout).toContain("(sendMessage): a sent message reaches a real person");
      const irreversible = (line: string) =>
        line === "DELETE /v1/settings/application" || /\/(message_attachments|messages)$/.test(line);
      expect(seen.ok.filter(irreversible)).toEqual([]);
      const safeReport = JSON.parse(await readFile(path.join(work, "safe.json"), "utf8")) as JsonReport;
      const skipped = safeReport.checks.filter((c) => c.status === "skipped" && /--destructive/.test(c.message ?? ""));
      expect(skipped.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          "resetApplicationSettings 200 (admin resets)",
          "sendMessage 200 (send an uploaded attachment by id)",
          "stateful model attachment upload -> send -> expiry",
        ]),
      );
      expect(safeReport.checks.find((c) => c.name === "resetApplicationSettings 401 (no token)")?.status).toBe(
        "passed",
      );

      seen.ok.length = 0;
      const full = await runTool(["test", ...targetArgs(gated), ...only, "--destructive", "--json", "full.json"], {
        cwd: work,
      });
      expect(full.code, full.stdout + full.stderr).toBe(0);
      expect(seen.ok).toContain("DELETE /v1/settings/application");
      expect(seen.ok.some((l) => l.endsWith("/message_attachments"))).toBe(true);
      expect(seen.ok.some((l) => l.endsWith("/messages"))).toBe(true);
      const fullReport = JSON.parse(await readFile(path.join(work, "full.json"), "utf8")) as JsonReport;
      expect(fullReport.checks.find((c) => c.name === "resetApplicationSettings 200 (admin resets)")?.status).toBe(
        "passed",
      );
      expect(fullReport.checks.filter((c) => /--destructive/.test(c.message ?? ""))).toEqual([]);
    } finally {
      await gated.close();
    }
  });
});

describe("meta-media-openapi test against a server that breaks the contract", () => {
  it("exits 1 and the JUnit report names the failing checks", { timeout: 300_000 }, async () => {
    const broken = await startReferenceTarget({
      wrap: (app) => ({ fetch: async (request) => breakResponse(request, await app.fetch(request)) }),
    });
    try {
      const ops = "getApplicationSettings,deleteMedia,getMediaProviders,downloadMedia,uploadMedia";
      const run = await runTool(
        [
          "test",
          ...targetArgs(broken),
          "--operation",
          ops,
          "--runs",
          "5",
          "--stateful-runs",
          "1",
          "--seed",
          SEED,
          "--junit",
          "broken.xml",
        ],
        { cwd: work },
      );
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^FAIL: \d+ passed, [1-9]\d* failed/m);
      expect(run.stderr).toMatch(/FAIL \[scenarios\] getApplicationSettings 200/);

      const cases = parseJunit(await readFile(path.join(work, "broken.xml"), "utf8")).flatMap((s) =>
        s.cases.map((c) => ({ suite: s.name, ...c })),
      );
      const failed = cases.filter((c) => c.failure);
      const named = (suite: string, pattern: RegExp) =>
        failed.filter((c) => c.suite === suite && pattern.test(`${c.classname} ${c.name}`));
      expect(named("scenarios", /getApplicationSettings 200/)[0]?.failure?.text).toMatch(/wa_id/);
      expect(named("scenarios", /deleteMedia 404/)[0]?.failure?.text).toMatch(
        /request: {2}DELETE http:\/\/127\.0\.0\.1:\d+\/v1\/media\//,
      );
      expect(named("scenarios", /getMediaProviders 200/).length).toBe(1);
      expect(named("scenarios", /downloadMedia 200/)[0]?.failure?.message).toMatch(
        /the body differs from the bytes expected/,
      );
      expect(named("coverage", /deleteMedia 410 is not documented/).length).toBe(1);
      const replay = new RegExp(
        /replay: npx meta-media-openapi test --target http:\/\/127\.0\.0\.1:\d+ /.source +
          /--layer fuzz --seed 20251122 --operation getApplicationSettings/.source,
      );
      expect(named("fuzz", /getApplicationSettings/)[0]?.failure?.text).toMatch(replay);
      // The operations left intact pass.
      expect(failed.filter((c) => c.classname.endsWith(".uploadMedia") && c.suite === "scenarios")).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
