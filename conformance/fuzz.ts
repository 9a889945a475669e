/**
 * Layer 4: property-based conformance with fast-check. For every operation: requests generated from the spec's
 * schemas (no 5xx, documented status, content type and body), mutations of valid requests (must get a documented
 * 4xx), the operation under no/invalid/user/admin credentials (as its security says), plus stateful models
 * (media round trip, settings patch/reset, attachment upload/send/expiry). Fixed seed; failures carry the replay.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { ContractRequest, ContractResponse } from "./exchange.ts";
import { restoringPatch } from "./footprint.ts";
import { mediaSamples } from "./media-samples.ts";
import { valueMutations } from "./mutations.ts";
import { isIrreversible } from "./operation-effects.ts";
import { CheckSkipped, RunInterrupted, type RunReport } from "./run-report.ts";
import { resolveSchema, schemaArbitrary } from "./schema-arbitrary.ts";
import { fillPath, OVERSIZED_JSON_BYTES } from "./scenarios.ts";
import type { ContractSession, CredentialKind } from "./session.ts";
import {
  familyOf,
  getOperation,
  listOperations,
  loadOpenApiDocument,
  paramKey,
  type JsonSchema,
  type SpecOperation,
} from "./spec.ts";

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

/** What the generators know about the target while they run. */
class FuzzContext {
  readonly mediaIds: string[] = [];
  readonly providerNames: string[] = [];
  readonly protectedUsers = new Set<string>(["admin"]);
  adminHeaders: Record<string, string> = {};
  userHeaders?: Record<string, string>;
  loginAccount!: { username: string; password: string; own: boolean };

  constructor(readonly session: ContractSession) {}

  async prepare(): Promise<void> {
    if (!this.session.target.families.includes("whatsapp")) return;
    this.adminHeaders = (await this.session.credentials("createUser", "admin"))!.headers;
    this.userHeaders = (await this.session.credentials("createUser", "user"))?.headers;
    const t = this.session.target;
    this.protectedUsers.add(t.admin.username);
    if (t.user) this.protectedUsers.add(t.user.username);
    const created = this.session.ownAccount();
    if (created) this.protectedUsers.add(created.username);
    // Only an account the suite created itself may have its password changed by a generated login body; the
    // object is the session's own, so a changed password is seen by later logins too.
    this.loginAccount = created ? Object.assign(created, { own: true }) : { ...t.admin, own: false };
  }
}

/**
 * A value that a URL can carry as one path segment: "." and ".." are removed by every URL parser before a request
 * leaves (`/providers/.` becomes `/providers/`), so they would test another operation than the one meant.
 */
const isPathSegment = (value: string) => value !== "" && value !== "." && value !== "..";

function pathParamArbitrary(ctx: FuzzContext, name: string, schema: JsonSchema | undefined): fc.Arbitrary<string> {
  return anyPathParamArbitrary(ctx, name, schema).filter(isPathSegment);
}

function anyPathParamArbitrary(ctx: FuzzContext, name: string, schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const fromSchema = (schema ? schemaArbitrary(schema) : fc.string({ minLength: 1 })).map(String);
  const known = (values: string[]) => (values.length ? fc.oneof(fc.constantFrom(...values), fromSchema) : fromSchema);
  const key = paramKey(name);
  if (key === "pageid")
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(ctx.session.target.graph.pageId) },
      fc.constant("me"),
      fromSchema,
    );
  if (key === "mediaid") return known(ctx.mediaIds);
  // Never a provider that was there before the run: POST overwrites by name and GET masks secrets.
  if (key === "providername") return known(ctx.providerNames).filter((n) => !ctx.session.footprint.existedBefore(n));
  if (key === "username") {
    const fresh = fromSchema.filter((u) => !ctx.protectedUsers.has(u));
    // Users cannot be listed: on a target someone else owns, a generated name gets a random prefix, so that it can
    // only name a user this run created.
    if (ctx.session.target.disposable) return fresh;
    return fc.tuple(fc.stringMatching(/^[0-9a-f]{8}$/), fresh).map(([prefix, u]) => `ct-${prefix}-${u}`.slice(0, 64));
  }
  return fromSchema;
}

/**
 * A generated URL made harmless: its host moves under `.invalid` (never resolves), or it is the target's fetchable URL.
 */
function safeUrls(value: unknown, fetchable: string | undefined, pick: number): unknown {
  if (typeof value === "string" && /^https?:\/\//.test(value)) {
    if (fetchable && pick % 3 === 0) return fetchable;
    try {
      const url = new URL(value);
      url.hostname = `${url.hostname.replace(/\.$/, "")}.invalid`;
      return url.toString();
    } catch {
      return "https://contract.invalid/unparsable";
    }
  }
  if (Array.isArray(value)) return value.map((v) => safeUrls(v, fetchable, pick));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeUrls(v, fetchable, pick)]));
  return value;
}

/** Generated, valid requests for one operation, with credentials that let them reach the handler. */
function requestArbitrary(ctx: FuzzContext, op: SpecOperation): fc.Arbitrary<Generated> {
  const doc = loadOpenApiDocument();
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query" && p.name !== "access_token");
  const params = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, pathParamArbitrary(ctx, p.name, p.schema)])),
  ) as fc.Arbitrary<Record<string, string>>;
  const graph = familyOf(op.operationId) === "whatsapp" ? undefined : ctx.session.graphQuery();
  // Optional query parameters stay out: a random appsecret_proof is (rightly) refused when the app has a secret.
  void queryParams;
  const content = op.operation.requestBody?.content ?? {};
  const required = op.operation.requestBody?.required === true;
  const base = (p: Record<string, string>): ContractRequest => ({
    operationId: op.operationId,
    method: op.method.toUpperCase(),
    path: fillPath(op.path, p),
    query: { ...(graph ?? {}) },
    headers:
      op.operationId === "loginUser"
        ? { authorization: basicOf(ctx.loginAccount) }
        : graph
          ? {}
          : { ...ctx.adminHeaders },
  });

  const bodies: Array<
    fc.Arbitrary<Omit<Generated, "request"> & { headers: Record<string, string>; body?: ContractRequest["body"] }>
  > = [];
  for (const [type, media] of Object.entries(content)) {
    if (type === "application/json" && media.schema) {
      const schema = media.schema;
      bodies.push(
        fc
          .tuple(schemaArbitrary(schema), fc.nat())
          .map(([raw, pick]) => {
            // No generated URL may lead anywhere: Graph operations fetch them, a webhook URL would receive callbacks.
            let value = safeUrls(raw, graph ? ctx.session.target.fetchableImageUrl : undefined, pick);
            if (op.operationId === "updateApplicationSettings") value = keepRestorable(ctx, value);
            if (value && typeof value === "object" && !Array.isArray(value) && "access_token" in value) {
              const { access_token: _t, ...rest } = value as Record<string, unknown>;
              value = rest;
            }
            if (op.operationId === "loginUser" && !ctx.loginAccount.own && value && typeof value === "object")
              value = {};
            return {
              json: { value, schema },
              headers: { "content-type": "application/json" },
              body: JSON.stringify(value),
            };
          })
          .filter(({ json }) => op.operationId !== "updateMediaProviders" || !namesExistingProvider(ctx, json.value)),
      );
    } else if (type === "multipart/form-data" && media.schema) {
      const form = resolveSchema(doc, media.schema);
      const messageSchema = (form.properties as Record<string, JsonSchema>).message!;
      // One sample per documented upload type; the document entry's is a PDF.
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
    } else if (op.operationId === "uploadMedia") {
      const sample = mediaSamples().find((s) => s.documented === type)!;
      bodies.push(
        fc.uint8Array({ maxLength: 512 }).map((tail) => ({
          headers: { "content-type": sample.contentType },
          body: new Uint8Array(Buffer.concat([sample.bytes, tail])),
        })),
      );
    }
  }
  if (!required) bodies.push(fc.constant({ headers: {} }));
  if (bodies.length === 0) bodies.push(fc.constant({ headers: {} }));
  return fc.tuple(params, fc.oneof(...bodies)).map(([p, b]) => {
    const request = base(p);
    request.headers = { ...request.headers, ...b.headers };
    if (b.body !== undefined) request.body = b.body;
    return { request, ...(b.json ? { json: b.json } : {}) };
  });
}

/** Leaves `pass_through` out of a patch when it was true before the run: no PATCH could set it back. */
function keepRestorable(ctx: FuzzContext, patch: unknown): unknown {
  if (ctx.session.footprint.snapshot?.settings.pass_through !== true || !patch || typeof patch !== "object")
    return patch;
  const { pass_through: _dropped, ...rest } = patch as Record<string, unknown>;
  return rest;
}

/** Whether a providers body names a provider that was there before the run. */
function namesExistingProvider(ctx: FuzzContext, body: unknown): boolean {
  return (
    Array.isArray(body) &&
    body.some(
      (p) =>
        typeof (p as { name?: unknown })?.name === "string" &&
        ctx.session.footprint.existedBefore((p as { name: string }).name),
    )
  );
}

function basicOf(account: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;
}

/** A mutated request and the rule the mutation breaks. */
interface Mutated {
  request: ContractRequest;
  rule: string;
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
/** Every valid MIME type is a document upload (`*\/*`), so what uploadMedia refuses is a range or not a type at all. */
const NOT_A_BODY_TYPE = ["text/*", "*/*", "image/*", "video/*", "not-a-type"];

/** Mutations of a valid request of the operation. */
function mutationArbitrary(ctx: FuzzContext, op: SpecOperation): fc.Arbitrary<Mutated> {
  const content = op.operation.requestBody?.content ?? {};
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
    if (op.operationId === "uploadMedia") {
      const samples = mediaSamples();
      const webp = samples.find((s) => s.contentType === "image/webp")!;
      options.push(() => ({
        request: withHeaders({ ...req.headers, "content-type": NOT_A_BODY_TYPE[pick2 % NOT_A_BODY_TYPE.length]! }),
        rule: "a media range or a non-type as Content-Type gets a 4xx",
      }));
      options.push(() => {
        const big = new Uint8Array(webp.maxBytes + 1 + (pick2 % 1024));
        big.set(webp.bytes);
        return {
          request: withHeaders({ ...req.headers, "content-type": webp.contentType }, big),
          rule: `oversized body (over x-max-bytes ${webp.maxBytes} of image/webp) gets a 4xx`,
        };
      });
      options.push(() => {
        const binary = samples.filter((s) => s.category !== "document");
        const declared = binary[pick2 % binary.length]!;
        // MP4 audio and MP4 video share one container (ISO BMFF, often with the generic `isom` brand): their first
        // bytes cannot tell one from the other, so that pair is no mismatch a server can see.
        const sameContainer = (a: string, b: string) => [a, b].every((t) => t === "audio/mp4" || t === "video/mp4");
        const others = binary.filter((s) => s !== declared && !sameContainer(s.contentType, declared.contentType));
        const actual = others[pick % others.length]!;
        return {
          request: withHeaders({ ...req.headers, "content-type": declared.contentType }, actual.bytes),
          rule: `declared ${declared.contentType} with ${actual.contentType} bytes gets a 4xx`,
        };
      });
      options.push(() => ({
        request: withHeaders(
          Object.fromEntries(Object.entries(req.headers ?? {}).filter(([k]) => k !== "content-type")),
        ),
        rule: "missing content type gets a 4xx",
      }));
    }
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
          n === name ? bad : encodeURIComponent(paramKey(n) === "pageid" ? ctx.session.target.graph.pageId : "x"),
        );
        return { request: { ...req, path }, rule: `malformed percent-encoding in path id ${name} (${bad}) gets a 4xx` };
      });
    }
    // Mangled credentials apply to every operation but the login, whose failures count against login throttles: the
    // security checks send each malformed login header once.
    if (op.operationId !== "loginUser")
      options.push(() => {
        if (familyOf(op.operationId) !== "whatsapp")
          return {
            request: { ...req, query: { ...req.query, access_token: `${req.query?.access_token ?? ""}${"%"}x` } },
            rule: "mangled access token gets a 4xx",
          };
        const variants = ["Bearer", "Bearer ", "Basic", "Bearer a b c", "Token abc", `Bearer ${"z".repeat(5000)}`];
        return {
          request: withHeaders({ ...req.headers, authorization: variants[pick2 % variants.length]! }),
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

/** The checks every reply gets in this layer (the session adds spec conformance): no 5xx is part of the session. */
const anyStatus = () => true;
const is4xx = (s: number) => s >= 400 && s < 500;

/** Malformed `Authorization` headers: every operation's mutations draw from them; the login sends each once. */
const MALFORMED_AUTHORIZATION = [
  "Bearer",
  "Bearer ",
  "Basic",
  "Bearer a b c",
  "Token abc",
  `Bearer ${"z".repeat(5000)}`,
];

async function securityChecks(
  ctx: FuzzContext,
  op: SpecOperation,
  sample: ContractRequest,
  counts: FuzzCounts,
): Promise<void> {
  const s = ctx.session;
  const adminOnly = "403" in op.operation.responses;
  const graph = familyOf(op.operationId) === "messenger";
  // Valid credentials let an irreversible operation succeed: without --destructive only refusals are checked.
  const letIn = s.target.destructive || !isIrreversible(op.operationId);
  const all: CredentialKind[] = graph ? ["none", "invalid", "admin"] : ["none", "invalid", "user", "admin"];
  const kinds = all.filter((k) => letIn || k === "none" || k === "invalid" || (k === "user" && adminOnly));
  if (!letIn) s.skip(`${op.operationId}: the valid-credentials check (cannot be undone: --destructive)`);
  const headers = Object.fromEntries(Object.entries(sample.headers ?? {}).filter(([k]) => k !== "authorization"));
  const query = Object.fromEntries(
    Object.entries(sample.query ?? {}).filter(([k]) => k !== "access_token" && k !== "appsecret_proof"),
  );
  for (const kind of kinds) {
    const creds = await s.credentials(op.operationId, kind);
    if (!creds) {
      s.skip(`${op.operationId}: ${kind} credentials check (no such account)`);
      continue;
    }
    const req: ContractRequest = {
      ...sample,
      headers: { ...headers, ...creds.headers },
      query: { ...query, ...creds.query },
    };
    if (op.operationId === "loginUser") {
      // A login body may carry new_password: the credential checks must not change anyone's password.
      delete req.body;
      delete req.headers!["content-type"];
    }
    const expectFor: Record<CredentialKind, [(st: number) => boolean, string]> = {
      none: [(st) => st === 401, "no credentials get 401"],
      invalid: [(st) => st === 401, "invalid credentials get 401"],
      user: adminOnly
        ? [(st) => st === 403, "a non-admin user gets 403 on an admin-only operation"]
        : [(st) => st !== 401 && st !== 403, "a user is let in"],
      admin: [(st) => st !== 401 && st !== 403, graph ? "a valid page token is let in" : "an admin is let in"],
    };
    const [expect, rule] = expectFor[kind];
    await s.exchange(req, { expect, rule });
    counts.security++;
    if (graph && kind === "admin") {
      // The same token as `Authorization: Bearer` (graphBearerAuth).
      await s.exchange(
        { ...req, query, headers: { ...headers, authorization: `Bearer ${s.target.graph.accessToken}` } },
        { expect, rule: "a valid page token as a Bearer header is let in" },
      );
      counts.security++;
    }
  }
  if (op.operationId === "loginUser") {
    for (const authorization of MALFORMED_AUTHORIZATION) {
      await s.exchange(
        { ...sample, body: undefined, headers: { authorization }, query },
        { expect: is4xx, rule: "malformed Authorization header gets a 4xx" },
      );
      counts.security++;
    }
  }
}

function restartSchemaDefaults(schema: JsonSchema): unknown {
  const doc = loadOpenApiDocument();
  const s = resolveSchema(doc, schema);
  if (s.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      const d = restartSchemaDefaults(v);
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : s["x-default"];
  }
  return s["x-default"];
}

/** Every leaf of `expected` (a patch or the defaults) has the same value in `actual`; returns the first difference. */
function leafDifference(expected: unknown, actual: unknown, at = ""): string | undefined {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) {
      const d = leafDifference(v, (actual as Record<string, unknown> | undefined)?.[k], `${at}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  const norm = (v: unknown) => (typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : v === "" ? undefined : v);
  return JSON.stringify(norm(expected)) === JSON.stringify(norm(actual))
    ? undefined
    : `${at || "(root)"}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

const DAY = 24 * 60 * 60 * 1000;

/** Runs one stateful model as a check of the fuzz layer, unless its operations are not all allowed on this target. */
async function statefulModel(
  ctx: FuzzContext,
  opts: FuzzOptions,
  result: FuzzResult,
  name: string,
  operations: string[],
  model: () => Promise<void>,
): Promise<void> {
  const s = ctx.session;
  const skip = (reason: string) => {
    result.skipped.push(`stateful model ${name}: ${reason}`);
    return new CheckSkipped(reason);
  };
  const run = async () => {
    if (opts.operations && !operations.every((id) => opts.operations!.includes(id)))
      throw skip("not among the chosen --operation values");
    const foreign = operations.filter((id) => !s.covers(id)).map(familyOf);
    if (foreign.length) throw skip(`the ${[...new Set(foreign)].join(" and ")} family is not under test`);
    const irreversible = operations.filter(isIrreversible);
    if (irreversible.length && !s.target.destructive)
      throw skip(`cannot be undone (${irreversible.join(", ")}): runs only with --destructive`);
    if (s.interrupted) throw new RunInterrupted();
    try {
      await model();
    } catch (err) {
      if (s.interrupted) throw new RunInterrupted();
      const failure = fuzzFailure(`stateful model ${name}`, operations[0]!, opts, err);
      result.failures.push(failure);
      throw failure;
    }
  };
  if (opts.report) await opts.report.run("fuzz", operations[0]!, `stateful model ${name}`, run);
  else
    await run().catch((err) => (err instanceof CheckSkipped || err instanceof RunInterrupted ? undefined : undefined));
}

async function statefulModels(ctx: FuzzContext, opts: FuzzOptions, result: FuzzResult): Promise<void> {
  const s = ctx.session;
  const runs = opts.statefulRuns ?? 10;
  const counts = result.counts;
  const bump = (id: string) => counts[id] && counts[id].stateful++;
  const auth = () => ({ authorization: ctx.adminHeaders.authorization! });

  await statefulModel(
    ctx,
    opts,
    result,
    "upload -> download -> delete -> 404",
    ["uploadMedia", "downloadMedia", "deleteMedia"],
    async () => {
      const auth_ = auth();
      const samples = mediaSamples();
      await assertProperty(
        fc.tuple(fc.constantFrom(...samples), fc.uint8Array({ maxLength: 2048 })),
        async ([sample, tail]) => {
          const bytes = new Uint8Array(Buffer.concat([sample.bytes, tail]));
          const up = await s.exchange(
            {
              operationId: "uploadMedia",
              method: "POST",
              path: "/v1/media",
              headers: { ...auth_, "content-type": sample.contentType },
              body: bytes,
            },
            { expect: 201, rule: `a valid ${sample.contentType} upload is stored` },
          );
          const id = (JSON.parse(up.text!) as { media: Array<{ id: string }> }).media[0]!.id;
          const path = `/v1/media/${encodeURIComponent(id)}`;
          await s.exchange(
            { operationId: "downloadMedia", method: "GET", path, headers: auth_ },
            {
              expect: 200,
              rule: "download returns the uploaded bytes and type",
              check: (res: ContractResponse) =>
                Buffer.compare(Buffer.from(res.bytes), Buffer.from(bytes)) !== 0
                  ? `downloaded ${res.bytes.length} bytes differ from the ${bytes.length} uploaded`
                  : res.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() !==
                      sample.contentType.split(";")[0]
                    ? `Content-Type ${res.headers.get("content-type")} is not the uploaded ${sample.contentType}`
                    : undefined,
            },
          );
          await s.exchange(
            { operationId: "deleteMedia", method: "DELETE", path, headers: auth_ },
            { expect: 200, rule: "delete of stored media" },
          );
          await s.exchange(
            { operationId: "downloadMedia", method: "GET", path, headers: auth_ },
            { expect: 404, rule: "deleted media is gone" },
          );
          await s.exchange(
            { operationId: "deleteMedia", method: "DELETE", path, headers: auth_ },
            { expect: 404, rule: "deleting twice is 404" },
          );
          ["uploadMedia", "downloadMedia", "deleteMedia"].forEach(bump);
        },
        opts,
        runs,
      );
    },
  );

  const settingsModel = s.target.destructive
    ? "patch -> get -> reset -> defaults -> restore"
    : "patch -> get -> restore";
  await statefulModel(
    ctx,
    opts,
    result,
    settingsModel,
    [
      "updateApplicationSettings",
      "getApplicationSettings",
      ...(s.target.destructive ? ["resetApplicationSettings"] : []),
    ],
    async () => {
      const headers = auth();
      const patchSchema =
        getOperation("updateApplicationSettings").operation.requestBody!.content["application/json"]!.schema!;
      const defaults = restartSchemaDefaults({ $ref: "#/components/schemas/ApplicationSettings" });
      const get = async () =>
        (
          JSON.parse(
            (
              await s.exchange(
                { operationId: "getApplicationSettings", method: "GET", path: "/v1/settings/application", headers },
                { expect: 200 },
              )
            ).text!,
          ) as {
            settings: { application: Record<string, never> };
          }
        ).settings.application;
      const patchRequest = (patch: unknown, rule: string) =>
        s.exchange(
          {
            operationId: "updateApplicationSettings",
            method: "PATCH",
            path: "/v1/settings/application",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(patch),
          },
          { expect: 200, rule },
        );
      await assertProperty(
        schemaArbitrary(patchSchema).map((p) => keepRestorable(ctx, safeUrls(p, undefined, 1))),
        async (patch) => {
          const before = await get();
          await patchRequest(patch, "a valid patch is applied");
          const after = await get();
          const diff = leafDifference(patch, after);
          if (diff) {
            throw new Error(
              `updateApplicationSettings broke rule "patch -> get shows the patch": ` +
                `${diff}; patch ${JSON.stringify(patch)}`,
            );
          }
          if (s.target.destructive) {
            await s.exchange(
              { operationId: "resetApplicationSettings", method: "DELETE", path: "/v1/settings/application", headers },
              { expect: 200 },
            );
            const back = leafDifference(defaults, await get());
            if (back) throw new Error(`resetApplicationSettings broke rule "reset -> the spec's defaults": ${back}`);
            bump("resetApplicationSettings");
          }
          const { patch: restore, unrestorable } = restoringPatch(before, await get());
          if (Object.keys(restore).length) await patchRequest(restore, "a PATCH of the previous values is applied");
          const again = await get();
          const left = Object.keys(before).filter(
            (k) => k !== "wa_id" && !unrestorable.includes(k) && JSON.stringify(before[k]) !== JSON.stringify(again[k]),
          );
          if (left.length) {
            throw new Error(
              `updateApplicationSettings broke rule "a PATCH of the previous values restores them": ` +
                `${left.join(", ")} differ; restoring patch ${JSON.stringify(restore)}`,
            );
          }
          ["updateApplicationSettings", "getApplicationSettings"].forEach(bump);
        },
        opts,
        runs,
      );
    },
  );

  await statefulModel(
    ctx,
    opts,
    result,
    "attachment upload -> send -> expiry",
    ["uploadAttachment", "sendMessage"],
    async () => {
      const page = s.target.graph.pageId;
      const q = s.graphQuery();
      const pngs = mediaSamples().filter((m) => m.category === "image");
      await assertProperty(
        fc.tuple(fc.constantFrom(...pngs), fc.boolean(), fc.constantFrom("1234567890", "2000000000000001")),
        async ([sample, fromUrl, psid]) => {
          let body: ContractRequest["body"];
          const headers: Record<string, string> = {};
          if (fromUrl && s.target.fetchableImageUrl) {
            body = JSON.stringify({
              message: {
                attachment: { type: "image", payload: { url: s.target.fetchableImageUrl, is_reusable: true } },
              },
            });
            headers["content-type"] = "application/json";
          } else {
            const fd = new FormData();
            fd.set("message", JSON.stringify({ attachment: { type: "image", payload: { is_reusable: true } } }));
            fd.set("filedata", new Blob([new Uint8Array(sample.bytes)], { type: sample.contentType }), "image");
            body = fd;
          }
          const up = await s.exchange(
            {
              operationId: "uploadAttachment",
              method: "POST",
              path: `/${page}/message_attachments`,
              query: q,
              headers,
              body,
            },
            { expect: 200, rule: "attachment upload" },
          );
          const id = (JSON.parse(up.text!) as { attachment_id: string }).attachment_id;
          const send = () =>
            ({
              operationId: "sendMessage",
              method: "POST",
              path: `/${page}/messages`,
              query: q,
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                recipient: { id: psid },
                message: { attachment: { type: "image", payload: { attachment_id: id } } },
              }),
            }) as ContractRequest;
          await s.exchange(send(), { expect: 200, rule: "an uploaded attachment can be sent" });
          const hooks = s.target.hooks;
          if (hooks) {
            try {
              hooks.setClockOffset(89 * DAY);
              await s.exchange(send(), { expect: 200, rule: "an attachment id is still valid after 89 days" });
              hooks.setClockOffset(91 * DAY);
              await s.exchange(send(), {
                expect: 400,
                rule: "an attachment id expires after 90 days (2018074)",
                check: (res) =>
                  (JSON.parse(res.text ?? "{}") as { error?: { error_subcode?: number } }).error?.error_subcode ===
                  2018074
                    ? undefined
                    : "error_subcode is not 2018074",
              });
            } finally {
              hooks.setClockOffset(0);
            }
          }
          ["uploadAttachment", "sendMessage"].forEach(bump);
        },
        opts,
        Math.max(1, Math.ceil(runs / 2)),
      );
      if (!s.target.hooks) s.skip("attachment expiry (needs a movable clock: in-process reference server only)");
    },
  );
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
  for (const op of listOperations()) {
    if (opts.operations && !opts.operations.includes(op.operationId)) continue;
    if (!session.covers(op.operationId)) {
      await skipAll(op.operationId, `the ${familyOf(op.operationId)} family is not under test`);
      continue;
    }
    if (session.interrupted) {
      await skipAll(op.operationId, "interrupted (Ctrl-C)");
      continue;
    }
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
        if (session.interrupted) throw new RunInterrupted();
        const failure = fuzzFailure(kind, op.operationId, opts, err);
        result.failures.push(failure);
        throw failure;
      }
    };
    // Logging out revokes the token it is sent with: each generated logout gets a token of its own, minted up front
    // a few at a time (password hashing dominates this operation's cost).
    const freshTokens: string[] = [];
    await check(
      op.operationId,
      `generated requests (${opts.runs}): documented status, content type and body`,
      async () => {
        if (!irreversible && op.operationId === "logoutUser") {
          for (let i = 0; i < opts.runs; i += 4) {
            freshTokens.push(
              ...(await Promise.all(
                Array.from({ length: Math.min(4, opts.runs - i) }, () => session.login(session.target.admin)),
              )),
            );
          }
        }
        await property("generated requests", gen, async ({ request }) => {
          if (op.operationId === "logoutUser")
            request.headers = {
              ...request.headers,
              authorization: `Bearer ${freshTokens.pop() ?? (await session.login(session.target.admin))}`,
            };
          const res = await session.exchange(request, {
            expect: anyStatus,
            rule: "a valid request gets a documented answer",
          });
          if (op.operationId === "uploadMedia" && res.status === 201)
            ctx.mediaIds.push((JSON.parse(res.text!) as { media: Array<{ id: string }> }).media[0]!.id);
          if (op.operationId === "updateMediaProviders" && res.status === 200 && typeof request.body === "string")
            ctx.providerNames.push(...(JSON.parse(request.body) as Array<{ name: string }>).map((p) => p.name));
          if (
            op.operationId === "loginUser" &&
            res.status === 200 &&
            typeof request.body === "string" &&
            ctx.loginAccount.own
          ) {
            const np = (JSON.parse(request.body) as { new_password?: string }).new_password;
            if (np) ctx.loginAccount.password = np;
          }
          counts.generated++;
        });
      },
    );
    await check(op.operationId, `mutated requests (${opts.runs}): each gets a documented 4xx`, () =>
      property("mutated requests", mutationArbitrary(ctx, op), async ({ request, rule }) => {
        await session.exchange(request, { expect: is4xx, rule });
        counts.mutated++;
      }),
    );
    await check(op.operationId, "security checks: no, invalid, user and admin credentials", async () => {
      if (session.interrupted) throw new RunInterrupted();
      try {
        const [sample] = fc.sample(gen, { numRuns: 1, seed: opts.seed });
        await securityChecks(ctx, op, sample!.request, counts);
      } catch (err) {
        if (session.interrupted) throw new RunInterrupted();
        const failure = new Error(`security check of ${op.operationId}: ${(err as Error).message}`);
        result.failures.push(failure);
        throw failure;
      }
    });
    counts.ms = Date.now() - started;
    opts.log?.(progressLine(op.operationId, counts, result.failures.length - before));
    if (op.operationId === "loginUser" || op.operationId === "logoutUser") {
      // A changed password or a logout may have revoked the tokens in use.
      session.forgetTokens();
      await ctx.prepare();
    }
  }
  const before = result.failures.length;
  await statefulModels(ctx, opts, result);
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
