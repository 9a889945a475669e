/**
 * Where the docs are read from and built: DOCS_DIR, else a current build in the user's cache folder, else the docs
 * shipped with the package while they match its bundles, else the cache folder. The shipped folder is never written.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocs, docsCacheDir, ensureDocs, resolveDocsDir } from "../../../server/docs/docs-build.ts";
import { packageRoot } from "../../../spec-model/package-files.ts";
import { bundlePath } from "../../../spec-model/openapi-document.ts";

let tmp: string;
let shipped: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "docs-location-"));
  shipped = path.join(tmp, "shipped");
  await mkdir(shipped);
  await buildDocs({ docsDir: shipped, bundlePath });
  env = { XDG_CACHE_HOME: path.join(tmp, "cache") };
}, 90_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("the docs folder", () => {
  it("is DOCS_DIR when it is set", async () => {
    expect(await resolveDocsDir({ ...env, DOCS_DIR: "some/where" }, bundlePath, shipped)).toEqual({
      docsDir: path.resolve("some/where"),
      source: "DOCS_DIR",
    });
  });

  it("is a per-package folder under XDG_CACHE_HOME, else under ~/.cache", () => {
    const cache = docsCacheDir(env);
    expect(path.dirname(cache)).toBe(path.join(tmp, "cache", "meta-media-openapi"));
    expect(path.basename(cache)).toMatch(/^docs-[0-9a-f]{12}$/);
    expect(docsCacheDir({})).toBe(path.join(os.homedir(), ".cache", "meta-media-openapi", path.basename(cache)));
    // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
    expect(docsCacheDir({ XDG_CACHE_HOME: "relative" })).toBe(docsCacheDir({}));
    expect(cache.startsWith(packageRoot + path.sep)).toBe(false);
  });

  it("is the shipped docs while they match the bundles, whichever Redocly version rendered them", async () => {
    expect(await resolveDocsDir(env, bundlePath, shipped)).toEqual({ docsDir: shipped, source: "shipped" });
    const stampFile = path.join(shipped, "build-stamp.json");
    const stamp = JSON.parse(await readFile(stampFile, "utf8")) as { redocly: string };
    await writeFile(stampFile, JSON.stringify({ ...stamp, redocly: "0.0.1" }));
    expect((await resolveDocsDir(env, bundlePath, shipped)).source).toBe("shipped");
    await writeFile(stampFile, JSON.stringify(stamp));
  });

  it("is the cache folder when the shipped docs do not match the bundles (a changed spec, a checkout)", async () => {
    const changed = path.join(tmp, "changed");
    await mkdir(changed);
    const bundle = JSON.parse(await readFile(bundlePath, "utf8")) as { info: object };
    const other = { ...bundle, info: { ...bundle.info, version: "9.9.9" } };
    await writeFile(path.join(changed, "openapi.json"), JSON.stringify(other));
    expect(await resolveDocsDir(env, path.join(changed, "openapi.json"), shipped)).toEqual({
      docsDir: docsCacheDir(env),
      source: "cache",
    });
    expect(await resolveDocsDir(env, bundlePath, path.join(tmp, "no-shipped-docs"))).toEqual({
      docsDir: docsCacheDir(env),
      source: "cache",
    });
  });

  it("is the cache folder once it holds a current build, even with shipped docs beside it", async () => {
    await buildDocs({ docsDir: docsCacheDir(env), bundlePath });
    expect(await resolveDocsDir(env, bundlePath, shipped)).toEqual({ docsDir: docsCacheDir(env), source: "cache" });
    await rm(docsCacheDir(env), { recursive: true });
  }, 90_000);
});

describe("ensureDocs", () => {
  it("builds into the cache folder when nothing current exists, and finds it current afterwards", async () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = env.XDG_CACHE_HOME;
    try {
      const first = await ensureDocs({ bundlePath });
      // Shipped docs only exist in a packed package; a checkout has none, so the cache gets a build.
      expect(first).toMatchObject({ built: true, docsDir: docsCacheDir(env), source: "cache" });
      const again = await ensureDocs({ bundlePath });
      expect(again).toMatchObject({ built: false, docsDir: docsCacheDir(env), source: "cache" });
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  }, 90_000);
});
