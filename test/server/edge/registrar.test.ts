// The one registrar (server/edge/operation-registrar.ts) on specs written in the test, stripe-mock style: a few
// lines of spec, one family, one handler, served through the real registrar; then the start-up checks that refuse a
// spec and handlers that disagree.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { CredentialsAbsent, type ApiFamily } from "../../../server/edge/api-family.ts";
import type { HandlerTable } from "../../../server/edge/operation-handler.ts";
import { registerOperations } from "../../../server/edge/operation-registrar.ts";
import type { OpenApiDocument } from "../../../spec-model/openapi-document.ts";

/** A family of its own: an API key in `X-Key`, errors as `{problem}` with the status, paths under `/tiny`. */
class TinyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function tinyFamily(name = "tiny"): ApiFamily<{ key: string }> {
  const reply = (status: number, problem: string, headers: Record<string, string> = {}) =>
    Response.json({ problem }, { status, headers });
  return {
    name,
    pathPrefix: "/tiny",
    security: {
      apiKey: (request, scopes) => {
        const key = request.header("x-key");
        if (key === undefined) return new CredentialsAbsent(new TinyError(401, "no key"));
        if (!key.startsWith("k-")) throw new TinyError(401, "bad key");
        if (scopes.length > 0 && !scopes.includes(key)) throw new TinyError(403, `needs ${scopes.join(", ")}`);
        return { key };
      },
      otherKey: (request) => {
        const key = request.query("key");
        return key === undefined ? new CredentialsAbsent(new TinyError(401, "no query key")) : { key };
      },
    },
    jsonBodyMaxBytes: 64,
    closeAfterEarlyRefusal: false,
    errors: {
      invalidPathParameter: (param, value) => new TinyError(404, `no ${param} ${value}`),
      unsupportedMediaType: (accepted) => new TinyError(415, `send ${accepted.join(" or ")}`),
      bodyTooLarge: (max) => new TinyError(413, `at most ${max} bytes`),
      malformedBody: () => new TinyError(400, "not JSON"),
      notUtf8Body: () => new TinyError(400, "not UTF-8"),
      missingBody: () => new TinyError(400, "body required"),
      invalidBody: (errors) => new TinyError(400, `invalid: ${errors[0]?.instancePath} ${errors[0]?.message}`),
      incompleteBody: () => new TinyError(400, "cut off"),
    },
    errorResponse: (err) => (err instanceof TinyError ? reply(err.status, err.message) : undefined),
    faultResponse: () => reply(500, "fault"),
    methodNotAllowed: (method, path, allow) => reply(405, `${method} ${path}`, { Allow: allow.join(", ") }),
    claimsPath: (path) => path.startsWith("/tiny/"),
    notFound: (_method, path) => reply(404, `unknown ${path}`),
  };
}

/** The spec of a test is not the project's, so its handler table is not typed from generated/openapi.d.ts. */
const table = (handlers: Record<string, unknown>) => handlers as HandlerTable<{ key: string }>;

/** A five-operation spec, in the order a careless author would write it (template before literal). */
function tinySpec(): OpenApiDocument {
  const id = { name: "thing_id", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]{1,8}$" } };
  const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
  return {
    openapi: "3.1.0",
    info: { title: "tiny", version: "1" },
    paths: {
      "/things/{thing_id}": {
        get: {
          operationId: "getThing",
          "x-api-family": "tiny",
          security: [{ apiKey: [] }],
          parameters: [id],
          responses: ok,
        },
        delete: {
          operationId: "deleteThing",
          "x-api-family": "tiny",
          security: [{ apiKey: [] }],
          parameters: [id],
          responses: { "204": { description: "deleted" } },
        },
      },
      "/things/special": {
        get: { operationId: "getSpecial", "x-api-family": "tiny", security: [{ apiKey: [] }], responses: ok },
      },
      "/things": {
        post: {
          operationId: "createThing",
          "x-api-family": "tiny",
          security: [{ apiKey: ["k-admin"] }, { otherKey: [] }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["name"],
                  additionalProperties: false,
                  properties: { name: { type: "string", maxLength: 8 } },
                },
              },
              "text/plain": { schema: { type: "string" } },
            },
          },
          responses: { "201": { description: "created" } },
        },
      },
    },
    components: {},
  } as unknown as OpenApiDocument;
}

function tinyHandlers() {
  return table({
    getThing: {
      handle: ({ params, auth }: { params: { thing_id: string }; auth: unknown }) => ({
        status: 200,
        body: { thing: params.thing_id, by: auth },
      }),
    },
    getSpecial: { handle: () => ({ status: 200, body: { thing: "special" } }) },
    deleteThing: { handle: () => ({ status: 204 }) },
    createThing: {
      handle: async ({ body, auth, request }: { body: unknown; auth: unknown; request: { bodyChunks(): unknown } }) => {
        let text: string | undefined;
        if (body === undefined) text = await new Response(request.bodyChunks() as never).text();
        return { status: 201, body: { created: body ?? text, by: auth }, headers: { Location: "/tiny/things/x" } };
      },
    },
  });
}

function serve(spec = tinySpec(), handlers = tinyHandlers()): Hono {
  const app = new Hono();
  registerOperations(app, spec, [{ family: tinyFamily(), handlers }]);
  return app;
}

async function reply(app: Hono, url: string, init?: RequestInit) {
  const res = await app.request(url, init);
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>), res };
}

const key = { "x-key": "k-user" };

describe("a spec of a few lines served by the real registrar", () => {
  it("routes under the family's prefix, literal paths before templates, with validated path parameters", async () => {
    const app = serve();
    expect(await reply(app, "/tiny/things/abc", { headers: key })).toMatchObject({
      status: 200,
      body: { thing: "abc", by: { key: "k-user" } },
    });
    expect((await reply(app, "/tiny/things/special", { headers: key })).body).toEqual({ thing: "special" });
    expect(await reply(app, "/tiny/things/ABC", { headers: key })).toMatchObject({
      status: 404,
      body: { problem: "no thing_id ABC" },
    });
  });

  it("authenticates first, with the scheme of the requirement, its scopes, and alternatives in order", async () => {
    const app = serve();
    expect(await reply(app, "/tiny/things/abc")).toMatchObject({ status: 401, body: { problem: "no key" } });
    expect(await reply(app, "/tiny/things/abc", { headers: { "x-key": "zzz" } })).toMatchObject({ status: 401 });
    // The path parameter is invalid too: security answers first.
    expect(await reply(app, "/tiny/things/ABC")).toMatchObject({ status: 401 });
    const post = (headers: Record<string, string>, url = "/tiny/things") =>
      reply(app, url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: '{"name":"a"}',
      });
    expect(await post(key)).toMatchObject({ status: 403, body: { problem: "needs k-admin" } });
    expect(await post({ "x-key": "k-admin" })).toMatchObject({ status: 201, body: { by: { key: "k-admin" } } });
    // No X-Key at all: the second alternative (a query key) decides.
    expect(await post({}, "/tiny/things?key=q")).toMatchObject({ status: 201, body: { by: { key: "q" } } });
    expect(await post({})).toMatchObject({ status: 401, body: { problem: "no key" } });
  });

  it("reads JSON through the bounded reader and the schema, leaving other declared types to the handler", async () => {
    const app = serve();
    const post = (body: string, type?: string) =>
      reply(app, "/tiny/things", {
        method: "POST",
        headers: { "x-key": "k-admin", ...(type ? { "content-type": type } : {}) },
        body,
      });
    expect(await post('{"name":"a"}', "application/json")).toMatchObject({
      status: 201,
      body: { created: { name: "a" } },
    });
    expect((await post('{"name":"a"}', "application/json")).res.headers.get("location")).toBe("/tiny/things/x");
    expect(await post("plain words", "text/plain")).toMatchObject({ status: 201, body: { created: "plain words" } });
    expect(await post('{"name":"much too long"}', "application/json")).toMatchObject({
      status: 400,
      body: { problem: "invalid: /name must NOT have more than 8 characters" },
    });
    expect(await post("{", "application/json")).toMatchObject({ status: 400, body: { problem: "not JSON" } });
    expect(await post("", "application/json")).toMatchObject({ status: 400, body: { problem: "body required" } });
    expect(await post(`{"name":"${"x".repeat(100)}"}`, "application/json")).toMatchObject({
      status: 413,
      body: { problem: "at most 64 bytes" },
    });
    expect(await post("<a/>", "application/xml")).toMatchObject({
      status: 415,
      body: { problem: "send application/json or text/plain" },
    });
  });

  it("answers the family's 405 with Allow, and its 404 for unknown paths in its space", async () => {
    const app = serve();
    const notAllowed = await reply(app, "/tiny/things/abc", { method: "PUT", headers: key });
    expect(notAllowed).toMatchObject({ status: 405, body: { problem: "PUT /things/{thing_id}" } });
    expect(notAllowed.res.headers.get("allow")).toBe("GET, DELETE, HEAD");
    expect((await reply(app, "/tiny/things/abc", { method: "PROPFIND", headers: key })).status).toBe(405);
    expect((await reply(app, "/tiny/things", { method: "GET" })).res.headers.get("allow")).toBe("POST");
    expect(await reply(app, "/tiny/nothing")).toMatchObject({
      status: 404,
      body: { problem: "unknown /tiny/nothing" },
    });
    expect((await app.request("/elsewhere")).status).toBe(404);
  });

  it("keeps a literal path its own, even for a method the template beside it has", async () => {
    const app = serve();
    expect((await reply(app, "/tiny/things/abc", { method: "DELETE", headers: key })).status).toBe(204);
    // DELETE /things/special is no deleteThing: /things/special is a path of its own, without DELETE.
    const shadowed = await reply(app, "/tiny/things/special", { method: "DELETE", headers: key });
    expect(shadowed).toMatchObject({ status: 405, body: { problem: "DELETE /things/special" } });
    expect(shadowed.res.headers.get("allow")).toBe("GET, HEAD");
  });

  it("turns a handler's fault into the family's fault reply, and logs it", async () => {
    const app = serve(
      tinySpec(),
      table({
        ...tinyHandlers(),
        getSpecial: {
          handle: () => {
            throw new Error("boom");
          },
        },
      }),
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      expect(await reply(app, "/tiny/things/special", { headers: key })).toMatchObject({
        status: 500,
        body: { problem: "fault" },
      });
    } finally {
      console.error = original;
    }
    expect(JSON.stringify(errors)).toContain("GET /tiny/things/special failed");
  });
});

describe("start-up checks", () => {
  const start = (spec: OpenApiDocument, handlers = tinyHandlers(), family = tinyFamily()) =>
    registerOperations(new Hono(), spec, [{ family, handlers }]);

  it("refuse a handler for an operation the spec does not have", () => {
    expect(() => start(tinySpec(), table({ ...tinyHandlers(), archiveThing: { handle: () => undefined } }))).toThrow(
      "Handler for archiveThing, which the spec does not have",
    );
  });

  it("refuse an operation without a handler", () => {
    const { getSpecial: _dropped, ...rest } = tinyHandlers() as Record<string, unknown>;
    expect(() => start(tinySpec(), table(rest))).toThrow("No handler for operation getSpecial");
  });

  it("refuse an operation of a family nobody serves, or of none", () => {
    const spec = tinySpec();
    const special = spec.paths["/things/special"]!.get!;
    special["x-api-family"] = "elsewhere";
    const { getSpecial: _dropped, ...rest } = tinyHandlers() as Record<string, unknown>;
    expect(() => start(spec, table(rest))).toThrow("Operation getSpecial is in family elsewhere, which is not served");
    delete special["x-api-family"];
    expect(() => start(spec, table(rest))).toThrow("Operation getSpecial declares no x-api-family");
  });

  it("refuse handlers given to another family than the one the spec names", () => {
    const { getSpecial, ...rest } = tinyHandlers() as Record<string, unknown>;
    expect(() =>
      registerOperations(new Hono(), tinySpec(), [
        { family: tinyFamily(), handlers: table(rest) },
        { family: tinyFamily("other"), handlers: table({ getSpecial }) },
      ]),
    ).toThrow("Handler for getSpecial given to family other, but the spec puts it in tiny");
  });

  it("refuse a security scheme the family does not understand", () => {
    const spec = tinySpec();
    spec.paths["/things/special"]!.get!.security = [{ oauth: ["read"] }];
    expect(() => start(spec)).toThrow("getSpecial: family tiny has no handler for security scheme oauth");
  });
});
