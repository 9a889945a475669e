/**
 * Where the docs are read from and built: DOCS_DIR, else a current build in the user's cache folder, else the docs
 * shipped with the package while they match its bundles, else the cache folder. The shipped folder is never written.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildApiDocs,
  apiDocsCacheDir,
  ensureApiDocs,
  resolveApiDocsDir,
} from "../../../server/api-docs/api-docs-build.ts";
import { packageRoot } from "../../../spec-model/package-files.ts";
import { bundlePath } from "../../../spec-model/openapi-document.ts";

let tmp: string;
let shipped: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "docs-location-"));
  shipped = path.join(tmp, "shipped");
  await mkdir(shipped);
  await buildApiDocs({ apiDocsDir: shipped, bundlePath });
  env = { XDG_CACHE_HOME: path.join(tmp, "cache") };
}, 90_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("the API docs folder", () => {
  it("is API_DOCS_DIR when it is set, else DOCS_DIR (its former name)", async () => {
    expect(await resolveApiDocsDir({ ...env, API_DOCS_DIR: "some/where" }, bundlePath, shipped)).toEqual({
      apiDocsDir: path.resolve("some/where"),
      source: "API_DOCS_DIR",
    });
    expect(await resolveApiDocsDir({ ...env, DOCS_DIR: "else/where" }, bundlePath, shipped)).toEqual({
      apiDocsDir: path.resolve("else/where"),
      source: "DOCS_DIR",
    });
    const both = { ...env, API_DOCS_DIR: "some/where", DOCS_DIR: "else/where" };
    expect((await resolveApiDocsDir(both, bundlePath, shipped)).apiDocsDir).toBe(path.resolve("some/where"));
  });

  it("is a per-package folder under XDG_CACHE_HOME, else under ~/.cache", () => {
    const cache = apiDocsCacheDir(env);
    expect(path.dirname(cache)).toBe(path.join(tmp, "cache", "meta-media-openapi"));
    expect(path.basename(cache)).toMatch(/^api-docs-[0-9a-f]{12}$/);
    expect(apiDocsCacheDir({})).toBe(path.join(os.homedir(), ".cache", "meta-media-openapi", path.basename(cache)));
    // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
    expect(apiDocsCacheDir({ XDG_CACHE_HOME: "relative" })).toBe(apiDocsCacheDir({}));
    expect(cache.startsWith(packageRoot + path.sep)).toBe(false);
  });

  it("is the shipped docs while they match the bundles, whichever Redocly version rendered them", async () => {
    expect(await resolveApiDocsDir(env, bundlePath, shipped)).toEqual({ apiDocsDir: shipped, source: "shipped" });
    const stampFile = path.join(shipped, "build-stamp.json");
    const stamp = JSON.parse(await readFile(stampFile, "utf8")) as { redocly: string };
    await writeFile(stampFile, JSON.stringify({ ...stamp, redocly: "0.0.1" }));
    expect((await resolveApiDocsDir(env, bundlePath, shipped)).source).toBe("shipped");
    await writeFile(stampFile, JSON.stringify(stamp));
  });

  it("is the cache folder when the shipped docs do not match the bundles (a changed spec, a checkout)", async () => {
    const changed = path.join(tmp, "changed");
    await mkdir(changed);
    const bundle = JSON.parse(await readFile(bundlePath, "utf8")) as { info: object };
    const other = { ...bundle, info: { ...bundle.info, version: "9.9.9" } };
    await writeFile(path.join(changed, "openapi.json"), JSON.stringify(other));
    expect(await resolveApiDocsDir(env, path.join(changed, "openapi.json"), shipped)).toEqual({
      apiDocsDir: apiDocsCacheDir(env),
      source: "cache",
    });
    expect(await resolveApiDocsDir(env, bundlePath, path.join(tmp, "no-shipped-docs"))).toEqual({
      apiDocsDir: apiDocsCacheDir(env),
      source: "cache",
    });
  });

  it("is the cache folder once it holds a current build, even with shipped docs beside it", async () => {
    await buildApiDocs({ apiDocsDir: apiDocsCacheDir(env), bundlePath });
    expect(await resolveApiDocsDir(env, bundlePath, shipped)).toEqual({
      apiDocsDir: apiDocsCacheDir(env),
      source: "cache",
    });
    await rm(apiDocsCacheDir(env), { recursive: true });
  }, 90_000);
});

describe("ensureApiDocs", () => {
  it("builds into the cache folder when nothing current exists, and finds it current afterwards", async () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = env.XDG_CACHE_HOME;
    try {
      const first = await ensureApiDocs({ bundlePath });
      // Shipped docs only exist in a packed package; a checkout has none, so the cache gets a build.
      expect(first).toMatchObject({ built: true, apiDocsDir: apiDocsCacheDir(env), source: "cache" });
      const again = await ensureApiDocs({ bundlePath });
      expect(again).toMatchObject({ built: false, apiDocsDir: apiDocsCacheDir(env), source: "cache" });
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  }, 90_000);
});
