/**
 * Layer 3: the server's routes and the spec's operations are the same set, both ways (from Hono's `app.routes`), and
 * every other method on a documented path answers 405 with an `Allow` header naming exactly the documented methods.
 */
import type { Hono } from "hono";
import { listOperations, loadOpenApiDocument } from "../server/validation/openapi-document.ts";
import { requestUrl, sendRequest } from "./exchange.ts";
import type { ContractSession } from "./session.ts";

/** Hono's `/:version{v[0-9]+\.[0-9]+}/:page-id/messages` -> the spec's `/{page-id}/messages` (API routes only). */
export function specPathOfRoute(honoPath: string): string | undefined {
  let p = honoPath;
  const versioned = /^\/:[A-Za-z_-]+\{.*?\}(?=\/)/.exec(p) ?? /^\/v[0-9]+\.[0-9]+(?=\/)/.exec(p);
  if (versioned) p = p.slice(versioned[0].length);
  else if (!p.startsWith("/v1/")) return undefined;
  return p.replace(/:([A-Za-z0-9_-]+)(\{[^}]*\})?/g, "{$1}");
}

/** Route-set differences between a Hono app and the spec; empty when they agree. */
export function routeDrift(app: Hono): string[] {
  // Parameter names are the server's own business (`:pageId` serves `{page-id}`): compare path shapes.
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

const PROBE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const SAMPLE_PARAMS: Record<string, string> = { "media-id": "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68", username: "contract-nobody", "provider-name": "contract-none" };

/** For every documented path, every undocumented method must answer 405 with `Allow` = the documented methods. */
export async function methodNotAllowedProblems(session: ContractSession): Promise<{ probes: number; problems: string[] }> {
  const doc = loadOpenApiDocument();
  const problems: string[] = [];
  let probes = 0;
  for (const [specPath, item] of Object.entries(doc.paths)) {
    const ops = listOperations(doc).filter((op) => op.path === specPath);
    const documented = ops.map((op) => op.method.toUpperCase());
    const first = ops[0]!;
    const params: Record<string, string> = { ...SAMPLE_PARAMS, "page-id": session.target.graph.pageId };
    const path = specPath.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(params[n] ?? "x"));
    const creds = (await session.credentials(first.operationId === "loginUser" ? "logoutUser" : first.operationId, "admin")) ?? { headers: {}, query: {} };
    void item;
    for (const method of PROBE_METHODS) {
      if (documented.includes(method)) continue;
      probes++;
      const req = { operationId: first.operationId, method, path, headers: creds.headers, query: creds.query };
      const res = await sendRequest(session.direct, req);
      const url = requestUrl(session.direct, req).replace(/(access_token=)[^&]+/, "$1…");
      if (res.status !== 405) {
        problems.push(`${method} ${url}: expected 405 for a method ${specPath} does not document, got ${res.status}`);
        continue;
      }
      const allow = (res.headers.get("allow") ?? "")
        .split(",")
        .map((m) => m.trim().toUpperCase())
        .filter((m) => m && m !== "HEAD" && m !== "OPTIONS");
      const want = [...documented].sort().join(", ");
      if ([...new Set(allow)].sort().join(", ") !== want) problems.push(`${method} ${url}: Allow is ${JSON.stringify(res.headers.get("allow"))}, the documented methods are ${want}`);
    }
  }
  return { probes, problems };
}
