import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createOpenApiAjv } from "../../../spec-model/openapi-ajv.ts";
import { httpMethods, listOperations } from "../../../spec-model/openapi-document.ts";
import { createBlobStore } from "../../../server/storage/blob-store.ts";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import {
  ADMIN_PASSWORD,
  bearer,
  call,
  login,
  makeDataDir,
  startTestServer,
  whatsAppError,
  type TestServer,
} from "../../support/server-harness.ts";
import path from "node:path";

const whatsAppOps = listOperations().filter((o) => o.operation["x-api-family"] === "whatsapp");
const samplePath = (p: string) =>
  p
    .replace("{media_id}", "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68")
    .replace("{username}", "alice")
    .replace("{provider_name}", "cdn");
const errorEnvelope = createOpenApiAjv().component("WaErrorResponse");

let server: TestServer;
let auth: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  auth = bearer(await login(server.app, "admin", ADMIN_PASSWORD));
});
afterAll(() => server.dispose());

describe("routes declared from the spec", () => {
  it("every WA operation answers 401 with a challenge when the credentials are missing", async () => {
    expect(whatsAppOps.length).toBeGreaterThan(0);
    for (const op of whatsAppOps) {
      const r = await call(
        server.app,
        op.operationId,
        samplePath(op.path),
        { method: op.method.toUpperCase() },
        { requireHeaders: ["WWW-Authenticate"] },
      );
      expect(r.res.status, op.operationId).toBe(401);
      expect(whatsAppError(r.body).code).toBe(1005);
      expect(r.res.headers.get("www-authenticate"), op.operationId).toMatch(
        op.operationId === "loginUser" ? /^Basic / : /^Bearer /,
      );
    }
  });

  it("other methods answer 405 with Allow listing the documented ones", async () => {
    const paths = [...new Set(whatsAppOps.map((o) => o.path))];
    for (const p of paths) {
      const declared = whatsAppOps.filter((o) => o.path === p).map((o) => o.method.toUpperCase());
      const allowed = declared.includes("GET") ? [...declared, "HEAD"] : declared;
      // TRACE cannot be sent through fetch's Request at all.
      for (const method of httpMethods.map((m) => m.toUpperCase())) {
        if (allowed.includes(method) || method === "TRACE") continue;
        const res = await server.app.request(samplePath(p), { method, headers: auth });
        expect(res.status, `${method} ${p}`).toBe(405);
        expect(res.headers.get("allow")?.split(", ").sort(), `${method} ${p}`).toEqual([...allowed].sort());
        if (method !== "HEAD") expect(errorEnvelope(await res.json()), `${method} ${p}`).toBe(true);
      }
    }
  });

  it("unknown paths answer 404 in the WA envelope", async () => {
    for (const url of ["/v1/nothing", "/v1/media/a/b", "/v2/media", "/v1/users/alice/extra", "/v1/media/"]) {
      const res = await server.app.request(url, { headers: auth });
      expect(res.status, url).toBe(404);
      const body = await res.json();
      expect(errorEnvelope(body), url).toBe(true);
      expect(whatsAppError(body).code).toBe(1006);
    }
  });
});

describe("faults", () => {
  it("answer 500 (1014) and are logged, only for real faults", async () => {
    const dataDir = makeDataDir();
    const media = await createBlobStore(path.join(dataDir, "media"));
    const broken = await startTestServer({
      dataDir,
      overrides: { media: { ...media, write: () => Promise.reject(new Error("disk controller on fire")) } },
    });
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const token = await login(broken.app, "admin", ADMIN_PASSWORD);
      const res = await broken.app.request("/v1/media", {
        method: "POST",
        headers: { ...bearer(token), "Content-Type": "text/plain" },
        body: "x",
      });
      expect(res.status).toBe(500);
      const body = await res.json();
      expect(errorEnvelope(body)).toBe(true);
      expect(whatsAppError(body)).toEqual({ code: 1014, details: "Internal error" });
      expect(String(log.mock.calls.flat().join(" "))).toContain("disk controller on fire");
    } finally {
      log.mockRestore();
      broken.dispose();
    }
  });

  it("no request input produces a 500, and every reply matches the spec", async () => {
    const jsonOps = whatsAppOps.filter((o) => o.operation.requestBody?.content["application/json"]);
    const contentTypes = fc.constantFrom(
      "application/json",
      "text/plain",
      "application/json; charset=latin1",
      "",
      "image/png",
      "multipart/form-data; boundary=x",
      "application/json;;",
      "a/b; c",
    );
    const bodies = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .dictionary(
          fc.constantFrom(
            "new_password",
            "username",
            "password",
            "role",
            "webhooks",
            "log_level",
            "callback_backoff_delay_ms",
            "media",
            "name",
            "config",
          ),
          fc.jsonValue(),
        )
        .map((v) => JSON.stringify(v)),
    );
    const tokens = fc.oneof(
      fc.constant(auth.Authorization!),
      fc.string().map((s) => `Bearer ${s}`),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jsonOps, ...whatsAppOps),
        contentTypes,
        bodies,
        tokens,
        async (op, type, body, authorization) => {
          const headers: Record<string, string> = {
            Authorization: op.operationId === "loginUser" ? "Basic YWRtaW46QWRtMW4hcGFzcw==" : authorization,
          };
          if (type) headers["Content-Type"] = type;
          const res = await server.app.request(samplePath(op.path), {
            method: op.method.toUpperCase(),
            headers,
            body: op.method === "get" ? undefined : body,
          });
          expect(res.status).toBeLessThan(500);
          // Wildly random bodies may hit a 413 for oversized JSON, which the JSON operations do not document.
          if (res.status !== 413) await expectResponseMatchesSpec(op.operationId, res);
          await res.body?.cancel();
        },
      ),
      { numRuns: 150 },
    );
    // The admin's password and the settings may have changed under the fuzzer; the server must still answer.
    expect((await server.app.request("/v1/media/x", { headers: auth })).status).toBeLessThan(500);
  });
});
