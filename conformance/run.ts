/**
 * `npm run test:contract -- --target <base-url>`: the contract suite against any server that claims to implement
 * these APIs (layers 1, 2 and 4). `npm run fuzz -- --runs N`: layer 4 alone, for longer runs. Without `--target`
 * both run against an in-process reference server. Exit code 1 on any failure or coverage below `--min-coverage`.
 */
import { parseArgs } from "node:util";
import { listOperations } from "../server/validation/openapi-document.ts";
import { randomSeed } from "./fuzz.ts";
import { runContractSuite, writeOperationsNotice } from "./suite.ts";
import type { ContractTarget } from "./session.ts";

const USAGE = `usage:
  npm run test:contract -- --target <base-url> [--allow-writes] [--seed N] [--runs N] [--stateful-runs N]
                           [--operation <operationId>]... [--no-proxy] [--min-coverage P]
  npm run fuzz -- [--target <base-url>] [--runs N] [--seed N] [--operation <operationId>] [--path <fast-check path>]

environment (with --target):
  CONTRACT_WA_USERNAME, CONTRACT_WA_PASSWORD            an admin account of the WA API (username defaults to admin)
  CONTRACT_WA_USER_USERNAME, CONTRACT_WA_USER_PASSWORD  a non-admin account (optional; else created with --allow-writes)
  CONTRACT_GRAPH_BASE_URL                               Graph base URL with its version (default <target>/v21.0)
  CONTRACT_GRAPH_PAGE_ID, CONTRACT_GRAPH_ACCESS_TOKEN   a page and its page access token (Graph operations skipped without)
  CONTRACT_GRAPH_APP_SECRET                             app secret, when the target requires appsecret_proof
  CONTRACT_FETCHABLE_URL                                an image URL the target can fetch (attachment upload from a URL)
  CONTRACT_UNFETCHABLE_URL                              a URL the target may fetch that answers 404 (optional)`;

function targetFromEnv(base: string, allowWrites: boolean, env: NodeJS.ProcessEnv): ContractTarget {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is required with --target\n\n${USAGE}`);
    return v;
  };
  const waBaseUrl = base.replace(/\/+$/, "");
  return {
    waBaseUrl,
    graphBaseUrl: (env.CONTRACT_GRAPH_BASE_URL ?? `${waBaseUrl}/v21.0`).replace(/\/+$/, ""),
    admin: { username: env.CONTRACT_WA_USERNAME ?? "admin", password: need("CONTRACT_WA_PASSWORD") },
    ...(env.CONTRACT_WA_USER_USERNAME && env.CONTRACT_WA_USER_PASSWORD ? { user: { username: env.CONTRACT_WA_USER_USERNAME, password: env.CONTRACT_WA_USER_PASSWORD } } : {}),
    graph: {
      pageId: env.CONTRACT_GRAPH_PAGE_ID ?? "me",
      accessToken: env.CONTRACT_GRAPH_ACCESS_TOKEN ?? "",
      ...(env.CONTRACT_GRAPH_APP_SECRET ? { appSecret: env.CONTRACT_GRAPH_APP_SECRET } : {}),
    },
    ...(env.CONTRACT_FETCHABLE_URL ? { fetchableImageUrl: env.CONTRACT_FETCHABLE_URL } : {}),
    ...(env.CONTRACT_UNFETCHABLE_URL ? { unfetchableUrl: env.CONTRACT_UNFETCHABLE_URL } : {}),
    allowWrites,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string" },
      "allow-writes": { type: "boolean", default: false },
      seed: { type: "string" },
      runs: { type: "string" },
      "stateful-runs": { type: "string" },
      operation: { type: "string", multiple: true },
      path: { type: "string" },
      "no-proxy": { type: "boolean", default: false },
      "fuzz-only": { type: "boolean", default: false },
      "min-coverage": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const known = new Set(listOperations().map((o) => o.operationId));
  for (const id of values.operation ?? []) if (!known.has(id)) throw new Error(`unknown operation ${id}; known: ${[...known].join(", ")}`);
  const seed = values.seed !== undefined ? Number(values.seed) : randomSeed();
  const runs = values.runs !== undefined ? Number(values.runs) : 100;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) throw new Error(`--seed and --runs must be whole numbers\n\n${USAGE}`);

  let close = async () => undefined as void;
  let target: ContractTarget;
  if (values.target) {
    target = targetFromEnv(values.target, values["allow-writes"], process.env);
  } else {
    const { startReferenceTarget } = await import("./reference-target.ts");
    const ref = await startReferenceTarget();
    target = ref.target;
    close = ref.close;
    console.log(`no --target: running against an in-process reference server at ${target.waBaseUrl}`);
  }
  try {
    console.log(writeOperationsNotice(target));
    console.log(`seed ${seed} (replay with --seed ${seed})`);
    const report = await runContractSuite(target, {
      seed,
      runs,
      ...(values["stateful-runs"] ? { statefulRuns: Number(values["stateful-runs"]) } : {}),
      scenarios: !values["fuzz-only"],
      proxy: !values["no-proxy"],
      ...(values.operation ? { operations: values.operation } : {}),
      ...(values.path ? { path: values.path } : {}),
      log: (line) => console.log(line),
    });
    console.log(`\n${report.coverageTable}`);
    if (report.skipped.length) console.log(`\nskipped:\n${report.skipped.map((s) => `  - ${s}`).join("\n")}`);
    for (const failure of report.failures) console.error(`\nFAIL ${failure.message}`);
    const minCoverage = values["min-coverage"] !== undefined ? Number(values["min-coverage"]) : 0;
    const percent = report.session.coverage.percent();
    if (percent < minCoverage) console.error(`\nFAIL coverage ${percent.toFixed(1)}% is below --min-coverage ${minCoverage}`);
    const ok = report.failures.length === 0 && percent >= minCoverage;
    console.log(`\n${ok ? "PASS" : "FAIL"}: ${report.failures.length} failure(s), ${report.session.exchanges} exchanges, seed ${seed}`);
    return ok ? 0 : 1;
  } finally {
    await close();
  }
}

const args = process.argv.slice(2);
const fuzzMode = args[0] === "--fuzz-mode";
main(fuzzMode ? ["--fuzz-only", ...args.slice(1)] : args).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
