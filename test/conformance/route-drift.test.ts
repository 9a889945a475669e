// Layer 3: the reference server routes exactly the spec's operations (both ways, from Hono's `app.routes`), and every
// other method on a documented path answers 405 with `Allow` naming exactly the documented methods. Both checks are
// shown to fail on an app that drifts.
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOperations, loadOpenApiDocument } from "../../spec-model/openapi-document.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { methodNotAllowedProblems, routeDrift, specPathOfRoute } from "../../conformance/route-drift.ts";
import { ContractSession } from "../../conformance/session.ts";

let ref: ReferenceTarget;

beforeAll(async () => {
  ref = await startReferenceTarget();
});

afterAll(async () => {
  await ref?.close();
});

describe("route drift", () => {
  it("maps Hono paths to spec paths, with or without the Graph version prefix", () => {
    expect(specPathOfRoute("/v1/media/:media_id")).toBe("/v1/media/{media_id}");
    expect(specPathOfRoute("/:version{v[0-9]{1,3}\\.[0-9]{1,3}}/:pageId/messages")).toBe("/{pageId}/messages");
    expect(specPathOfRoute("/docs")).toBeUndefined();
  });

  it("the reference server routes exactly the spec's operations", () => {
    expect(routeDrift(ref.app)).toEqual([]);
  });

  it("every undocumented method on a documented path answers 405 with the documented methods in Allow", async () => {
    const { probes, problems } = await methodNotAllowedProblems(new ContractSession(ref.target));
    expect(problems).toEqual([]);
    const paths = Object.keys(loadOpenApiDocument().paths).length;
    expect(probes).toBe(paths * 5 - listOperations().length);
  });

  it("catches a route the spec does not document and an operation the server lost", () => {
    const drifted = new Hono();
    for (const route of ref.app.routes) {
      if (route.method === "DELETE" && route.path === "/v1/media/:media_id") continue;
      drifted.on(route.method, route.path, route.handler);
    }
    drifted.get("/v1/media/:media_id/thumbnail", (c) => c.body(null, 204));
    const problems = routeDrift(drifted);
    expect(problems).toContain("the server routes GET /v1/media/{}/thumbnail, which the spec does not document");
    expect(problems).toContain("the spec documents DELETE /v1/media/{}, which the server does not route");
  });

  it("catches a 404 instead of 405 and a wrong Allow header", async () => {
    const broken = await startReferenceTarget({
      wrap: (app) => ({
        fetch: async (request) => {
          const res = await app.fetch(request);
          const url = new URL(request.url);
          if (request.method === "PUT" && url.pathname === "/v1/media") return new Response(null, { status: 404 });
          if (res.status === 405 && url.pathname === "/v1/settings/application") {
            const headers = new Headers(res.headers);
            headers.set("allow", "GET, PATCH");
            return new Response(res.body, { status: 405, headers });
          }
          return res;
        },
      }),
    });
    try {
      const { problems } = await methodNotAllowedProblems(new ContractSession(broken.target));
      expect(
        problems.some((p) => p.startsWith("PUT ") && p.includes("/v1/media: expected 405") && p.includes("got 404")),
      ).toBe(true);
      expect(
        problems.some((p) =>
          p.includes('/v1/settings/application: Allow is "GET, PATCH", the documented methods are DELETE, GET, PATCH'),
        ),
      ).toBe(true);
    } finally {
      await broken.close();
    }
  });
});
