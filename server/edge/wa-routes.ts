/**
 * Declares every WA operation of the spec on the app: the route comes from the spec's path (`{x}` -> `:x`), the
 * middleware chain from the operation (security scheme, admin-only when it documents 403, path parameters and JSON
 * body validated with the spec's schemas), and the handler from a table keyed by operationId. Methods a path does not
 * have answer 405 with `Allow`.
 */
import type { Context, Handler, Hono, MiddlewareHandler } from "hono";
import type { operations } from "../../generated/openapi.d.ts";
import type { LoginThrottle } from "../users/login-throttle.ts";
import type { UserStore } from "../users/user-store.ts";
import { listOperations, loadOpenApiDocument, type SpecOperation } from "../validation/openapi-document.ts";
import { adminOnly, basicAuth, bearerAuth } from "./auth.ts";
import { jsonBody } from "./json-body.ts";
import { specAjv, validationError, type ValidationMappingOptions } from "./request-validation.ts";
import { WaHttpError } from "./wa-envelope.ts";

/** operationIds of the WA family (everything under `/v1/`). */
export type WaOperationId = Exclude<keyof operations, "uploadAttachment" | "sendMessage">;

/** How one WA operation is served. */
export interface WaOperation {
  handler: Handler;
  /** Reply for a path parameter that does not match its schema (default: 400, 1009 naming the parameter). */
  invalidPathParam?: (c: Context, name: string) => Response | Promise<Response>;
  /** Extra wording for validation errors of the body. */
  validation?: ValidationMappingOptions;
}

export type WaOperationTable = Record<WaOperationId, WaOperation>;

/** `/v1/media/{media_id}` -> `/v1/media/:media_id`. */
export function honoPath(specPath: string): string {
  return specPath.replace(/\{([^}]+)\}/g, ":$1");
}

function isWaPath(specPath: string): boolean {
  return specPath.startsWith("/v1/");
}

function pathParamsMiddleware(op: SpecOperation, entry: WaOperation): MiddlewareHandler | undefined {
  const params = op.parameters.filter((p) => p.in === "path" && p.schema);
  if (params.length === 0) return undefined;
  const checks = params.map((p) => ({ name: p.name, validate: specAjv().schema(p.schema!) }));
  return async (c, next) => {
    for (const { name, validate } of checks) {
      if (!validate(c.req.param(name))) {
        if (entry.invalidPathParam) return entry.invalidPathParam(c, name);
        throw validationError(validate.errors, { subject: `path parameter ${name}` });
      }
    }
    await next();
  };
}

function chainFor(
  op: SpecOperation,
  entry: WaOperation,
  users: UserStore,
  loginThrottle: LoginThrottle,
): Array<MiddlewareHandler | Handler> {
  const chain: Array<MiddlewareHandler | Handler> = [];
  const schemes = (op.operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
  if (schemes.includes("waBasicAuth")) chain.push(basicAuth(users, loginThrottle));
  else if (schemes.includes("waBearerAuth")) chain.push(bearerAuth(users));
  // Admin-only operations are exactly those that document a 403 (1005) answer.
  if (op.operation.responses["403"]) chain.push(adminOnly);
  const params = pathParamsMiddleware(op, entry);
  if (params) chain.push(params);
  const json = op.operation.requestBody?.content["application/json"];
  if (json?.schema) chain.push(jsonBody(json.schema, { required: op.operation.requestBody?.required === true, ...entry.validation }));
  chain.push(entry.handler);
  return chain;
}

/** Registers the WA operations of the spec; throws at start when the table and the spec disagree. */
export function registerWaRoutes(
  app: Hono,
  users: UserStore,
  table: WaOperationTable,
  loginThrottle: LoginThrottle,
): void {
  const ops = listOperations(loadOpenApiDocument()).filter((o) => isWaPath(o.path));
  const known = new Set<string>(ops.map((o) => o.operationId));
  for (const id of Object.keys(table)) if (!known.has(id)) throw new Error(`Handler for ${id}, which the spec does not have`);
  const byPath = new Map<string, SpecOperation[]>();
  for (const op of ops) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  // A literal path wins over a template that also matches it (OpenAPI's rule): `/v1/users/login` before `/v1/users/{username}`.
  const paths = [...byPath.keys()].sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  for (const specPath of paths) {
    const pathOps = byPath.get(specPath)!;
    const route = honoPath(specPath);
    for (const op of pathOps) {
      const entry = (table as Record<string, WaOperation | undefined>)[op.operationId];
      if (!entry) throw new Error(`No handler for operation ${op.operationId}`);
      app.on(op.method.toUpperCase(), route, ...(chainFor(op, entry, users, loginThrottle) as [Handler]));
    }
    const methods = pathOps.map((o) => o.method.toUpperCase());
    if (methods.includes("GET")) methods.push("HEAD");
    const allow = methods.join(", ");
    app.all(route, (c) => {
      throw new WaHttpError(405, 1009, `Method ${c.req.method} is not allowed on ${specPath}; allowed: ${allow}`, { Allow: allow });
    });
  }
}
