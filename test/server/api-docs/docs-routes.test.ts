/**
 * `/docs`, `/openapi.json`, `/openapi.yaml` and `/` served by registerApiDocsRoutes, with the docs built on first use,
 * each naming the origin the request reached.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiDocsStaleReason } from "../../../server/api-docs/api-docs-build.ts";
import { packageBin } from "../../../spec-model/package-files.ts";
import { SPEC_LOCAL_ORIGIN } from "../../../server/api-docs/origin-substitution.ts";
import { registerApiDocsRoutes, type ApiDocsRouteDeps } from "../../../server/api-docs/routes.ts";
import { serveNode } from "../../../server/edge/serve-node.ts";
import { bundlePath } from "../../../spec-model/openapi-document.ts";

const run = promisify(execFile);
let tmp: string;
let apiDocsDir: string;
let app: Hono;
const bundleText = await readFile(bundlePath, "utf8");
const bundle = JSON.parse(bundleText) as { info: { title: string; version: string } };

/** What a document says once the spec's local-server origin is replaced by `origin`. */
function naming(origin: string, text: string): string {
  return text.replaceAll(SPEC_LOCAL_ORIGIN, origin);
}

const PAGE_TOKEN = "EAAB-page-token-never-shown-123";
function deps(adminPasswordChangeRequired?: () => boolean): ApiDocsRouteDeps {
  return {
    config: {
      apiVersion: "3.0.1",
      messenger: { pages: { "104857600123": PAGE_TOKEN, "99": "another-token-zz" }, generatedDevPage: false },
    },
    ...(adminPasswordChangeRequired ? { adminPasswordChangeRequired } : {}),
  };
}

function appWith(d: ApiDocsRouteDeps, opts = { apiDocsDir }): Hono {
  const a = new Hono();
  registerApiDocsRoutes(a, d, opts);
  return a;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "docs-routes-"));
  apiDocsDir = path.join(tmp, "docs");
  app = appWith(deps(() => true));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("/docs", () => {
  it("builds the docs on first request, then serves the self-contained Redoc page", async () => {
    expect(existsSync(path.join(apiDocsDir, "index.html"))).toBe(false);
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(existsSync(path.join(apiDocsDir, "index.html"))).toBe(true);
    expect(html).toContain(`<title>${bundle.info.title}</title>`);
    // Redoc is inlined: the page neither loads a script or stylesheet by URL nor imports a module from one.
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*href=["']?https?:/i);
    expect(html).not.toMatch(/import\s*\{[^}]*\}\s*from\s*["']https?:/);
    expect(html).toContain("Redoc");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob:");
  }, 60_000);

  it("answers /docs/ too, HEAD without a body, and 304 for a matching ETag", async () => {
    const slash = await app.request("/docs/");
    expect(slash.status).toBe(200);
    const etag = slash.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]{8}"$/);
    await slash.body?.cancel();

    const head = await app.request("/docs", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");

    const again = await app.request("/docs", { headers: { "If-None-Match": `W/${etag}` } });
    expect(again.status).toBe(304);
    const other = await app.request("/docs", { headers: { "If-None-Match": '"0-0"' } });
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it("compresses the page for clients that accept gzip", async () => {
    const plain = naming("http://localhost", await readFile(path.join(apiDocsDir, "index.html"), "utf8"));
    const res = await app.request("/docs", { headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(body).toString("utf8")).toBe(plain);
  });

  it("answers 405 with Allow for other methods", async () => {
    for (const p of [
      "/docs",
      "/openapi.json",
      "/openapi.yaml",
      "/whatsapp.openapi.json",
      "/messenger.openapi.yaml",
      "/",
    ]) {
      const res = await app.request(p, { method: "POST" });
      expect(res.status, p).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      const body = (await res.json()) as { errors: Array<{ code: number }> };
      expect(body.errors[0]?.code).toBe(1009);
    }
  });

  it("explains how to build the docs (503) when they cannot be built", async () => {
    const missingBundle = new Hono();
    registerApiDocsRoutes(missingBundle, deps(), {
      apiDocsDir: path.join(tmp, "never-built"),
      bundlePath: path.join(tmp, "no-such.json"),
    });
    const res = await missingBundle.request("/docs");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("npm run api-docs");
  });
});

describe("/openapi.json and /openapi.yaml", () => {
  it("/openapi.json is the bundle, naming the origin it was fetched from as the local reference server", async () => {
    const res = await app.request("http://127.0.0.1:9123/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual(JSON.parse(naming("http://127.0.0.1:9123", bundleText)));
  });

  it("/openapi.yaml is the same document as YAML", async () => {
    const res = await app.request("http://127.0.0.1:9123/openapi.yaml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/yaml; charset=utf-8");
    const yaml = await res.text();
    expect(yaml.startsWith("openapi: 3.1")).toBe(true);
    // Read it back with Redocly (no YAML library in the project) and compare with the bundle.
    const yamlFile = path.join(tmp, "served.yaml");
    const jsonFile = path.join(tmp, "served.json");
    await writeFile(yamlFile, yaml);
    await run(
      process.execPath,
      [packageBin("@redocly/cli", "redocly"), "bundle", yamlFile, "--ext", "json", "--output", jsonFile],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      },
    );
    const expected = JSON.parse(naming("http://127.0.0.1:9123", bundleText)) as object;
    expect(JSON.parse(await readFile(jsonFile, "utf8"))).toEqual(expected);
  }, 60_000);
});

describe("the per-family bundles", () => {
  const families = ["whatsapp.openapi", "messenger.openapi", "messenger.multipart.openapi"];

  it.each(families)(
    "/%s.json is the generated file, and its YAML twin is the same document",
    async (name) => {
      const generated = await readFile(path.join(path.dirname(bundlePath), `${name}.json`), "utf8");
      const expected = JSON.parse(naming("http://localhost", generated)) as object;
      const json = await app.request(`/${name}.json`);
      expect(json.status).toBe(200);
      expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(await json.json()).toEqual(expected);

      const res = await app.request(`/${name}.yaml`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/yaml; charset=utf-8");
      const yamlFile = path.join(tmp, `${name}.served.yaml`);
      const jsonFile = path.join(tmp, `${name}.served.json`);
      await writeFile(yamlFile, await res.text());
      await run(
        process.execPath,
        [packageBin("@redocly/cli", "redocly"), "bundle", yamlFile, "--ext", "json", "--output", jsonFile],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        },
      );
      expect(JSON.parse(await readFile(jsonFile, "utf8"))).toEqual(expected);
    },
    60_000,
  );

  it("answers 404 for a per-family bundle that is not next to the served bundle", async () => {
    const lone = path.join(tmp, "lone");
    await mkdir(lone, { recursive: true });
    await writeFile(path.join(lone, "openapi.json"), JSON.stringify(bundle));
    const alone = new Hono();
    registerApiDocsRoutes(alone, deps(), {
      apiDocsDir: path.join(tmp, "lone-docs"),
      bundlePath: path.join(lone, "openapi.json"),
    });
    expect((await alone.request("/whatsapp.openapi.json")).status).toBe(404);
    expect((await alone.request("/messenger.openapi.yaml")).status).toBe(404);
  });
});

describe("docs freshness", () => {
  it("is up to date after a build, stale when the bundle changes or a file is missing", async () => {
    expect(await apiDocsStaleReason({ apiDocsDir, bundlePath })).toBeUndefined();
    // A per-family bundle that changed alone (its YAML twin is then stale) is noticed too.
    const copy = path.join(tmp, "copy");
    await mkdir(copy, { recursive: true });
    for (const name of [
      "openapi.json",
      "whatsapp.openapi.json",
      "messenger.openapi.json",
      "messenger.multipart.openapi.json",
    ]) {
      await writeFile(path.join(copy, name), await readFile(path.join(path.dirname(bundlePath), name)));
    }
    expect(await apiDocsStaleReason({ apiDocsDir, bundlePath: path.join(copy, "openapi.json") })).toBeUndefined();
    await writeFile(
      path.join(copy, "messenger.openapi.json"),
      JSON.stringify({ ...bundle, info: { ...bundle.info, version: "9.9.9" } }),
    );
    expect(await apiDocsStaleReason({ apiDocsDir, bundlePath: path.join(copy, "openapi.json") })).toMatch(
      /messenger\.openapi\.json changed/,
    );
    const changed = path.join(tmp, "changed-bundle.json");
    await writeFile(changed, JSON.stringify({ ...bundle, info: { ...bundle.info, version: "9.9.9" } }));
    expect(await apiDocsStaleReason({ apiDocsDir, bundlePath: changed })).toMatch(/bundle changed/);
    expect(await apiDocsStaleReason({ apiDocsDir: path.join(tmp, "empty"), bundlePath })).toMatch(/missing/);
  });
});

describe("/ (index)", () => {
  it("links the docs and both spec formats, lists page ids but never their tokens", async () => {
    const res = await app.request("http://127.0.0.1:8123/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    for (const href of [
      "/docs",
      "/openapi.json",
      "/openapi.yaml",
      "/whatsapp.openapi.json",
      "/messenger.openapi.yaml",
      "/messenger.multipart.openapi.json",
    ]) {
      expect(html).toContain(`href="${href}"`);
    }
    expect(html).toContain('<code class="page-id">104857600123</code>');
    expect(html).toContain('<code class="page-id">99</code>');
    expect(html).not.toContain(PAGE_TOKEN);
    expect(html).not.toContain("another-token-zz");
    expect(html).toContain(bundle.info.title);
  });

  it("says whether the admin password still needs changing", async () => {
    let required = true;
    const live = appWith(deps(() => required));
    const before = await (await live.request("http://127.0.0.1:8123/")).text();
    expect(before).toContain('data-state="change-required"');
    expect(before).toContain("http://127.0.0.1:8123/v1/users/login");
    required = false;
    const after = await (await live.request("/")).text();
    expect(after).toContain('data-state="changed"');
    const unknown = await (await appWith(deps()).request("/")).text();
    expect(unknown).toContain('data-state="unknown"');
  });

  it("says when the Messenger page was generated for development", async () => {
    const dev = new Hono();
    registerApiDocsRoutes(
      dev,
      {
        config: {
          apiVersion: "3.0.1",
          messenger: { pages: { "123456789012345": "dev-xyz-token-1" }, generatedDevPage: true },
        },
      },
      { apiDocsDir },
    );
    const html = await (await dev.request("/")).text();
    expect(html).toContain("123456789012345");
    expect(html).toContain("development page");
    expect(html).not.toContain("dev-xyz-token-1");
  });
});

describe("the origin the served documents name", () => {
  const families = ["whatsapp.openapi", "messenger.openapi", "messenger.multipart.openapi"];
  const get = (p: string, headers: Record<string, string> = {}) => app.request(`http://localhost${p}`, { headers });

  it("is the spec's local reference server entry that the server rewrites", () => {
    const spec = JSON.parse(bundleText) as {
      servers: Array<{ url: string }>;
      paths: Record<string, { servers?: Array<{ url: string }> }>;
    };
    expect(spec.servers.map((s) => s.url)).toContain(SPEC_LOCAL_ORIGIN);
    const graphServers = Object.values(spec.paths)
      .flatMap((item) => item.servers ?? [])
      .map((s) => s.url);
    expect(graphServers).toContain(`${SPEC_LOCAL_ORIGIN}/{version}`);
  });

  it("is the request's Host: in the bundles, their YAML twins and the docs page (/{version} on Graph)", async () => {
    const host = { Host: "docs.example.test:9123" };
    const combined = (await (await get("/openapi.json", host)).json()) as { servers: Array<{ url: string }> };
    expect(combined.servers.map((s) => s.url)).toContain("http://docs.example.test:9123");
    const messenger = (await (await get("/messenger.openapi.json", host)).json()) as typeof combined;
    expect(messenger.servers.map((s) => s.url)).toEqual([
      "https://graph.facebook.com/{version}",
      "http://docs.example.test:9123/{version}",
    ]);
    for (const p of [...families.map((f) => `/${f}.yaml`), "/openapi.yaml", "/docs"]) {
      const text = await (await get(p, host)).text();
      expect(text, p).toContain("http://docs.example.test:9123");
      expect(text, p).not.toContain(SPEC_LOCAL_ORIGIN);
    }
    // Every occurrence in the page is replaced: the pre-rendered servers panel and the spec inlined for Redoc.
    const file = await readFile(path.join(apiDocsDir, "index.html"), "utf8");
    const page = await (await get("/docs", host)).text();
    const occurrences = file.split(SPEC_LOCAL_ORIGIN).length - 1;
    expect(occurrences).toBeGreaterThanOrEqual(2);
    expect(page.split("http://docs.example.test:9123").length - 1).toBe(occurrences);
    expect(page.length - file.length).toBe(occurrences * ("docs.example.test:9123".length - "127.0.0.1:8080".length));
  });

  it("says https only when X-Forwarded-Proto does", async () => {
    const name = async (headers: Record<string, string>) => {
      const spec = (await (await get("/whatsapp.openapi.json", headers)).json()) as { servers: Array<{ url: string }> };
      return spec.servers[1]?.url;
    };
    expect(await name({ Host: "api.example.test", "X-Forwarded-Proto": "https" })).toBe("https://api.example.test");
    expect(await name({ Host: "api.example.test", "X-Forwarded-Proto": "HTTPS, http" })).toBe(
      "https://api.example.test",
    );
    expect(await name({ Host: "api.example.test", "X-Forwarded-Proto": "javascript" })).toBe("http://api.example.test");
    expect(await name({ Host: "[::1]:8443" })).toBe("http://[::1]:8443");
  });

  it("never carries a Host header that is not a plain host[:port] into a document", async () => {
    const forged = [
      'evil.test"><script>alert(1)</script>',
      "a..b",
      "host:0",
      "host:99999",
      "a b",
      "exa/mple",
      "x".repeat(300),
      "-lead.test",
      "[::1",
    ];
    for (const value of forged) {
      for (const p of ["/openapi.json", "/messenger.openapi.yaml", "/docs", "/"]) {
        const res = await get(p, { Host: value });
        expect(res.status, `${p} with Host ${value}`).toBe(200);
        const text = await res.text();
        expect(text, `${p} with Host ${value}`).not.toContain(`//${value}`);
        // An in-process request has no socket: the URL it was made with names the origin.
        expect(text, `${p} with Host ${value}`).toContain("http://localhost");
      }
    }
  });

  it("over a connection with a forged Host, is the address and port the connection reached", async () => {
    const served = await serveNode(app, { host: "127.0.0.1", port: 0 });
    try {
      const { default: http } = await import("node:http");
      const body = await new Promise<string>((resolve, reject) => {
        const request = { host: "127.0.0.1", port: served.port, path: "/openapi.json", headers: { Host: "a..b" } };
        const req = http.get(request, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
      });
      const servers = (JSON.parse(body) as { servers: Array<{ url: string }> }).servers.map((s) => s.url);
      expect(servers).toContain(`http://127.0.0.1:${served.port}`);
      expect(body).not.toContain("a..b");
    } finally {
      await served.close();
    }
  });

  it("has an ETag per origin, and keeps serving every origin right past its per-file cache", async () => {
    const first = await get("/openapi.json", { Host: "one.test" });
    const etag = first.headers.get("etag")!;
    await first.body?.cancel();
    const other = await get("/openapi.json", { Host: "two.test" });
    expect(other.headers.get("etag")).not.toBe(etag);
    await other.body?.cancel();
    expect((await get("/openapi.json", { Host: "one.test", "If-None-Match": etag })).status).toBe(304);
    const elsewhere = await get("/openapi.json", { Host: "two.test", "If-None-Match": etag });
    expect(elsewhere.status).toBe(200);
    await elsewhere.body?.cancel();
    for (let i = 0; i < 12; i++) {
      const text = await (await get("/openapi.json", { Host: `host-${i}.test:${8000 + i}` })).text();
      expect(text).toContain(`"http://host-${i}.test:${8000 + i}"`);
    }
    expect(await (await get("/openapi.json", { Host: "one.test" })).text()).toContain('"http://one.test"');
  });

  it("is the origin in the sample command of /", async () => {
    const html = await (await get("/", { Host: "docs.example.test:9123" })).text();
    expect(html).toContain("http://docs.example.test:9123/v1/users/login");
  });
});
