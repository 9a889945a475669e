/**
 * Renders the API reference from the bundle: `index.html` (Redocly build-docs, Redoc inlined so the page needs no CDN)
 * and `openapi.yaml` (the same bundle as YAML), with a YAML twin of each per-family bundle beside it, stamped with what
 * they were built from so a rebuild happens only when a bundle or the renderer changed.
 *
 * Where they live: the package ships them prebuilt (`npm pack` renders them into `api-docs/`), and nothing here ever
 * writes inside the package's own folder, so a read-only install works. A git checkout, or an install whose shipped
 * API docs do not match its bundles, builds them into a cache folder of the user's instead (see resolveApiDocsDir).
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bundlePath as defaultBundlePath } from "../../spec-model/openapi-document.ts";
import { packageBin, packageRoot } from "../../spec-model/package-files.ts";
import { bundleFileNames } from "../../spec-model/spec-bundles.ts";
import { environmentValue } from "../environment.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The API docs rendered when the package was packed (`scripts/build.ts`); read-only, never written at run time. */
export const shippedApiDocsDir = path.join(packageRoot, "api-docs");

/** The files an API docs build produces. */
export const apiDocsFiles = { html: "index.html", yaml: "openapi.yaml", stamp: "build-stamp.json" } as const;

/** Bump when the way the API docs are produced changes, so existing builds count as stale. */
const BUILDER_VERSION = 2;

/** The YAML name of a JSON bundle file name (`whatsapp.openapi.json` -> `whatsapp.openapi.yaml`). */
export function yamlTwinName(jsonName: string): string {
  return jsonName.replace(/\.json$/, ".yaml");
}

/**
 * The per-family bundles (and the Messenger variant) that lie next to the combined bundle, as JSON path and YAML twin
 * name. Only the ones present count: a test may point the docs at a lone bundle.
 */
function variantBundles(bundlePath: string): Array<{ json: string; yaml: string }> {
  return Object.entries(bundleFileNames)
    .filter(([scope]) => scope !== "all")
    .map(([, name]) => ({ json: path.join(path.dirname(bundlePath), name), yaml: yamlTwinName(name) }))
    .filter((variant) => existsSync(variant.json));
}

/**
 * The cache folder for API docs built at run time: `$XDG_CACHE_HOME/meta-media-openapi` (else `~/.cache/...`), one
 * subfolder per package folder, so two checkouts or installs with different specs never overwrite each other's build.
 */
export function apiDocsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".cache");
  const id = createHash("sha256").update(packageRoot).digest("hex").slice(0, 12);
  return path.join(base, "meta-media-openapi", `api-docs-${id}`);
}

/** Where the API docs are read from, and whether they may be (re)built there. */
export interface ResolvedApiDocsDir {
  apiDocsDir: string;
  /**
   * Why this folder: the variable that named it (API_DOCS_DIR, or its older name DOCS_DIR), the cache folder, or the
   * API docs shipped with the package (never written to).
   */
  source: "API_DOCS_DIR" | "DOCS_DIR" | "cache" | "shipped";
}

/**
 * The API docs folder for this process: API_DOCS_DIR (or DOCS_DIR) when set; else the cache folder when it holds a
 * current build; else the API docs shipped with the package when they match its bundles (whichever Redocly version
 * is installed: they were rendered from the same bundles); else the cache folder, to be built.
 */
export async function resolveApiDocsDir(
  env: NodeJS.ProcessEnv = process.env,
  bundlePath: string = defaultBundlePath,
  shipped: string = shippedApiDocsDir,
): Promise<ResolvedApiDocsDir> {
  const fromEnv = environmentValue(env, "API_DOCS_DIR");
  if (fromEnv)
    return {
      apiDocsDir: path.resolve(fromEnv.value),
      source: fromEnv.name === "DOCS_DIR" ? "DOCS_DIR" : "API_DOCS_DIR",
    };
  const cache = apiDocsCacheDir(env);
  if ((await apiDocsStaleReason({ apiDocsDir: cache, bundlePath })) === undefined)
    return { apiDocsDir: cache, source: "cache" };
  if ((await apiDocsStaleReason({ apiDocsDir: shipped, bundlePath, anyRenderer: true })) === undefined) {
    return { apiDocsDir: shipped, source: "shipped" };
  }
  return { apiDocsDir: cache, source: "cache" };
}

/**
 * The installed Redocly CLI's version; null where it is not installed (API docs shipped prebuilt, nothing to rebuild
 * with).
 */
function redoclyVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve("@redocly/cli/package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return null;
  }
}

/** Environment for Redocly: no telemetry, no update check (the machines reach no internet). */
const redoclyEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_UPDATE_NOTIFIER: "1",
});

/** What a build was made from. */
export interface ApiDocsStamp {
  builder: number;
  bundleSha256: string;
  /** The per-family bundles found next to it, by file name. */
  variantsSha256: Record<string, string | null>;
  /** redocly.yaml carries Redoc's rendering options. */
  configSha256: string | null;
  redocly: string | null;
}

async function sha256Of(file: string): Promise<string | null> {
  if (!existsSync(file)) return null;
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

async function expectedStamp(bundlePath: string): Promise<ApiDocsStamp> {
  const bundleSha256 = await sha256Of(bundlePath);
  if (bundleSha256 === null) throw new Error(`the bundle ${bundlePath} is missing: run \`npm run generate\``);
  const configSha256 = await sha256Of(path.join(packageRoot, "redocly.yaml"));
  const variantsSha256: Record<string, string | null> = {};
  for (const variant of variantBundles(bundlePath))
    variantsSha256[path.basename(variant.json)] = await sha256Of(variant.json);
  return { builder: BUILDER_VERSION, bundleSha256, variantsSha256, configSha256, redocly: redoclyVersion() };
}

export interface ApiDocsLocation {
  /** Folder holding index.html, openapi.yaml (and the YAML twins of the per-family bundles) and the stamp. */
  apiDocsDir: string;
  /** The bundle to render (generated/openapi.json by default). */
  bundlePath?: string;
}

/**
 * Why the API docs need a build, or undefined when they are up to date with the bundle and the renderer (with
 * `anyRenderer`, with the bundle whichever Redocly version rendered them).
 */
export async function apiDocsStaleReason(
  loc: ApiDocsLocation & { anyRenderer?: boolean },
): Promise<string | undefined> {
  const apiDocsDir = loc.apiDocsDir;
  const bundlePath = loc.bundlePath ?? defaultBundlePath;
  const twins = variantBundles(bundlePath).map((variant) => variant.yaml);
  for (const name of [apiDocsFiles.html, apiDocsFiles.yaml, ...twins, apiDocsFiles.stamp]) {
    if (!existsSync(path.join(apiDocsDir, name))) return `${name} is missing`;
  }
  let built: ApiDocsStamp;
  try {
    built = JSON.parse(await readFile(path.join(apiDocsDir, apiDocsFiles.stamp), "utf8")) as ApiDocsStamp;
  } catch {
    return "the build stamp is unreadable";
  }
  const wanted = await expectedStamp(bundlePath);
  if (built.bundleSha256 !== wanted.bundleSha256) return "the bundle changed since the last build";
  if (built.builder !== wanted.builder) return "the API docs build changed";
  for (const [name, sha] of Object.entries(wanted.variantsSha256)) {
    if (built.variantsSha256?.[name] !== sha) return `${name} changed since the last build`;
  }
  if (built.configSha256 !== wanted.configSha256) return "redocly.yaml changed since the last build";
  if (!loc.anyRenderer && wanted.redocly !== null && built.redocly !== wanted.redocly) return "Redocly CLI was updated";
  return undefined;
}

/**
 * Builds index.html, openapi.yaml and the YAML twins into the API docs folder. Each file is written under a temporary
 * name and renamed into place, so a server reading the folder never sees half a file, and two builds at once both end
 * complete.
 */
export async function buildApiDocs(loc: ApiDocsLocation): Promise<{ apiDocsDir: string; stamp: ApiDocsStamp }> {
  const apiDocsDir = loc.apiDocsDir;
  const bundlePath = loc.bundlePath ?? defaultBundlePath;
  const stamp = await expectedStamp(bundlePath);
  const work = path.join(apiDocsDir, `.build-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(work, { recursive: true });
  try {
    const redocly = packageBin("@redocly/cli", "redocly");
    const opts = { cwd: packageRoot, env: redoclyEnv(), maxBuffer: 16 * 1024 * 1024 };
    const title = (JSON.parse(await readFile(bundlePath, "utf8")) as { info?: { title?: string } }).info?.title;
    // --inlineBundle puts Redoc itself into the page: without it the page imports Redoc from Redocly's CDN.
    await run(
      process.execPath,
      [
        redocly,
        "build-docs",
        bundlePath,
        "--output",
        path.join(work, apiDocsFiles.html),
        "--inlineBundle",
        ...(title ? ["--title", title] : []),
      ],
      opts,
    );
    const yamlTwins = [{ json: bundlePath, yaml: apiDocsFiles.yaml }, ...variantBundles(bundlePath)];
    for (const twin of yamlTwins) {
      await run(
        process.execPath,
        [redocly, "bundle", twin.json, "--ext", "yaml", "--output", path.join(work, twin.yaml)],
        opts,
      );
    }
    await writeFile(path.join(work, apiDocsFiles.stamp), `${JSON.stringify(stamp, null, 2)}\n`);
    // The stamp goes last: it claims the other files are complete.
    for (const name of [apiDocsFiles.html, ...yamlTwins.map((twin) => twin.yaml), apiDocsFiles.stamp]) {
      await rename(path.join(work, name), path.join(apiDocsDir, name));
    }
    return { apiDocsDir, stamp };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`building the API docs failed: ${e.stderr?.trim() || e.message}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds the API docs when they are missing or stale; returns what was done and where they are. */
export async function ensureApiDocs(
  loc: Partial<ApiDocsLocation> = {},
): Promise<{ built: boolean; reason?: string; apiDocsDir: string; source: ResolvedApiDocsDir["source"] | "given" }> {
  const where = loc.apiDocsDir
    ? { apiDocsDir: loc.apiDocsDir, source: "given" as const }
    : await resolveApiDocsDir(process.env, loc.bundlePath);
  if (where.source === "shipped") return { built: false, ...where };
  const reason = await apiDocsStaleReason({ ...loc, apiDocsDir: where.apiDocsDir });
  if (reason === undefined) return { built: false, ...where };
  await buildApiDocs({ ...loc, apiDocsDir: where.apiDocsDir });
  return { built: true, reason, ...where };
}
