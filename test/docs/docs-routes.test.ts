/** `/docs`, `/openapi.json`, `/openapi.yaml` and `/` served by registerDocsRoutes, with the docs built on first use. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsStaleReason, packageBin } from "../../server/docs/docs-build.ts";
import { registerDocsRoutes, type DocsRouteDeps } from "../../server/docs/routes.ts";
import { bundlePath } from "../../server/validation/openapi-document.ts";

const run = promisify(execFile);
let tmp: string;
let docsDir: string;
let app: Hono;
const bundle = JSON.parse(await readFile(bundlePath, "utf8")) as { info: { title: string; version: string } };

const PAGE_TOKEN = "EAAB-page-token-never-shown-123";
function deps(adminPasswordChangeRequired?: () => boolean): DocsRouteDeps {
  return {
    config: { apiVersion: "3.0.1", messenger: { pages: { "104857600123": PAGE_TOKEN, "99": "another-token-zz" }, generatedDevPage: false } },
    ...(adminPasswordChangeRequired ? { adminPasswordChangeRequired } : {}),
  };
}

function appWith(d: DocsRouteDeps, opts = { docsDir }): Hono {
  const a = new Hono();
  registerDocsRoutes(a, d, opts);
  return a;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "docs-routes-"));
  docsDir = path.join(tmp, "docs");
  app = appWith(deps(() => true));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("/docs", () => {
  it("builds the docs on first request, then serves the self-contained Redoc page", async () => {
    expect(existsSync(path.join(docsDir, "index.html"))).toBe(false);
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(existsSync(path.join(docsDir, "index.html"))).toBe(true);
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
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
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
    const plain = await readFile(path.join(docsDir, "index.html"));
    const res = await app.request("/docs", { headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(body).equals(plain)).toBe(true);
  });

  it("answers 405 with Allow for other methods", async () => {
    for (const p of ["/docs", "/openapi.json", "/openapi.yaml", "/whatsapp.openapi.json", "/messenger.openapi.yaml", "/"]) {
      const res = await app.request(p, { method: "POST" });
      expect(res.status, p).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      const body = (await res.json()) as { errors: Array<{ code: number }> };
      expect(body.errors[0]?.code).toBe(1009);
    }
  });

  it("explains how to build the docs (503) when they cannot be built", async () => {
    const missingBundle = new Hono();
    registerDocsRoutes(missingBundle, deps(), { docsDir: path.join(tmp, "never-built"), bundlePath: path.join(tmp, "no-such.json") });
    const res = await missingBundle.request("/docs");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("npm run docs");
  });
});

describe("/openapi.json and /openapi.yaml", () => {
  it("/openapi.json is the bundle", async () => {
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual(bundle);
  });

  it("/openapi.yaml is the same document as YAML", async () => {
    const res = await app.request("/openapi.yaml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/yaml; charset=utf-8");
    const yaml = await res.text();
    expect(yaml.startsWith("openapi: 3.1")).toBe(true);
    // Read it back with Redocly (no YAML library in the project) and compare with the bundle.
    const yamlFile = path.join(tmp, "served.yaml");
    const jsonFile = path.join(tmp, "served.json");
    await writeFile(yamlFile, yaml);
    await run(process.execPath, [packageBin("@redocly/cli", "redocly"), "bundle", yamlFile, "--ext", "json", "--output", jsonFile], {
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    expect(JSON.parse(await readFile(jsonFile, "utf8"))).toEqual(bundle);
  }, 60_000);
});

describe("the per-family bundles", () => {
  const families = ["whatsapp.openapi", "messenger.openapi", "messenger.multipart.openapi"];

  it.each(families)("/%s.json is the generated file, and its YAML twin is the same document", async (name) => {
    const expected = JSON.parse(await readFile(path.join(path.dirname(bundlePath), `${name}.json`), "utf8")) as object;
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
    await run(process.execPath, [packageBin("@redocly/cli", "redocly"), "bundle", yamlFile, "--ext", "json", "--output", jsonFile], {
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    expect(JSON.parse(await readFile(jsonFile, "utf8"))).toEqual(expected);
  }, 60_000);

  it("answers 404 for a per-family bundle that is not next to the served bundle", async () => {
    const lone = path.join(tmp, "lone");
    await mkdir(lone, { recursive: true });
    await writeFile(path.join(lone, "openapi.json"), JSON.stringify(bundle));
    const alone = new Hono();
    registerDocsRoutes(alone, deps(), { docsDir: path.join(tmp, "lone-docs"), bundlePath: path.join(lone, "openapi.json") });
    expect((await alone.request("/whatsapp.openapi.json")).status).toBe(404);
    expect((await alone.request("/messenger.openapi.yaml")).status).toBe(404);
  });
});

describe("docs freshness", () => {
  it("is up to date after a build, stale when the bundle changes or a file is missing", async () => {
    expect(await docsStaleReason({ docsDir, bundlePath })).toBeUndefined();
    // A per-family bundle that changed alone (its YAML twin is then stale) is noticed too.
    const copy = path.join(tmp, "copy");
    await mkdir(copy, { recursive: true });
    for (const name of ["openapi.json", "whatsapp.openapi.json", "messenger.openapi.json", "messenger.multipart.openapi.json"]) {
      await writeFile(path.join(copy, name), await readFile(path.join(path.dirname(bundlePath), name)));
    }
    expect(await docsStaleReason({ docsDir, bundlePath: path.join(copy, "openapi.json") })).toBeUndefined();
    await writeFile(path.join(copy, "messenger.openapi.json"), JSON.stringify({ ...bundle, info: { ...bundle.info, version: "9.9.9" } }));
    expect(await docsStaleReason({ docsDir, bundlePath: path.join(copy, "openapi.json") })).toMatch(/messenger\.openapi\.json changed/);
    const changed = path.join(tmp, "changed-bundle.json");
    await writeFile(changed, JSON.stringify({ ...bundle, info: { ...bundle.info, version: "9.9.9" } }));
    expect(await docsStaleReason({ docsDir, bundlePath: changed })).toMatch(/bundle changed/);
    expect(await docsStaleReason({ docsDir: path.join(tmp, "empty"), bundlePath })).toMatch(/missing/);
  });
});

describe("/ (index)", () => {
  it("links the docs and both spec formats, lists page ids but never their tokens", async () => {
    const res = await app.request("http://127.0.0.1:8123/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    for (const href of ["/docs", "/openapi.json", "/openapi.yaml", "/whatsapp.openapi.json", "/messenger.openapi.yaml", "/messenger.multipart.openapi.json"]) {
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
    registerDocsRoutes(dev, { config: { apiVersion: "3.0.1", messenger: { pages: { "123456789012345": "dev-xyz-token-1" }, generatedDevPage: true } } }, { docsDir });
    const html = await (await dev.request("/")).text();
    expect(html).toContain("123456789012345");
    expect(html).toContain("development page");
    expect(html).not.toContain("dev-xyz-token-1");
  });
});
