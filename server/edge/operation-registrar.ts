/**
 * The one registrar: serves every operation of a spec, for every API family, from the spec value it is given.
 *
 * - Routes come from the spec's paths (`{x}` -> `:x`), literal paths before templated ones (OpenAPI's rule), under
 *   the path prefix of the operation's family (`x-api-family`).
 * - Each route runs one chain: security (the family's handler for each scheme of the operation's requirements,
 *   alternatives in order, scopes passed on) -> path parameters (the spec's schemas) -> JSON body (the one bounded
 *   reader, the spec's schema; other media types are left to the handler as a stream) -> the handler, looked up by
 *   operationId -> its typed reply. Errors become the family's envelope; anything else is a logged fault.
 * - Methods a path lacks answer the family's 405 with `Allow`; unknown paths the 404 of the first family (in the
 *   order given) that claims them.
 * - Start-up fails when handlers and spec disagree: a handler without an operation, an operation without a handler,
 *   an operation of no family given, a security scheme its family does not understand.
 */
import type { Context, Hono } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import type { ValidateFunction } from "ajv";
import { ajvFor } from "../../spec-model/openapi-ajv.ts";
import { listOperations, type OpenApiDocument, type SpecOperation } from "../../spec-model/openapi-document.ts";
import { declaredFamily } from "../../spec-model/spec-bundles.ts";
import { CredentialsAbsent, type ApiFamily, type SecurityHandler } from "./api-family.ts";
import { mediaTypeMatches, parseMediaType, type MediaType } from "../../spec-model/content-type.ts";
import { isJsonMediaType } from "./json-body.ts";
import type { HandlerTable, OperationEntry, OperationId } from "./operation-handler.ts";
import { replyResponse, type AnyReply } from "./operation-reply.ts";
import { OperationRequest } from "./operation-request.ts";
import { RequestBodyIncompleteError } from "./request-body.ts";

/** A family and the handlers of its operations. */
export interface FamilyRegistration<Auth> {
  family: ApiFamily<Auth>;
  handlers: HandlerTable<Auth>;
}

// The registrar treats every family alike; each table is typed against its own family where it is written.
// biome-ignore lint/suspicious/noExplicitAny: each table is typed against its own family where it is written
type AnyRegistration = FamilyRegistration<any>;
// biome-ignore lint/suspicious/noExplicitAny: each table is typed against its own family where it is written
type AnyEntry = OperationEntry<OperationId, any>;

/** `/v1/media/{media_id}` -> `/v1/media/:media_id`. */
export function honoPath(specPath: string): string {
  return specPath.replace(/\{([^}]+)\}/g, ":$1");
}

/** How many templated segments a path has: fewer first, so that a literal path wins over a template. */
function templateCount(specPath: string): number {
  return specPath.match(/\{/g)?.length ?? 0;
}

interface Requirement {
  schemes: Array<{ name: string; scopes: readonly string[]; handler: SecurityHandler<unknown> }>;
}

interface BodyPlan {
  /** The operation's request media types, as the spec writes them. */
  accepted: string[];
  /** Those that are not JSON: a body of one of them is the handler's to read. */
  rawRanges: MediaType[];
  /** Validator of the `application/json` body, when the operation takes one. */
  json?: ValidateFunction;
  required: boolean;
}

/** Everything one route needs, worked out once at start-up. */
interface RoutePlan {
  op: SpecOperation;
  family: ApiFamily<unknown>;
  entry: AnyEntry;
  requirements: Requirement[];
  pathParams: Array<{ name: string; validate: ValidateFunction }>;
  queryNames: string[];
  body?: BodyPlan;
}

function securityOf(doc: OpenApiDocument, op: SpecOperation, family: ApiFamily<unknown>): Requirement[] {
  const declared = op.operation.security ?? (doc.security as Array<Record<string, string[]>> | undefined) ?? [];
  return declared.map((requirement) => ({
    schemes: Object.entries(requirement).map(([name, scopes]) => {
      const handler = family.security[name];
      if (!handler) {
        throw new Error(`${op.operationId}: family ${family.name} has no handler for security scheme ${name}`);
      }
      return { name, scopes, handler };
    }),
  }));
}

function bodyOf(doc: OpenApiDocument, op: SpecOperation): BodyPlan | undefined {
  const requestBody = op.operation.requestBody;
  if (!requestBody) return undefined;
  const accepted = Object.keys(requestBody.content);
  const ranges = accepted.map((type) => {
    const range = parseMediaType(type);
    if (!range) throw new Error(`${op.operationId}: request media type ${type} cannot be parsed`);
    return range;
  });
  const schema = requestBody.content["application/json"]?.schema;
  return {
    accepted,
    rawRanges: ranges.filter((range) => !isJsonMediaType(range)),
    ...(schema ? { json: ajvFor(doc).schema(schema) } : {}),
    required: requestBody.required === true,
  };
}

function planRoute(doc: OpenApiDocument, op: SpecOperation, family: ApiFamily<unknown>, entry: AnyEntry): RoutePlan {
  family.checkOperation?.(op);
  const ajv = ajvFor(doc);
  const body = bodyOf(doc, op);
  return {
    op,
    family,
    entry,
    requirements: securityOf(doc, op, family),
    pathParams: op.parameters
      .filter((p) => p.in === "path")
      .map((p) => ({ name: p.name, validate: ajv.schema(p.schema ?? {}) })),
    queryNames: op.parameters.filter((p) => p.in === "query").map((p) => p.name),
    ...(body ? { body } : {}),
  };
}

/** The result of a lone scheme: its authentication, or the refusal its absence stands for. */
function settle(result: unknown): unknown {
  if (result instanceof CredentialsAbsent) throw result.error;
  return result;
}

/**
 * Who the request acts as, by the operation's security requirements. The usual case, one requirement of one scheme,
 * stays synchronous when its handler is (the bearer check of every WA call): no promise per request for nothing.
 */
function authenticate(plan: RoutePlan, request: OperationRequest): unknown {
  const { requirements } = plan;
  if (requirements.length === 0) return undefined;
  if (requirements.length === 1 && requirements[0]!.schemes.length === 1) {
    const scheme = requirements[0]!.schemes[0]!;
    const result = scheme.handler(request, scheme.scopes);
    return result instanceof Promise ? result.then(settle) : settle(result);
  }
  return authenticateAlternatives(plan, request);
}

async function authenticateAlternatives(plan: RoutePlan, request: OperationRequest): Promise<unknown> {
  let absent: CredentialsAbsent | undefined;
  // Alternatives in the spec's order: the first whose credentials are all present decides.
  alternatives: for (const requirement of plan.requirements) {
    let auth: unknown;
    for (const scheme of requirement.schemes) {
      const result = await scheme.handler(request, scheme.scopes);
      if (result instanceof CredentialsAbsent) {
        absent ??= result;
        continue alternatives;
      }
      auth = auth === undefined ? result : { ...(auth as object), ...(result as object) };
    }
    return auth;
  }
  throw absent!.error;
}

const NO_PARAMS = Object.freeze({ params: Object.freeze({}) });

/** The validated path parameters, or the reply the operation gives for an invalid one. */
function pathParams(plan: RoutePlan, c: Context): { params: Record<string, string> } | { reply: AnyReply } {
  if (plan.pathParams.length === 0) return NO_PARAMS;
  const params: Record<string, string> = {};
  for (const { name, validate } of plan.pathParams) {
    const value = c.req.param(name) ?? "";
    if (!validate(value)) {
      if (plan.entry.invalidPathParameter) return { reply: plan.entry.invalidPathParameter(name, value) as AnyReply };
      throw plan.family.errors.invalidPathParameter(name, value, validate.errors ?? []);
    }
    params[name] = value;
  }
  return { params };
}

async function jsonBody(plan: RoutePlan, request: OperationRequest): Promise<unknown> {
  const body = plan.body;
  if (!body) return undefined;
  const { errors } = plan.family;
  const header = request.header("content-type");
  const declared = header === undefined ? undefined : parseMediaType(header);
  // A body in one of the operation's other media types is the handler's to read, as a stream.
  if (declared && !isJsonMediaType(declared) && body.rawRanges.some((range) => mediaTypeMatches(range, declared))) {
    return undefined;
  }
  if (!body.json) {
    // The operation takes no JSON: whatever was sent is the handler's to judge (missing or unknown types included).
    return undefined;
  }
  if (header !== undefined && !isJsonMediaType(declared)) throw errors.unsupportedMediaType(body.accepted);
  const read = await request.readJson();
  switch (read.kind) {
    case "tooLarge":
      throw errors.bodyTooLarge(read.maxBytes);
    case "empty":
      if (body.required) throw errors.missingBody();
      return undefined;
    case "malformed":
      throw header === undefined ? errors.unsupportedMediaType(body.accepted) : errors.malformedBody();
    case "notUtf8":
      throw header === undefined ? errors.unsupportedMediaType(body.accepted) : errors.notUtf8Body();
    case "json":
      if (header === undefined) throw errors.unsupportedMediaType(body.accepted);
      plan.entry.precheckBody?.(read.value);
      if (!body.json(read.value)) throw errors.invalidBody(body.json.errors ?? [], plan.entry.validation);
      return read.value;
  }
}

function queryOf(plan: RoutePlan, request: OperationRequest): Record<string, string> {
  const query: Record<string, string> = {};
  for (const name of plan.queryNames) {
    const value = request.query(name);
    if (value !== undefined) query[name] = value;
  }
  return query;
}

function errorReply(family: ApiFamily<unknown>, c: Context, request: OperationRequest, err: unknown): Response {
  const cause = err instanceof RequestBodyIncompleteError ? family.errors.incompleteBody(err) : err;
  const known = family.errorResponse(cause);
  if (!known) {
    console.error(`${c.req.method} ${c.req.path} failed:`, err);
    return family.faultResponse();
  }
  // Refused before its body was read to the end (auth, size, type, storage): where the family wants it, ask the
  // client to stop sending and close. A body abandoned mid-way, or a client gone mid-body, always closes.
  const early = family.closeAfterEarlyRefusal && request.announcesBody() && known.status !== 400;
  if (early || request.bodyAbandoned || err instanceof RequestBodyIncompleteError) {
    known.headers.set("Connection", "close");
  }
  return known;
}

function routeHandler(plan: RoutePlan, specPaths: TrieRouter<SpecPathRoute> | undefined) {
  const { family, entry } = plan;
  return async (c: Context): Promise<Response> => {
    if (specPaths) {
      // A templated route also matches the literal paths beside it; those are theirs, and lack this method.
      const known = specPathOf(specPaths, c.req.method, c.req.path);
      if (known && known.specPath !== plan.op.path) {
        return known.family.methodNotAllowed(c.req.method, known.specPath, known.allow);
      }
    }
    const request = new OperationRequest(c, {
      maxBytes: family.jsonBodyMaxBytes,
      // A family that keeps the connection after an early refusal must not leave a half-read body on it.
      refuseDeclaredOversize: !family.closeAfterEarlyRefusal,
    });
    try {
      let auth = authenticate(plan, request);
      if (auth instanceof Promise) auth = await auth;
      const path = pathParams(plan, c);
      if ("reply" in path) return replyResponse(c, path.reply);
      entry.authorize?.(auth, path.params as never);
      const body = plan.body ? await jsonBody(plan, request) : undefined;
      const query = plan.queryNames.length > 0 ? queryOf(plan, request) : {};
      let reply: unknown = entry.handle({ params: path.params, query, body, auth, request } as never);
      if (reply instanceof Promise) reply = await reply;
      return replyResponse(c, reply as AnyReply);
    } catch (err) {
      return errorReply(family, c, request, err);
    }
  };
}

/**
 * Registers every operation of `spec` on `app`, each served by the family its `x-api-family` names and the handler
 * of its operationId; installs the families' 405 and 404 replies. Throws when handlers and spec disagree.
 */
export function registerOperations(app: Hono, spec: OpenApiDocument, registrations: readonly AnyRegistration[]): void {
  const byFamily = new Map<string, AnyRegistration>();
  for (const registration of registrations) byFamily.set(registration.family.name, registration);
  const ops = listOperations(spec);
  const known = new Map(ops.map((op) => [op.operationId, op]));
  for (const { family, handlers } of registrations) {
    for (const id of Object.keys(handlers)) {
      const op = known.get(id);
      if (!op) throw new Error(`Handler for ${id}, which the spec does not have`);
      const declared = familyOf(op);
      if (declared !== family.name)
        throw new Error(`Handler for ${id} given to family ${family.name}, but the spec puts it in ${declared}`);
    }
  }

  const plans = ops.map((op) => {
    const declared = familyOf(op);
    const registration = byFamily.get(declared);
    if (!registration) throw new Error(`Operation ${op.operationId} is in family ${declared}, which is not served`);
    const entry = (registration.handlers as Record<string, AnyEntry | undefined>)[op.operationId];
    if (!entry) throw new Error(`No handler for operation ${op.operationId}`);
    return planRoute(spec, op, registration.family, entry);
  });

  // Which spec path a request path is, whatever its method, literal paths first: it decides between 405 and 404, and
  // whether a templated route is only shadowing a literal path (DELETE /v1/users/login is not deleteUser).
  const specPaths = new TrieRouter<SpecPathRoute>();
  const paths = [...new Set(plans.map((plan) => plan.op.path))].sort((a, b) => templateCount(a) - templateCount(b));
  for (const specPath of paths) {
    const onPath = plans.filter((plan) => plan.op.path === specPath);
    const family = onPath[0]!.family;
    if (onPath.some((plan) => plan.family !== family)) throw new Error(`${specPath} has operations of two families`);
    const route = family.pathPrefix + honoPath(specPath);
    const allow = onPath.map((plan) => plan.op.method.toUpperCase());
    if (allow.includes("GET")) allow.push("HEAD");
    specPaths.add(METHOD_NAME_ALL, route, { specPath, family, allow });
    for (const plan of onPath) {
      const shadowing = templateCount(specPath) > 0 ? specPaths : undefined;
      app.on(plan.op.method.toUpperCase(), route, routeHandler(plan, shadowing));
    }
  }

  const families = registrations.map((registration) => registration.family);
  // Only the documented methods are routes, so a request matches one handler (Hono's fast path); every other
  // method on a spec path ends here and gets its family's 405.
  app.notFound((c) => {
    const known = specPathOf(specPaths, c.req.method, c.req.path);
    if (known) return known.family.methodNotAllowed(c.req.method, known.specPath, known.allow);
    const family = families.find((f) => f.claimsPath(c.req.path));
    if (!family) return new Response(null, { status: 404 });
    return family.notFound(c.req.method, c.req.path);
  });
}

/** A spec path as the router knows it. */
interface SpecPathRoute {
  specPath: string;
  family: ApiFamily<unknown>;
  /** Its methods, for `Allow`. */
  allow: readonly string[];
}

/** The spec path of a request path (the first registered that matches: literal before templated). */
function specPathOf(router: TrieRouter<SpecPathRoute>, method: string, path: string): SpecPathRoute | undefined {
  return router.match(method, path)[0][0]?.[0];
}

/** The family an operation declares (`x-api-family`), whatever its name: the registrar serves the families given. */
const familyOf = (op: SpecOperation) => declaredFamily(op.operation, `Operation ${op.operationId}`);
