/**
 * The full conformance suite (`meta-media-openapi test --target <url> --destructive`, as a user runs it) against two
 * instances on one PostgreSQL database and one shared media folder, through haproxy (round-robin): every request of
 * the run may land on either instance, so each step reads what the previous one wrote on the other.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as samples from "../../conformance/media-files.ts";
import type { ChildServer } from "../support/child-server.ts";
import { startOrigin, type Origin } from "../support/local-origin.ts";
import { startBalancer, type Balancer } from "../support/haproxy-balancer.ts";
import { runTool } from "../support/tool-process.ts";
import { ADMIN_PASSWORD, sharedStorage, startInstances, type SharedStorage } from "../support/postgres-instances.ts";

const PAGE_ID = "104857600123456";
const PAGE_TOKEN = "balanced-page-token-0123456789";
const LOGIN_FAILURES_PER_USER = 10;

let shared: SharedStorage;
let servers: ChildServer[] = [];
let balancer: Balancer;
let files: Origin;
let work: string;

beforeAll(async () => {
  const png = samples.png();
  files = await startOrigin((req, res) => {
    if (req.url?.startsWith("/pixel.png")) {
      res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
      res.end(png);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  shared = await sharedStorage();
  servers = await startInstances(2, shared, {
    MESSENGER_PAGES: JSON.stringify({ [PAGE_ID]: PAGE_TOKEN }),
    ATTACHMENT_FETCH_ALLOW: "127.0.0.1",
    WA_LOGIN_MAX_FAILURES_PER_USER: String(LOGIN_FAILURES_PER_USER),
  });
  balancer = await startBalancer(servers.map((s) => s.url));
  work = await mkdtemp(path.join(os.tmpdir(), "conformance-balanced-"));
});
afterAll(async () => {
  await balancer?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  await files?.close();
  await shared?.remove();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the conformance suite through the balancer", () => {
  it("passes with --destructive, every check", { timeout: 900_000 }, async () => {
    const run = await runTool(
      [
        "test",
        "--target",
        balancer.url,
        "--wa-password",
        ADMIN_PASSWORD,
        "--wa-login-failure-limit",
        String(LOGIN_FAILURES_PER_USER),
        "--page-id",
        PAGE_ID,
        "--page-token",
        PAGE_TOKEN,
        "--fetchable-url",
        `${files.url}/pixel.png`,
        "--unfetchable-url",
        `${files.url}/missing.png`,
        "--destructive",
        "--json",
        "report.json",
      ],
      { cwd: work, timeoutMs: 850_000 },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^PASS: \d+ passed, 0 failed, \d+ skipped/m);
    // The summary and the coverage line, in the CI log.
    console.log(run.stdout.match(/^(coverage|PASS):.*$/gm)?.join("\n"));
  });
});
