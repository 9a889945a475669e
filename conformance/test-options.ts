/**
 * The options of `meta-media-openapi test`: every flag has an environment twin (general options `CONFORMANCE_*`,
 * WhatsApp ones `WA_*`, Messenger ones `MESSENGER_*`); a flag wins over its variable. Parsing never touches the
 * network: a bad value or a missing credential is a `TestUsageError` (the CLI prints its one line and exits 2).
 */
import { parseArgs } from "node:util";
import { SELECTABLE_LAYERS, type SelectableLayer } from "./suite.ts";
import { listOperations } from "../spec-model/openapi-document.ts";
import { apiFamilies as API_FAMILIES, type ApiFamily } from "../spec-model/spec-bundles.ts";

/** Bad input on the command line or in the environment. */
export class TestUsageError extends Error {
  override name = "TestUsageError";
}

interface OptionSpec {
  flag: string;
  env: string;
  kind: "string" | "boolean" | "list";
  /** The value's placeholder in the help. */
  arg?: string;
  help: string;
}

/** Every option of `test`, in the order the help lists them. */
export const TEST_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "target",
    env: "CONFORMANCE_TARGET",
    kind: "string",
    arg: "URL",
    help:
      "base URL of the deployment under test (WA paths /v1/... are appended); " +
      "without it an in-process reference server is started",
  },
  {
    flag: "family",
    env: "CONFORMANCE_FAMILY",
    kind: "string",
    arg: "whatsapp|messenger|all",
    help: "API family to test (default all; a family without credentials is skipped)",
  },
  {
    flag: "wa-username",
    env: "WA_USERNAME",
    kind: "string",
    arg: "NAME",
    help: "an admin account of the WA API (default admin)",
  },
  {
    flag: "wa-password",
    env: "WA_PASSWORD",
    kind: "string",
    arg: "PASSWORD",
    help: "its password (required for the whatsapp family)",
  },
  {
    flag: "wa-user-username",
    env: "WA_USER_USERNAME",
    kind: "string",
    arg: "NAME",
    help: "a non-admin account for the 403 checks (default: the suite creates one and deletes it)",
  },
  { flag: "wa-user-password", env: "WA_USER_PASSWORD", kind: "string", arg: "PASSWORD", help: "its password" },
  {
    flag: "wa-login-failure-limit",
    env: "WA_LOGIN_FAILURE_LIMIT",
    kind: "string",
    arg: "N",
    help:
      "the target's limit of failed logins per user name, when known: " +
      "the 429 check spends it on a user name of its own (skipped without)",
  },
  {
    flag: "page-id",
    env: "MESSENGER_PAGE_ID",
    kind: "string",
    arg: "ID",
    help: "the Facebook Page to test with (default me: the page of the token)",
  },
  {
    flag: "page-token",
    env: "MESSENGER_PAGE_TOKEN",
    kind: "string",
    arg: "TOKEN",
    help: "its page access token (required for the messenger family)",
  },
  {
    flag: "graph-base-url",
    env: "MESSENGER_GRAPH_BASE_URL",
    kind: "string",
    arg: "URL",
    help: "Graph base URL with its version (default <target>/v21.0)",
  },
  {
    flag: "app-secret",
    env: "MESSENGER_APP_SECRET",
    kind: "string",
    arg: "SECRET",
    help: "app secret, when the target requires appsecret_proof",
  },
  {
    flag: "fetchable-url",
    env: "MESSENGER_FETCHABLE_URL",
    kind: "string",
    arg: "URL",
    help: "an image URL the target can fetch (attachment upload from a URL)",
  },
  {
    flag: "unfetchable-url",
    env: "MESSENGER_UNFETCHABLE_URL",
    kind: "string",
    arg: "URL",
    help: "a URL the target can reach that answers 404 (the could-not-fetch error)",
  },
  {
    flag: "destructive",
    env: "CONFORMANCE_DESTRUCTIVE",
    kind: "boolean",
    help: "also run what cannot be undone: settings reset, attachment uploads, sent messages",
  },
  {
    flag: "layer",
    env: "CONFORMANCE_LAYERS",
    kind: "list",
    arg: "LAYER",
    help: `only these layers: ${SELECTABLE_LAYERS.join(", ")} (repeatable or comma-separated; default all)`,
  },
  {
    flag: "operation",
    env: "CONFORMANCE_OPERATIONS",
    kind: "list",
    arg: "OPERATION_ID",
    help: "only these operations (repeatable or comma-separated)",
  },
  {
    flag: "runs",
    env: "CONFORMANCE_RUNS",
    kind: "string",
    arg: "N",
    help: "generated and mutated requests per operation (default 100)",
  },
  {
    flag: "stateful-runs",
    env: "CONFORMANCE_STATEFUL_RUNS",
    kind: "string",
    arg: "N",
    help: "runs of each stateful model (default 10)",
  },
  {
    flag: "seed",
    env: "CONFORMANCE_SEED",
    kind: "string",
    arg: "S",
    help: "fuzzing seed (default random, printed: pass it back to replay a run)",
  },
  {
    flag: "fuzz-path",
    env: "CONFORMANCE_FUZZ_PATH",
    kind: "string",
    arg: "PATH",
    help: "replay one fuzz counterexample (with its --seed and one --operation)",
  },
  {
    flag: "request-timeout",
    env: "CONFORMANCE_REQUEST_TIMEOUT",
    kind: "string",
    arg: "MS",
    help:
      "deadline of one request, its reply included (default 15000); the run gives up on a target once 3 requests " +
      "in a row got no reply",
  },
  {
    flag: "max-response-time",
    env: "CONFORMANCE_MAX_RESPONSE_TIME",
    kind: "string",
    arg: "MS",
    help: "fail any reply slower than MS milliseconds (default: no such check)",
  },
  {
    flag: "no-proxy",
    env: "CONFORMANCE_NO_PROXY",
    kind: "boolean",
    help: "send the scenarios straight to the target, without the Prism validating proxy",
  },
  {
    flag: "min-coverage",
    env: "CONFORMANCE_MIN_COVERAGE",
    kind: "string",
    arg: "P",
    help: "fail below P % of documented (operationId, status) pairs exercised (default 0)",
  },
  {
    flag: "junit",
    env: "CONFORMANCE_JUNIT",
    kind: "string",
    arg: "FILE",
    help: "write a JUnit XML report (also when the run fails)",
  },
  {
    flag: "json",
    env: "CONFORMANCE_JSON",
    kind: "string",
    arg: "FILE",
    help: "write a JSON report: every check, the coverage table, the seed",
  },
];

/** The help text of `meta-media-openapi test`. */
export function testHelp(name: string): string {
  const rows = TEST_OPTIONS.map((o) => [`  --${o.flag}${o.arg ? ` ${o.arg}` : ""}`, o.env, o.help] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return `Usage: ${name} test [--target URL] [options]

Runs the conformance suite against a deployment of these APIs (the reference server, a gateway, a staging API):
scenarios for every documented status through a Prism validating proxy, route drift, fuzzing, and the coverage
table. It leaves the target as it found it: settings are read first and restored, and the users, media and
providers it creates are deleted; what cannot be undone runs only with --destructive. Exit code 0 when everything
passed, 1 when a check failed, 2 for bad options or missing credentials, 130 when interrupted.

Options (flag, environment variable, meaning):
${rows.map(([f, e, h]) => `${f.padEnd(w0)}  ${e.padEnd(w1)}  ${h}`).join("\n")}
  -h, --help
`;
}

/** Everything `test` needs, parsed and checked. */
export interface TestOptions {
  target?: string;
  families: ApiFamily[];
  /** One line per family left out, and why. */
  familyNotes: string[];
  whatsapp?: {
    username: string;
    password: string;
    user?: { username: string; password: string };
    loginFailureLimit?: number;
  };
  messenger?: {
    pageId: string;
    pageToken: string;
    graphBaseUrl?: string;
    appSecret?: string;
    fetchableUrl?: string;
    unfetchableUrl?: string;
  };
  destructive: boolean;
  layers: SelectableLayer[];
  operations?: string[];
  runs: number;
  statefulRuns: number;
  seed?: number;
  fuzzPath?: string;
  proxy: boolean;
  minCoverage: number;
  /** Deadline of one request (milliseconds). */
  requestTimeoutMs: number;
  /** Replies slower than this fail (milliseconds); unset: not checked. */
  maxResponseTimeMs?: number;
  junit?: string;
  json?: string;
  help: boolean;
  /** Credential flags given without --target (the in-process reference server uses its own). */
  ignoredCredentials: string[];
}

function parseBoolean(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new TestUsageError(`${name}=${value}: expected 1/true/yes or 0/false/no`);
}

function wholeNumber(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new TestUsageError(`${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TestUsageError(`${name} must be an http:// or https:// URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TestUsageError(`${name} must be an http:// or https:// URL, got "${value}"`);
  return value.replace(/\/+$/, "");
}

/** The values `parseArgs` read from the command line, by flag. */
type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Each option's value: its flag's, else its environment variable's (an empty variable counts as unset). */
interface OptionReader {
  str(flag: string): string | undefined;
  bool(flag: string): boolean;
  list(flag: string): string[] | undefined;
}

/** The command line's flags, checked against TEST_OPTIONS (no positional argument, no unknown or gone flag). */
function readFlags(argv: string[]): FlagValues {
  if (argv.includes("--allow-writes")) {
    throw new TestUsageError(
      "--allow-writes is gone: what can be undone now always runs (and is undone); --destructive adds what cannot be",
    );
  }
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const o of TEST_OPTIONS)
    options[o.flag] =
      o.kind === "boolean" ? { type: "boolean" } : { type: "string", ...(o.kind === "list" ? { multiple: true } : {}) };
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new TestUsageError((err as Error).message);
  }
  if (parsed.positionals.length)
    throw new TestUsageError(`unexpected argument "${parsed.positionals[0]}" (options start with --)`);
  return parsed.values;
}

function optionReader(values: FlagValues, env: NodeJS.ProcessEnv): OptionReader {
  const variable = (flag: string): string => TEST_OPTIONS.find((o) => o.flag === flag)!.env;
  return {
    str(flag) {
      const v = values[flag];
      if (typeof v === "string") return v;
      const e = env[variable(flag)];
      return e === undefined || e === "" ? undefined : e;
    },
    bool(flag) {
      if (values[flag] === true) return true;
      const e = env[variable(flag)];
      return e === undefined ? false : parseBoolean(variable(flag), e);
    },
    list(flag) {
      const v = values[flag] as string[] | undefined;
      const e = env[variable(flag)];
      const raw = v?.length ? v : e ? [e] : undefined;
      return raw
        ?.flatMap((x) => x.split(","))
        .map((x) => x.trim())
        .filter(Boolean);
    },
  };
}

type Selection = Pick<
  TestOptions,
  "layers" | "operations" | "runs" | "statefulRuns" | "seed" | "fuzzPath" | "minCoverage" | "requestTimeoutMs"
> & { maxResponseTimeMs?: number };

/** What the run does and how hard: layers, operations, runs, seed, replay path, coverage floor, time limits. */
function readSelection({ str, list }: OptionReader): Selection {
  const layers = (list("layer") ?? [...SELECTABLE_LAYERS]) as SelectableLayer[];
  for (const l of layers)
    if (!SELECTABLE_LAYERS.includes(l))
      throw new TestUsageError(`unknown layer "${l}"; layers: ${SELECTABLE_LAYERS.join(", ")}`);
  const known = new Set(listOperations().map((o) => o.operationId));
  const operations = list("operation");
  for (const id of operations ?? [])
    if (!known.has(id)) throw new TestUsageError(`unknown operation "${id}"; operations: ${[...known].join(", ")}`);

  const runs = str("runs") !== undefined ? wholeNumber("--runs", str("runs")!, 1) : 100;
  const statefulRuns =
    str("stateful-runs") !== undefined ? wholeNumber("--stateful-runs", str("stateful-runs")!, 1) : 10;
  const seedText = str("seed");
  if (seedText !== undefined && !/^-?[0-9]+$/.test(seedText.trim()))
    throw new TestUsageError(`--seed must be a whole number, got "${seedText}"`);
  const seed = seedText !== undefined ? Number(seedText) : undefined;
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new TestUsageError(`--seed is out of range: ${seedText}`);
  const fuzzPath = str("fuzz-path");
  if (fuzzPath !== undefined) {
    if (!/^[0-9]+(:[0-9]+)*$/.test(fuzzPath))
      throw new TestUsageError(`--fuzz-path must look like 12:0:3 (from a failure's replay line), got "${fuzzPath}"`);
    if (seed === undefined || operations?.length !== 1)
      throw new TestUsageError(
        "--fuzz-path replays one counterexample: give it with the failure's --seed and exactly one --operation",
      );
  }
  const minText = str("min-coverage");
  const minCoverage = minText !== undefined ? Number(minText) : 0;
  if (
    minText !== undefined &&
    (minText.trim() === "" || !Number.isFinite(minCoverage) || minCoverage < 0 || minCoverage > 100)
  ) {
    throw new TestUsageError(`--min-coverage must be a percentage from 0 to 100, got "${minText}"`);
  }

  const requestTimeoutMs =
    str("request-timeout") !== undefined ? wholeNumber("--request-timeout", str("request-timeout")!, 100) : 15_000;
  const maxResponseTimeMs =
    str("max-response-time") !== undefined
      ? wholeNumber("--max-response-time", str("max-response-time")!, 1)
      : undefined;
  return {
    layers,
    ...(operations ? { operations } : {}),
    runs,
    statefulRuns,
    ...(seed !== undefined ? { seed } : {}),
    ...(fuzzPath ? { fuzzPath } : {}),
    minCoverage,
    requestTimeoutMs,
    ...(maxResponseTimeMs !== undefined ? { maxResponseTimeMs } : {}),
  };
}

/** The flags that describe a deployment's accounts, page and URLs: ignored (and said so) without --target. */
const CREDENTIAL_FLAGS = [
  "wa-username",
  "wa-password",
  "wa-user-username",
  "wa-user-password",
  "wa-login-failure-limit",
  "page-id",
  "page-token",
  "graph-base-url",
  "app-secret",
  "fetchable-url",
  "unfetchable-url",
];

/**
 * The credentials of each wanted family for a --target run, into `result`: a family without them is skipped with a
 * note, or refused when it was asked for by name; none at all is an error.
 */
function addTargetFamilies(result: TestOptions, { str }: OptionReader, familyValue: string, wanted: ApiFamily[]) {
  const userName = str("wa-user-username");
  const userPassword = str("wa-user-password");
  if ((userName === undefined) !== (userPassword === undefined))
    throw new TestUsageError(
      "--wa-user-username and --wa-user-password (WA_USER_USERNAME, WA_USER_PASSWORD) go together",
    );
  const whatsAppPassword = str("wa-password");
  const pageToken = str("page-token");
  if (str("page-id") !== undefined && pageToken === undefined)
    throw new TestUsageError("--page-id was given without --page-token (MESSENGER_PAGE_TOKEN)");
  for (const flag of ["graph-base-url", "fetchable-url", "unfetchable-url"])
    if (str(flag) !== undefined) httpUrl(`--${flag}`, str(flag)!);

  for (const family of wanted) {
    if (family === "whatsapp") {
      if (whatsAppPassword === undefined) {
        if (familyValue === "whatsapp")
          throw new TestUsageError("the whatsapp family needs an admin password: --wa-password or WA_PASSWORD");
        result.familyNotes.push("whatsapp: skipped (no --wa-password / WA_PASSWORD)");
        continue;
      }
      const loginFailureLimit = str("wa-login-failure-limit");
      result.whatsapp = {
        username: str("wa-username") ?? "admin",
        password: whatsAppPassword,
        ...(userName !== undefined && userPassword !== undefined
          ? { user: { username: userName, password: userPassword } }
          : {}),
        ...(loginFailureLimit !== undefined
          ? { loginFailureLimit: wholeNumber("--wa-login-failure-limit", loginFailureLimit, 1) }
          : {}),
      };
    } else {
      if (pageToken === undefined) {
        if (familyValue === "messenger")
          throw new TestUsageError(
            "the messenger family needs a page access token: --page-token or MESSENGER_PAGE_TOKEN",
          );
        result.familyNotes.push("messenger: skipped (no --page-token / MESSENGER_PAGE_TOKEN)");
        continue;
      }
      result.messenger = {
        pageId: str("page-id") ?? "me",
        pageToken,
        ...(str("graph-base-url") ? { graphBaseUrl: httpUrl("--graph-base-url", str("graph-base-url")!) } : {}),
        ...(str("app-secret") ? { appSecret: str("app-secret")! } : {}),
        ...(str("fetchable-url") ? { fetchableUrl: str("fetchable-url")! } : {}),
        ...(str("unfetchable-url") ? { unfetchableUrl: str("unfetchable-url")! } : {}),
      };
    }
    result.families.push(family);
  }
  if (result.families.length === 0) {
    throw new TestUsageError(
      "no credentials for either family: give --wa-password (WA_PASSWORD) and/or --page-token (MESSENGER_PAGE_TOKEN)",
    );
  }
}

/** Parses the arguments after `test` and the environment; throws TestUsageError for anything wrong. */
export function parseTestOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): TestOptions {
  const values = readFlags(argv);
  if (values.help) return { help: true } as TestOptions;
  const read = optionReader(values, env);
  const { str, bool } = read;

  const target = str("target") !== undefined ? httpUrl("--target", str("target")!) : undefined;
  const familyValue = str("family") ?? "all";
  if (familyValue !== "all" && !API_FAMILIES.includes(familyValue as ApiFamily))
    throw new TestUsageError(`--family must be whatsapp, messenger or all, got "${familyValue}"`);
  const wanted: ApiFamily[] = familyValue === "all" ? [...API_FAMILIES] : [familyValue as ApiFamily];

  const result: TestOptions = {
    ...(target ? { target } : {}),
    families: [],
    familyNotes: [],
    destructive: bool("destructive"),
    ...readSelection(read),
    proxy: !bool("no-proxy"),
    ...(str("junit") ? { junit: str("junit")! } : {}),
    ...(str("json") ? { json: str("json")! } : {}),
    help: false,
    ignoredCredentials: [],
  };
  if (!target) {
    // The in-process reference server brings its own accounts, page and URLs.
    result.ignoredCredentials = CREDENTIAL_FLAGS.filter((f) => typeof values[f] === "string").map((f) => `--${f}`);
    result.families = wanted;
    return result;
  }
  addTargetFamilies(result, read, familyValue, wanted);
  return result;
}
