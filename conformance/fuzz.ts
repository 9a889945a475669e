/**
 * Layer 4: property-based conformance with fast-check. For every operation: requests generated from the spec's
 * schemas (documented status, content type and body, and one of the statuses a valid request may get: positive data
 * acceptance), mutations of valid requests (each must get a documented 4xx: negative data rejection, a missing
 * Content-Type included), the operation under no/invalid/user/admin credentials (ignored auth), plus the features'
 * stateful models (use after free, resource availability). What an operation needs beyond its schemas (path values,
 * safe bodies, raw bodies, extra mutations) comes from its feature (operation-catalog.ts). Fixed seed; failures
 * carry the replay command.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { ContractRequest } from "./exchange.ts";
import { FuzzContext } from "./fuzz-context.ts";
import { valueMutations } from "./mutations.ts";
import { isIrreversible, knowledgeOf, statefulModels } from "./operation-catalog.ts";
import type { GeneratedBody, Mutated, StatefulModel } from "./operation-knowledge.ts";
import { CheckSkipped, RunInterrupted, TargetStoppedAnswering, type RunReport } from "./run-report.ts";
import { safeUrls } from "./safe-urls.ts";
import { fillPath } from "./scenario-context.ts";
import { OVERSIZED_JSON_BYTES } from "./scenarios.ts";
import { resolveSchema, schemaArbitrary } from "./schema-arbitrary.ts";
import type { ContractSession, CredentialKind } from "./session.ts";
import { paramKey } from "./scenario-context.ts";
import {
  getOperation,
  listOperations,
  loadOpenApiDocument,
  type JsonSchema,
  type SpecOperation,
} from "../spec-model/openapi-document.ts";
import { familyOf } from "../spec-model/spec-bundles.ts";

import { MALFORMED_AUTHORIZATION } from "./features/users.ts";
import { mediaSamples } from "./media-samples.ts";

export interface FuzzOptions {
  seed: number;
  /** Generated requests and mutations per operation (each). */
  runs: number;
  /** Runs of each stateful model. */
  statefulRuns?: number;
  operations?: string[];
  /** Replay one counterexample: fast-check's path (needs the same seed and one operation). */
  path?: string;
  /** The command that reruns this layer against the same target, for the replay line of a failure. */
  replayCommand?: string;
  /** Where each operation's checks are recorded. */
  report?: RunReport;
  /** One progress line per operation. */
  log?: (line: string) => void;
}

export interface FuzzCounts {
  generated: number;
  mutated: number;
  security: number;
  stateful: number;
  /** Wall time spent on the operation's generated, mutated and security requests. */
  ms: number;
}

export interface FuzzResult {
  seed: number;
  counts: Record<string, FuzzCounts>;
  failures: Error[];
  skipped: string[];
}

interface Generated {
  request: ContractRequest;
  /** The JSON value of the body (for body mutations), and its schema. */
  json?: { value: unknown; schema: JsonSchema };
}

/**
 * A value that a URL can carry as one path segment: "." and ".." are removed by every URL parser before a request
 * leaves (`/providers/.` becomes `/providers/`), so they would test another operation than the one meant.
 */
const isPathSegment = (value: string) => value !== "" && value !== "." && value !== "..";

function pathParamArbitrary(
  ctx: FuzzContext,
  op: SpecOperation,
  name: string,
  schema: JsonSchema | undefined,
): fc.Arbitrary<string> {
  const fromSchema = (schema ? schemaArbitrary(schema) : fc.string({ minLength: 1 })).map(String);
  const hint = knowledgeOf(op.operationId).fuzz?.pathParams?.[paramKey(name)];
  return (hint ? hint(ctx, fromSchema) : fromSchema).filter(isPathSegment);
}

/** Generated, valid requests for one operation, with credentials that let them reach the handler. */
function requestArbitrary(ctx: FuzzContext, op: SpecOperation): fc.Arbitrary<Generated> {
  const doc = loadOpenApiDocument();
  const hints = knowledgeOf(op.operationId).fuzz ?? {};
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const params = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, pathParamArbitrary(ctx, op, p.name, p.schema)])),
  ) as fc.Arbitrary<Record<string, string>>;
  const messengerQuery = familyOf(op.operationId) === "whatsapp" ? undefined : ctx.session.messengerQuery();
  // Optional query parameters stay out: a random appsecret_proof is (rightly) refused when the app has a secret.
  const content = op.operation.requestBody?.content ?? {};
  const required = op.operation.requestBody?.required === true;
  // Read when each request is generated: a generated login body may have changed the login account's password.
  const credentials = () => hints.credentials?.(ctx) ?? (messengerQuery ? {} : { ...ctx.adminHeaders });
  const base = (p: Record<string, string>): ContractRequest => ({
    operationId: op.operationId,
    method: op.method.toUpperCase(),
    path: fillPath(op.path, p),
    query: { ...(messengerQuery ?? {}) },
    headers: credentials(),
  });

  const bodies: Array<fc.Arbitrary<GeneratedBody & { json?: Generated["json"] }>> = [];
  for (const [type, media] of Object.entries(content)) {
    if (type === "application/json" && media.schema) {
      const schema = media.schema;
      bodies.push(
        fc
          .tuple(schemaArbitrary(schema), fc.nat())
          .map(([raw, pick]) => {
            // No generated URL may lead anywhere: Graph operations fetch them, a webhook URL would receive callbacks.
            let value = safeUrls(raw, messengerQuery ? ctx.session.target.fetchableImageUrl : undefined, pick);
            if (value && typeof value === "object" && !Array.isArray(value) && "access_token" in value) {
              const { access_token: _t, ...rest } = value as Record<string, unknown>;
              value = rest;
            }
            return hints.jsonBody ? hints.jsonBody(value, ctx) : value;
          })
          .filter((value) => value !== undefined)
          .map((value) => ({
            json: { value, schema },
            headers: { "content-type": "application/json" },
            body: JSON.stringify(value),
          })),
      );
    } else if (type === "multipart/form-data" && media.schema) {
      const form = resolveSchema(doc, media.schema);
      const messageSchema = (form.properties as Record<string, JsonSchema>).message!;
      const samples = mediaSamples();
      bodies.push(
        fc.tuple(schemaArbitrary(messageSchema), fc.constantFrom(...samples)).map(([message, sample]) => {
          const fd = new FormData();
          fd.set("message", message as string);
          fd.set(
            "filedata",
            new Blob([new Uint8Array(sample.bytes)], { type: sample.contentType.split(";")[0]! }),
            "file.bin",
          );
          return { headers: {}, body: fd };
        }),
      );
    } else {
      const raw = hints.rawBody?.(type);
      if (raw) bodies.push(raw);
    }
  }
  if (!required || bodies.length === 0) bodies.push(fc.constant({ headers: {} }));
  return fc.tuple(params, fc.oneof(...bodies)).map(([p, b]) => {
    const request = base(p);
    request.headers = { ...request.headers, ...b.headers };
    if (b.body !== undefined) request.body = b.body;
    return { request, ...(b.json ? { json: b.json } : {}) };
  });
}

const MALFORMED_ESCAPES = ["%", "%ZZ", "%E0%A4%A", "abc%2", "%C0%AF", "%00", "..%2F..%2Fetc%2Fpasswd", "%FF%FE"];
const UNDOCUMENTED_TYPES = [
  "text/plain",
  "application/xml",
  "image/gif",
  "audio/wav",
  "video/webm",
  "font/woff2",
  "x-contract/unknown",
];

/** Mutations of a valid request of the operation. */
function mutationArbitrary(ctx: FuzzContext, op: SpecOperation): fc.Arbitrary<Mutated> {
  const hints = knowledgeOf(op.operationId).fuzz ?? {};
  const content = op.operation.requestBody?.content ?? {};
  const bodyRequired = op.operation.requestBody?.required === true;
  const pathParams = op.parameters.filter((p) => p.in === "path").map((p) => p.name);
  return fc.tuple(requestArbitrary(ctx, op), fc.nat(), fc.nat()).map(([valid, pick, pick2]) => {
    const options: Array<() => Mutated> = [];
    const req = valid.request;
    const withHeaders = (headers: Record<string, string>, body?: ContractRequest["body"]): ContractRequest => ({
      ...req,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    if (valid.json) {
      const { value, schema } = valid.json;
      const mutations = valueMutations(schema, value);
      if (mutations.length) {
        options.push(() => {
          const m = mutations[pick2 % mutations.length]!;
          return { request: { ...req, body: JSON.stringify(m.apply(value)) }, rule: `${m.kind} at ${m.at} gets a 4xx` };
        });
      }
      options.push(() => ({
        request: withHeaders({
          ...req.headers,
          "content-type": UNDOCUMENTED_TYPES[pick2 % UNDOCUMENTED_TYPES.length]!,
        }),
        rule: "wrong content type gets a 4xx",
      }));
      options.push(() => ({
        request: { ...req, body: `${JSON.stringify(value).slice(0, Math.max(1, (pick2 % 8) + 1))}\u0000{` },
        rule: "malformed JSON gets a 4xx",
      }));
      options.push(() => ({
        request: { ...req, body: JSON.stringify({ contract_padding: "x".repeat(OVERSIZED_JSON_BYTES) }) },
        rule: `oversized body (${OVERSIZED_JSON_BYTES} bytes) gets a 4xx`,
      }));
    }
    // missing_required_header: a required body without its Content-Type (a FormData sets its own, so not those).
    if (bodyRequired && req.body !== undefined && !(req.body instanceof FormData))
      options.push(() => ({
        request: withHeaders(
          Object.fromEntries(Object.entries(req.headers ?? {}).filter(([k]) => k !== "content-type")),
        ),
        rule: "a body without its Content-Type header gets a 4xx",
      }));
    for (const mutation of hints.mutations?.(req, pick, pick2) ?? []) options.push(mutation);
    if (content["multipart/form-data"] && req.body instanceof FormData) {
      const form = req.body;
      options.push(() => {
        const fd = new FormData();
        const variant = pick2 % 3;
        if (variant !== 0)
          fd.set(
            "message",
            variant === 1 ? "{not json" : JSON.stringify({ attachment: { type: "image", contract_unknown_field: 1 } }),
          );
        if (variant !== 1 || pick % 2) fd.set("filedata", form.get("filedata")!);
        const broken = ["missing required field message", "message is not JSON", "unknown property in message"][
          variant
        ]!;
        return { request: withHeaders(req.headers ?? {}, fd), rule: `${broken} gets a 4xx` };
      });
    }
    for (const name of pathParams) {
      options.push(() => {
        const bad = MALFORMED_ESCAPES[pick2 % MALFORMED_ESCAPES.length]!;
        const path = op.path.replace(/\{([^}]+)\}/g, (_m, n: string) =>
          n === name ? bad : encodeURIComponent(paramKey(n) === "pageid" ? ctx.session.target.messenger.pageId : "x"),
        );
        return { request: { ...req, path }, rule: `malformed percent-encoding in path id ${name} (${bad}) gets a 4xx` };
      });
    }
    if (hints.mangleCredentials !== false)
      options.push(() => {
        if (familyOf(op.operationId) !== "whatsapp")
          return {
            request: { ...req, query: { ...req.query, access_token: `${req.query?.access_token ?? ""}${"%"}x` } },
            rule: "mangled access token gets a 4xx",
          };
        return {
          request: withHeaders({
            ...req.headers,
            authorization: MALFORMED_AUTHORIZATION[pick2 % MALFORMED_AUTHORIZATION.length]!,
          }),
          rule: "malformed Authorization header gets a 4xx",
        };
      });
    if (options.length === 0) {
      // A request without body or path parameters (a login): a malformed JSON body is what is left to break.
      options.push(() => ({
        request: withHeaders({ ...req.headers, "content-type": "application/json" }, '{"contract": '),
        rule: "malformed JSON gets a 4xx",
      }));
    }
    return options[pick % options.length]!();
  });
}

/** Formats a fast-check failure with its replay instructions, keeping our own description of the broken rule. */
function fuzzFailure(kind: string, operationId: string, opts: FuzzOptions, err: unknown): Error {
  const seed = opts.seed;
  const e = err as Error & { cause?: unknown };
  const message = e.message ?? String(err);
  const pathMatch = /path: ?"([0-9:]+)"/.exec(message);
  const command = opts.replayCommand ?? "npx meta-media-openapi test";
  const fuzzPath = pathMatch ? ` --fuzz-path ${pathMatch[1]}` : "";
  const replay = `${command} --layer fuzz --seed ${seed} --operation ${operationId}${fuzzPath}`;
  // fast-check prints the whole counterexample (a body can be a megabyte); our violation already shows an excerpt.
  const head = message
    .split("\n")
    .filter((line) => !/^(Counterexample|Hint|Encountered failures)/.test(line))
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join("\n");
  const cause =
    e.cause instanceof Error && !message.includes(e.cause.message.slice(0, 80)) ? `\n${e.cause.message}` : "";
  return new Error(`fuzz ${kind} of ${operationId} failed (seed ${seed}); replay: ${replay}\n${head}${cause}`);
}

/**
 * A skip or a stop raised inside a property: fast-check reports it as a failure of the property, with the error as
 * its cause. The run's own reasons (the failed-login budget, an irreversible request, Ctrl-C) are not failures.
 */
function stopOrSkip(err: unknown, session: ContractSession): Error | undefined {
  const cause = (err as { cause?: unknown }).cause ?? err;
  if (cause instanceof RunInterrupted || cause instanceof CheckSkipped) return cause;
  if (session.interrupted && !(session.stoppedBy instanceof TargetStoppedAnswering)) return session.stoppedBy;
  return undefined;
}

async function assertProperty<T>(
  arb: fc.Arbitrary<T>,
  predicate: (v: T) => Promise<void>,
  opts: FuzzOptions,
  numRuns: number,
): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, predicate), {
    seed: opts.seed,
    numRuns,
    ...(opts.path ? { path: opts.path } : {}),
    endOnFailure: false,
    interruptAfterTimeLimit: 120_000,
  });
}

const is4xx = (s: number) => s >= 400 && s < 500;

async function securityChecks(
  ctx: FuzzContext,
  op: SpecOperation,
  sample: ContractRequest,
  counts: FuzzCounts,
): Promise<void> {
  const s = ctx.session;
  const hints = knowledgeOf(op.operationId).fuzz ?? {};
  const adminOnly = "403" in op.operation.responses;
  const messenger = familyOf(op.operationId) === "messenger";
  // Valid credentials let an irreversible operation succeed, and a target that does not enforce roles lets a user
  // in too: without --destructive only the refusals of no and invalid credentials are checked.
  const letIn = s.target.destructive || !isIrreversible(op.operationId);
  const all: CredentialKind[] = messenger ? ["none", "invalid", "admin"] : ["none", "invalid", "user", "admin"];
  const kinds = all.filter((k) => letIn || k === "none" || k === "invalid");
  if (!letIn) s.skip(`${op.operationId}: the user and admin credentials checks (cannot be undone: --destructive)`);
  const headers = Object.fromEntries(Object.entries(sample.headers ?? {}).filter(([k]) => k !== "authorization"));
  const query = Object.fromEntries(
    Object.entries(sample.query ?? {}).filter(([k]) => k !== "access_token" && k !== "appsecret_proof"),
  );
  /** A token of its own for an operation that revokes the one it is sent with (the session keeps its own). */
  const freshToken = async (kind: CredentialKind) => {
    const account = kind === "admin" ? s.target.admin : (s.target.user ?? s.ownAccount());
    return account ? { headers: { authorization: `Bearer ${await s.login(account)}` }, query: {} } : undefined;
  };
  for (const kind of kinds) {
    const valid = kind === "user" || kind === "admin";
    const creds = await (hints.securityFreshTokens && valid
      ? freshToken(kind)
      : s.credentials(op.operationId, kind)
    ).catch((err: unknown) => {
      if (err instanceof CheckSkipped) return undefined;
      throw err;
    });
    if (!creds) {
      s.skip(`${op.operationId}: ${kind} credentials check (no such account)`);
      continue;
    }
    const req: ContractRequest = {
      ...sample,
      headers: { ...headers, ...creds.headers },
      query: { ...query, ...creds.query },
    };
    if (hints.securityWithoutBody) {
      // A login body may carry new_password: the credential checks must not change anyone's password.
      delete req.body;
      delete req.headers!["content-type"];
    }
    const expectFor: Record<CredentialKind, [(st: number) => boolean, string]> = {
      none: [(st) => st === 401, "no credentials get 401 (ignored auth)"],
      invalid: [(st) => st === 401, "invalid credentials get 401 (ignored auth)"],
      user: adminOnly
        ? [(st) => st === 403, "a non-admin user gets 403 on an admin-only operation"]
        : [(st) => st !== 401 && st !== 403, "a user is let in"],
      admin: [(st) => st !== 401 && st !== 403, messenger ? "a valid page token is let in" : "an admin is let in"],
    };
    const [expect, rule] = expectFor[kind];
    await s.exchange(req, { expect, rule });
    counts.security++;
    if (messenger && kind === "admin") {
      // The same token as `Authorization: Bearer` (graphBearerAuth).
      await s.exchange(
        { ...req, query, headers: { ...headers, authorization: `Bearer ${s.target.messenger.accessToken}` } },
        { expect, rule: "a valid page token as a Bearer header is let in" },
      );
      counts.security++;
    }
  }
  for (const extra of hints.securityExtras?.({ ...sample, query }) ?? []) {
    await s.exchange(extra.request, { expect: is4xx, rule: extra.rule });
    counts.security++;
  }
}

/** Runs one stateful model as a check of the fuzz layer, unless its operations are not all allowed on this target. */
async function runModel(ctx: FuzzContext, opts: FuzzOptions, result: FuzzResult, model: StatefulModel): Promise<void> {
  const s = ctx.session;
  const skip = (reason: string) => {
    result.skipped.push(`stateful model ${model.name}: ${reason}`);
    return new CheckSkipped(reason);
  };
  const run = async () => {
    if (opts.operations && !model.operations.every((id) => opts.operations!.includes(id)))
      throw skip("not among the chosen --operation values");
    const foreign = model.operations.filter((id) => !s.covers(id)).map((id) => familyOf(id));
    if (foreign.length) throw skip(`the ${[...new Set(foreign)].join(" and ")} family is not under test`);
    const irreversible = model.operations.filter(isIrreversible);
    if (irreversible.length && !s.target.destructive)
      throw skip(`cannot be undone (${irreversible.join(", ")}): runs only with --destructive`);
    if (s.interrupted) throw s.stoppedBy!;
    if (ctx.adminFailure && model.operations.some((id) => familyOf(id) === "whatsapp")) {
      if (ctx.adminFailure instanceof CheckSkipped) throw ctx.adminFailure;
      throw new Error(`the admin could not log in: ${ctx.adminFailure.message.split("\n", 1)[0]}`);
    }
    try {
      await model.run(ctx, opts.statefulRuns ?? 10, (arb, predicate, runs) =>
        assertProperty(arb, predicate, opts, runs),
      );
      const exercised = [...model.operations, ...(s.target.destructive ? (model.destructiveOperations ?? []) : [])];
      for (const id of exercised) if (result.counts[id]) result.counts[id].stateful++;
    } catch (err) {
      const stop = stopOrSkip(err, s);
      if (stop) throw stop;
      const failure = fuzzFailure(`stateful model ${model.name}`, model.operations[0]!, opts, err);
      result.failures.push(failure);
      throw failure;
    }
  };
  if (opts.report) await opts.report.run("fuzz", model.operations[0]!, `stateful model ${model.name}`, run);
  else await run().catch(() => undefined);
}

/** A few generated valid requests for one operation (for checking the generators against an independent validator). */
export async function sampleGeneratedRequests(
  session: ContractSession,
  operationId: string,
  count: number,
  seed: number,
): Promise<ContractRequest[]> {
  const ctx = new FuzzContext(session);
  await ctx.prepare();
  return fc.sample(requestArbitrary(ctx, getOperation(operationId)), { numRuns: count, seed }).map((g) => g.request);
}

/** One line of progress for an operation of the fuzz layer. */
function progressLine(operationId: string, c: FuzzCounts, failed: number, skipped?: string): string {
  if (skipped) return `  fuzz       ${operationId.padEnd(26)} skipped: ${skipped}`;
  const counts = `${c.generated} generated, ${c.mutated} mutated, ${c.security} security`;
  const verdict = failed ? `${failed} FAILED` : "ok";
  return `  fuzz       ${operationId.padEnd(26)} ${counts}, ${verdict} (${(c.ms / 1000).toFixed(1)} s)`;
}

/** Runs layer 4 for every operation (or the chosen ones). */
export async function runFuzzLayer(session: ContractSession, opts: FuzzOptions): Promise<FuzzResult> {
  const ctx = new FuzzContext(session);
  await ctx.prepare();
  const result: FuzzResult = { seed: opts.seed, counts: {}, failures: [], skipped: [] };
  const check = async (operationId: string, name: string, fn: () => Promise<void>) => {
    if (opts.report) return (await opts.report.run("fuzz", operationId, name, fn)).status;
    try {
      await fn();
      return "passed" as const;
    } catch (err) {
      return err instanceof CheckSkipped || err instanceof RunInterrupted ? ("skipped" as const) : ("failed" as const);
    }
  };
  const skipAll = async (operationId: string, reason: string) => {
    result.skipped.push(`${operationId}: ${reason}`);
    for (const name of ["generated requests", "mutated requests", "security checks"])
      await check(operationId, name, () => Promise.reject(new CheckSkipped(reason)));
    opts.log?.(progressLine(operationId, { generated: 0, mutated: 0, security: 0, stateful: 0, ms: 0 }, 0, reason));
  };
  /** Without the admin's token the operation cannot be fuzzed: its checks fail with why (or skip, within budget). */
  const adminMissing = async (operationId: string, failure: Error) => {
    const why = `the admin could not log in: ${failure.message.split("\n", 1)[0]}`;
    if (failure instanceof CheckSkipped) return skipAll(operationId, failure.message);
    result.failures.push(new Error(`${operationId}: ${why}`));
    for (const name of ["generated requests", "mutated requests", "security checks"])
      await check(operationId, name, () => Promise.reject(new Error(why)));
    opts.log?.(`  fuzz       ${operationId.padEnd(26)} FAILED: ${why}`);
  };
  for (const op of listOperations()) {
    if (opts.operations && !opts.operations.includes(op.operationId)) continue;
    if (!session.covers(op.operationId)) {
      await skipAll(op.operationId, `the ${familyOf(op.operationId)} family is not under test`);
      continue;
    }
    if (session.interrupted) {
      await skipAll(op.operationId, session.stoppedBy!.message);
      continue;
    }
    if (familyOf(op.operationId) === "whatsapp" && ctx.adminFailure) {
      await adminMissing(op.operationId, ctx.adminFailure);
      continue;
    }
    const knowledge = knowledgeOf(op.operationId);
    const hints = knowledge.fuzz ?? {};
    const counts: FuzzCounts = { generated: 0, mutated: 0, security: 0, stateful: 0, ms: 0 };
    const started = Date.now();
    result.counts[op.operationId] = counts;
    const before = result.failures.length;
    const gen = requestArbitrary(ctx, op);
    // A valid request of an irreversible operation succeeds, and a mutated one might on a lenient target.
    const irreversible =
      isIrreversible(op.operationId) && !session.target.destructive
        ? "cannot be undone: runs only with --destructive"
        : undefined;
    if (irreversible) result.skipped.push(`${op.operationId}: generated and mutated requests (${irreversible})`);
    const property = async <T>(kind: string, arb: fc.Arbitrary<T>, predicate: (v: T) => Promise<void>) => {
      if (irreversible) throw new CheckSkipped(irreversible);
      try {
        await assertProperty(arb, predicate, opts, opts.runs);
      } catch (err) {
        const stop = stopOrSkip(err, session);
        if (stop) throw stop;
        const failure = fuzzFailure(kind, op.operationId, opts, err);
        result.failures.push(failure);
        throw failure;
      }
    };
    await check(
      op.operationId,
      `generated requests (${opts.runs}): documented status, content type and body, and a status valid data may get`,
      () =>
        property("generated requests", gen, async ({ request }) => {
          await hints.beforeSend?.(request, ctx);
          const accepted = knowledge.accepts(request);
          const res = await session.exchange(request, {
            expect: accepted,
            rule: `a valid request gets ${accepted.join(" or ")} (positive data acceptance)`,
          });
          hints.afterReply?.(request, res, ctx);
          counts.generated++;
        }),
    );
    await check(op.operationId, `mutated requests (${opts.runs}): each gets a documented 4xx`, () =>
      property("mutated requests", mutationArbitrary(ctx, op), async ({ request, rule }) => {
        await session.exchange(request, { expect: is4xx, rule });
        counts.mutated++;
      }),
    );
    await check(op.operationId, "security checks: no, invalid, user and admin credentials", async () => {
      if (session.interrupted) throw session.stoppedBy!;
      try {
        const [sample] = fc.sample(gen, { numRuns: 1, seed: opts.seed });
        await securityChecks(ctx, op, sample!.request, counts);
      } catch (err) {
        const stop = stopOrSkip(err, session);
        if (stop) throw stop;
        const failure = new Error(`security check of ${op.operationId}: ${(err as Error).message}`);
        result.failures.push(failure);
        throw failure;
      }
    });
    counts.ms = Date.now() - started;
    opts.log?.(progressLine(op.operationId, counts, result.failures.length - before));
    if (hints.revokesTokens && !session.interrupted) {
      // A generated login may have changed the password of the suite's own account, which revokes its token; the
      // admin's is never changed or logged out (logouts get fresh tokens of their own), so it is kept.
      session.forgetUserToken();
      await ctx.prepare().catch((err: unknown) => {
        if (!(err instanceof CheckSkipped || err instanceof RunInterrupted)) throw err;
      });
    }
  }
  const before = result.failures.length;
  for (const model of statefulModels()) await runModel(ctx, opts, result, model);
  const statefulFailures = result.failures.length - before;
  opts.log?.(`  fuzz       stateful models            ${statefulFailures ? `${statefulFailures} FAILED` : "done"}`);
  result.skipped.push(...session.skipped);
  return result;
}

/** The fuzz counts as a printable table. */
export function fuzzTable(result: FuzzResult): string {
  const rows = Object.entries(result.counts);
  const width = Math.max("operationId".length, ...rows.map(([id]) => id.length));
  const lines = [`${"operationId".padEnd(width)}  generated  mutated  security  stateful  seconds`];
  for (const [id, c] of rows) {
    const cells = [
      String(c.generated).padStart(9),
      String(c.mutated).padStart(7),
      String(c.security).padStart(8),
      String(c.stateful).padStart(8),
      (c.ms / 1000).toFixed(1).padStart(7),
    ];
    lines.push(`${id.padEnd(width)}  ${cells.join("  ")}`);
  }
  const total = rows.reduce((a, [, c]) => a + c.generated + c.mutated + c.security, 0);
  lines.push(`fuzz seed ${result.seed}: ${total} requests over ${rows.length} operations`);
  return lines.join("\n");
}

/** A fresh random seed (printed, so that any run can be replayed). */
export function randomSeed(): number {
  return randomBytes(4).readUInt32BE(0) >>> 1;
}
