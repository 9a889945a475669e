/**
 * Layer 3: the target routes exactly the spec's operations. Over HTTP, for any deployment: every documented path and
 * method answers something other than the unknown-path reply (asked without credentials, it must be the 401 the spec
 * documents, never a 404 or 405); every other method on a documented path answers 405 with an `Allow` header naming
 * exactly the documented methods; a path outside the spec answers the documented 404 (WA: 404 with 1006 in the WA
 * envelope) or a Graph error (Graph). For the in-process reference server it also compares Hono's routing table
 * (`app.routes`) with the spec, both ways.
 */
import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { requestUrl, type ContractRequest, type ContractResponse } from "./exchange.ts";
import { bundleAjv } from "./schema-arbitrary.ts";
import { CheckSkipped, RunInterrupted } from "./run-report.ts";
import type { ContractSession } from "./session.ts";
import { paramKey } from "./scenario-context.ts";
import { describeAjvErrors } from "../spec-model/openapi-ajv.ts";
import { listOperations, loadOpenApiDocument } from "../spec-model/openapi-document.ts";
import { familyOf, type ApiFamily } from "../spec-model/spec-bundles.ts";

/** Hono's `/:version{v[0-9]+\.[0-9]+}/:page_id/messages` -> the spec's `/{page_id}/messages` (API routes only). */
export function specPathOfRoute(honoPath: string): string | undefined {
  let p = honoPath;
  const versioned = /^\/:[A-Za-z_-]+\{.*?\}(?=\/)/.exec(p) ?? /^\/v[0-9]+\.[0-9]+(?=\/)/.exec(p);
  if (versioned) p = p.slice(versioned[0].length);
  else if (!p.startsWith("/v1/")) return undefined;
  return p.replace(/:([A-Za-z0-9_-]+)(\{[^}]*\})?/g, "{$1}");
}

/** Route-set differences between a Hono app and the spec; empty when they agree. */
export function routeDrift(app: Hono): string[] {
  // Parameter names are the server's own business (`:pageId` serves `{page_id}`): compare path shapes.
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
  const spec = new Set(listOperations().map((op) => `${op.method.toUpperCase()} ${shape(op.path)}`));
  const served = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const path = specPathOfRoute(route.path);
    if (path === undefined) continue;
    served.add(`${route.method.toUpperCase()} ${shape(path)}`);
  }
  const problems: string[] = [];
  for (const r of served) if (!spec.has(r)) problems.push(`the server routes ${r}, which the spec does not document`);
  for (const r of spec) if (!served.has(r)) problems.push(`the spec documents ${r}, which the server does not route`);
  return problems;
}

/** One HTTP probe of the routing and what it found wrong (nothing when `problem` is undefined). */
export interface RouteProbe {
  /** The path template (or the unknown path) probed. */
  subject: string;
  name: string;
  problem?: string;
  /** Why the probe was not sent (the failed-login budget, say). */
  skipped?: string;
  /** Wall time of the probe. */
  ms: number;
}

const PROBE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const SAMPLE_PARAMS: Record<string, string> = {
  mediaid: "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68",
  username: "contract-nobody",
  providername: "contract-none",
};

function samplePath(session: ContractSession, specPath: string): string {
  const params: Record<string, string> = { ...SAMPLE_PARAMS, pageid: session.target.messenger.pageId };
  return specPath.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(params[paramKey(n)] ?? "x"));
}

const shownUrl = (session: ContractSession, req: ContractRequest) =>
  requestUrl(session.direct, req).replace(/(access_token=)[^&]+/, "$1…");

/** Sends a probe; only a documented method and path counts for the operation's coverage and the ledger. */
function probe(session: ContractSession, req: ContractRequest, ofOperation: boolean): Promise<ContractResponse> {
  return session.probe(req, ofOperation);
}

/** The admin's credentials for a probe, or none when they cannot be had (the probe then goes without). */
function adminCredentials(session: ContractSession, operationId: string) {
  return session.credentials(operationId, "admin").catch((err: unknown) => {
    if (err instanceof RunInterrupted) throw err;
    return undefined;
  });
}

/** Every documented operation, asked without credentials, answers its documented 401: it is routed. */
export async function routedProbes(session: ContractSession): Promise<RouteProbe[]> {
  const out: RouteProbe[] = [];
  for (const op of listOperations()) {
    if (!session.covers(op.operationId)) continue;
    const req: ContractRequest = {
      operationId: op.operationId,
      method: op.method.toUpperCase(),
      path: samplePath(session, op.path),
    };
    const name = `${req.method} ${op.path} is routed (no credentials: 401, not the unknown-path 404 or a 405)`;
    let problem: string | undefined;
    let skipped: string | undefined;
    const started = performance.now();
    try {
      const res = await probe(session, req, true);
      const shown = `${req.method} ${shownUrl(session, req)}`;
      if (res.status === 404 || res.status === 405) {
        problem = `${shown} answered ${res.status}: the target does not route this documented operation`;
      } else if (res.status !== 401) {
        problem = `${shown} without credentials answered ${res.status}, the spec documents 401`;
      }
    } catch (err) {
      if (err instanceof RunInterrupted) throw err;
      if (err instanceof CheckSkipped) skipped = err.message;
      else problem = `${req.method} ${shownUrl(session, req)}: ${(err as Error).message}`;
    }
    out.push({
      subject: op.operationId,
      name,
      ...(problem ? { problem } : {}),
      ...(skipped ? { skipped } : {}),
      ms: performance.now() - started,
    });
  }
  return out;
}

/** For every documented path, every undocumented method answers 405 with `Allow` = the documented methods. */
export async function methodNotAllowedProbes(session: ContractSession): Promise<RouteProbe[]> {
  const doc = loadOpenApiDocument();
  const out: RouteProbe[] = [];
  for (const specPath of Object.keys(doc.paths)) {
    const ops = listOperations(doc).filter((op) => op.path === specPath);
    const first = ops[0]!;
    if (!session.covers(first.operationId)) continue;
    const documented = ops.map((op) => op.method.toUpperCase());
    const path = samplePath(session, specPath);
    const creds = (await adminCredentials(
      session,
      first.operationId === "loginUser" ? "logoutUser" : first.operationId,
    )) ?? { headers: {}, query: {} };
    for (const method of PROBE_METHODS) {
      if (documented.includes(method)) continue;
      const req: ContractRequest = {
        operationId: first.operationId,
        method,
        path,
        headers: creds.headers,
        query: creds.query,
      };
      const name = `${method} ${specPath} answers 405 with Allow: ${[...documented].sort().join(", ")}`;
      let problem: string | undefined;
      const started = performance.now();
      try {
        const res = await probe(session, req, false);
        const url = shownUrl(session, req);
        if (res.status !== 405) {
          problem = `${method} ${url}: expected 405 for a method ${specPath} does not document, got ${res.status}`;
        } else {
          const allow = (res.headers.get("allow") ?? "")
            .split(",")
            .map((m) => m.trim().toUpperCase())
            .filter((m) => m && m !== "HEAD" && m !== "OPTIONS");
          const want = [...documented].sort().join(", ");
          if ([...new Set(allow)].sort().join(", ") !== want) {
            const got = JSON.stringify(res.headers.get("allow"));
            problem = `${method} ${url}: Allow is ${got}, the documented methods are ${want}`;
          }
        }
      } catch (err) {
        if (err instanceof RunInterrupted) throw err;
        problem = `${method} ${shownUrl(session, req)}: ${(err as Error).message}`;
      }
      out.push({ subject: specPath, name, ...(problem ? { problem } : {}), ms: performance.now() - started });
    }
  }
  return out;
}

/** The problems of `methodNotAllowedProbes`, with the number of probes sent. */
export async function methodNotAllowedProblems(
  session: ContractSession,
): Promise<{ probes: number; problems: string[] }> {
  const probes = await methodNotAllowedProbes(session);
  return { probes: probes.length, problems: probes.flatMap((p) => (p.problem ? [p.problem] : [])) };
}

/** A path outside the spec answers the documented unknown-path reply: WA 404 with 1006, Graph an error envelope. */
export async function unknownPathProbes(session: ContractSession): Promise<RouteProbe[]> {
  const out: RouteProbe[] = [];
  const unknown = `contract-unknown-${randomBytes(4).toString("hex")}`;
  const anyOf = (family: ApiFamily) => listOperations().find((op) => familyOf(op.operationId) === family)!.operationId;
  for (const family of session.target.families) {
    const operationId = anyOf(family);
    const creds = (await adminCredentials(session, family === "whatsapp" ? "getApplicationSettings" : operationId)) ?? {
      headers: {},
      query: {},
    };
    const path =
      family === "whatsapp" ? `/v1/${unknown}` : `/${encodeURIComponent(session.target.messenger.pageId)}/${unknown}`;
    const req: ContractRequest = { operationId, method: "GET", path, headers: creds.headers, query: creds.query };
    const name =
      family === "whatsapp"
        ? `GET /v1/${unknown} (outside the spec) answers 404 with code 1006 in the WA envelope`
        : `GET /{page_id}/${unknown} (outside the spec) answers a 4xx Graph error`;
    let problem: string | undefined;
    const started = performance.now();
    try {
      const res = await probe(session, req, false);
      const url = shownUrl(session, req);
      let body: unknown;
      try {
        body = JSON.parse(res.text ?? "");
      } catch {
        body = undefined;
      }
      if (family === "whatsapp") {
        const validate = bundleAjv().component("WaErrorResponse");
        const code = (body as { errors?: Array<{ code?: number }> } | undefined)?.errors?.[0]?.code;
        if (res.status !== 404) problem = `GET ${url}: expected 404 for a path outside the spec, got ${res.status}`;
        else if (!validate(body))
          problem = `GET ${url}: 404 body is not a WA error envelope: ${describeAjvErrors(validate.errors)}`;
        else if (code !== 1006) problem = `GET ${url}: 404 with code ${code}, the spec documents 1006`;
      } else {
        const validate = bundleAjv().component("GraphErrorResponse");
        if (res.status < 400 || res.status >= 500)
          problem = `GET ${url}: expected a 4xx for a path outside the spec, got ${res.status}`;
        else if (!validate(body)) {
          const errors = describeAjvErrors(validate.errors);
          problem = `GET ${url}: ${res.status} body is not a Graph error envelope: ${errors}`;
        }
      }
      if (problem) {
        const type = res.headers.get("content-type") ?? "no content type";
        problem += `\n  response: ${res.status} ${type} ${(res.text ?? "").slice(0, 300)}`;
      }
    } catch (err) {
      if (err instanceof RunInterrupted) throw err;
      problem = `GET ${shownUrl(session, req)}: ${(err as Error).message}`;
    }
    out.push({ subject: family, name, ...(problem ? { problem } : {}), ms: performance.now() - started });
  }
  return out;
}
