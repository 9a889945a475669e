/**
 * `/docs` (the rendered Redoc reference), `/openapi.json` and `/openapi.yaml` (the bundle), the per-family bundles
 * beside them (`/whatsapp.openapi.json`, `/messenger.openapi.json`, `/messenger.multipart.openapi.json`, and their
 * `.yaml` twins), and `/` (a small index). Every one of them names the origin the request reached as the local
 * reference server (../edge/request-origin.ts, origin-substitution.ts), not the spec's fixed
 * `http://127.0.0.1:8080`. The API docs are built on first use when they are neither shipped with the package nor
 * built by `npm start`'s prestart step, so `/docs` works however the server was started.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Context, Hono } from "hono";
import { compress } from "hono/compress";
import { whatsAppErrorCatalogue } from "@meta-media-openapi/client";
import { whatsAppErrorBody } from "../edge/whatsapp-envelope.ts";
import type { MessengerConfig } from "../attachments/config.ts";
import { bundlePath as defaultBundlePath } from "../../spec-model/openapi-document.ts";
import { bundleFileNames } from "../../spec-model/spec-bundles.ts";
import { apiDocsFiles, ensureApiDocs, resolveApiDocsDir, yamlTwinName } from "./api-docs-build.ts";
import { INDEX_PAGE_CSP, renderIndexPage } from "./index-page.ts";
import { OriginSubstitution, SPEC_LOCAL_ORIGIN } from "./origin-substitution.ts";
import { requestOrigin } from "../edge/request-origin.ts";

/** What the API docs routes need from the app: its configuration, and whether the admin password must change. */
export interface ApiDocsRouteDeps {
  config: { apiVersion: string; messenger: Pick<MessengerConfig, "pages" | "pageTokenHashes" | "generatedDevPage"> };
  /**
   * True while the built-in `admin` still has the default password and must change it at first login. The users
   * store answers it; when absent, `/` says it cannot tell.
   */
  adminPasswordChangeRequired?: () => boolean | Promise<boolean>;
}

/** Where the API docs routes read from; tests point them at temporary folders. */
export interface ApiDocsRouteOptions {
  /** Default: API_DOCS_DIR, the cache folder or the API docs shipped with the package (resolveApiDocsDir). */
  apiDocsDir?: string;
  bundlePath?: string;
}

/**
 * Redoc runs inline scripts and styles, and workers from blob: URLs; everything else must come from this server.
 * This also keeps the page from reaching Redocly's CDN for its attribution logo, icons or telemetry.
 */
export const API_DOCS_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const READ_ONLY = "GET, HEAD";

/** Serves `file` with the request's origin in it; 304 when the client has it already. */
async function documentResponse(
  c: Context,
  documents: OriginSubstitution,
  file: string,
  headers: Record<string, string>,
): Promise<Response> {
  const { body, etag } = await documents.document(file, requestOrigin(c));
  // The body depends on the origin: on the URL's host (part of any cache key) and on X-Forwarded-Proto.
  const common = {
    ETag: etag,
    "Cache-Control": "no-cache",
    Vary: "X-Forwarded-Proto",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  };
  // Compression turns the tag weak (W/"..."), so compare weakly, as RFC 9110 wants for If-None-Match.
  const tags = (c.req.header("if-none-match") ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (tags.includes(etag) || tags.includes("*")) return new Response(null, { status: 304, headers: common });
  return new Response(body as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: { ...common, "Content-Length": String(body.length) },
  });
}

/** The 405 of a read-only page of the server (GET and HEAD), in the WA envelope. */
export function readOnlyMethodNotAllowed(version: string): (c: Context) => Response {
  return (c) => {
    const details = `Method ${c.req.method} is not allowed on ${c.req.path}; allowed: ${READ_ONLY}`;
    return c.json(whatsAppErrorBody(whatsAppErrorCatalogue.methodNotAllowed, details, version), 405, {
      Allow: READ_ONLY,
    });
  };
}

function apiDocsUnavailable(c: Context, reason: string): Response {
  const html = `<!doctype html><meta charset="utf-8"><title>API docs not built</title>
<h1>The API docs are not built</h1>
<p>Run <code>npm run api-docs</code> (or <code>meta-media-openapi api-docs</code>) and reload; set
<code>API_DOCS_DIR</code> to a writable folder if the cache folder cannot be written. The bundle is at
<a href="/openapi.json">/openapi.json</a>.</p>
<pre>${reason.replace(/[&<>]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</pre>`;
  return c.html(html, 503, { "Retry-After": "10" });
}

/** Registers `/`, `/docs` and the bundles (JSON and YAML); other methods on them answer 405 with `Allow`. */
export function registerApiDocsRoutes(app: Hono, deps: ApiDocsRouteDeps, options: ApiDocsRouteOptions = {}): void {
  const bundlePath = options.bundlePath ?? defaultBundlePath;
  const version = deps.config.apiVersion;
  const documents = new OriginSubstitution();
  let ready: Promise<string> | undefined;
  /** Where the API docs were last found or built; an older build there still serves when a rebuild fails. */
  let lastApiDocsDir = options.apiDocsDir;

  /** Finds (or builds) the API docs once per process; a failed build is retried by the next request. */
  const apiDocsReady = (): Promise<string> => {
    ready ??= (async () => {
      const where = options.apiDocsDir ?? (await resolveApiDocsDir(process.env, bundlePath));
      const apiDocsDir = typeof where === "string" ? where : where.apiDocsDir;
      lastApiDocsDir = apiDocsDir;
      // The API docs shipped with the package are current (resolveApiDocsDir checked) and never written to.
      if (typeof where === "string" || where.source !== "shipped") await ensureApiDocs({ apiDocsDir, bundlePath });
      return apiDocsDir;
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };

  /** Serves a built file; when the build fails, an older build still serves, else 503. */
  const builtFile = async (c: Context, name: string, headers: Record<string, string>): Promise<Response> => {
    let apiDocsDir: string;
    try {
      apiDocsDir = await apiDocsReady();
    } catch (err) {
      try {
        if (lastApiDocsDir === undefined) throw err;
        return await documentResponse(c, documents, path.join(lastApiDocsDir, name), headers);
      } catch {
        return apiDocsUnavailable(c, (err as Error).message);
      }
    }
    return documentResponse(c, documents, path.join(apiDocsDir, name), headers);
  };

  const methodNotAllowed = readOnlyMethodNotAllowed(version);

  // The rendered page is large (Redoc is inlined) and compresses about tenfold.
  const compressed = compress();
  app.use("/docs", compressed);
  app.use("/docs/", compressed);
  for (const name of Object.values(bundleFileNames)) {
    app.use(`/${name}`, compressed);
    app.use(`/${yamlTwinName(name)}`, compressed);
  }

  for (const docsPath of ["/docs", "/docs/"]) {
    app.get(docsPath, (c) =>
      builtFile(c, apiDocsFiles.html, {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": API_DOCS_PAGE_CSP,
      }),
    );
    app.all(docsPath, methodNotAllowed);
  }

  const json = { "Content-Type": "application/json; charset=utf-8" };
  app.get("/openapi.json", (c) => documentResponse(c, documents, bundlePath, json));
  app.all("/openapi.json", methodNotAllowed);

  app.get("/openapi.yaml", (c) =>
    builtFile(c, apiDocsFiles.yaml, { "Content-Type": "application/yaml; charset=utf-8" }),
  );
  app.all("/openapi.yaml", methodNotAllowed);

  // The per-family bundles lie next to the combined one; their YAML twins are built with the API docs.
  for (const [scope, name] of Object.entries(bundleFileNames)) {
    if (scope === "all") continue;
    const file = path.join(path.dirname(bundlePath), name);
    app.get(`/${name}`, (c) => (existsSync(file) ? documentResponse(c, documents, file, json) : c.notFound()));
    app.all(`/${name}`, methodNotAllowed);
    const yaml = yamlTwinName(name);
    app.get(`/${yaml}`, (c) =>
      existsSync(file) ? builtFile(c, yaml, { "Content-Type": "application/yaml; charset=utf-8" }) : c.notFound(),
    );
    app.all(`/${yaml}`, methodNotAllowed);
  }

  let specInfo: Promise<{ title: string; version: string }> | undefined;
  app.get("/", async (c) => {
    specInfo ??= readFile(bundlePath, "utf8").then((text) => {
      const info = (JSON.parse(text) as { info: { title: string; version: string } }).info;
      return { title: info.title, version: info.version };
    });
    const info = await specInfo;
    const messenger = deps.config.messenger;
    const html = renderIndexPage(
      {
        title: info.title,
        specVersion: info.version,
        whatsAppApiVersion: version,
        adminPasswordChangeRequired: deps.adminPasswordChangeRequired
          ? await deps.adminPasswordChangeRequired()
          : undefined,
        pageIds: [...Object.keys(messenger.pages), ...Object.keys(messenger.pageTokenHashes ?? {})],
        generatedDevPage: messenger.generatedDevPage,
      },
      requestOrigin(c) ?? SPEC_LOCAL_ORIGIN,
    );
    return c.html(html, 200, {
      "Content-Security-Policy": INDEX_PAGE_CSP,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
  });
  app.all("/", methodNotAllowed);
}
