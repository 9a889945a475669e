/**
 * Where this package's own files are, and the tools installed beside it: the package root (the repository, or the
 * installed package's folder, whose dist/ is laid out as a package root of its own) and the command-line entries of
 * the dependencies the tool runs (Redocly to render the API docs, Prism to mock and to proxy).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Root of the package (the repository, or `node_modules/meta-media-openapi` once installed). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Absolute path of a dependency's command-line entry, found from this package (works once installed, without a repo).
 */
export function packageBin(pkg: "@redocly/cli" | "@stoplight/prism-cli", bin: string): string {
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `${pkg} is not installed next to this package: install it (npm install ${pkg}) to use this command`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: string | Record<string, string> };
  const rel = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[bin];
  if (!rel) throw new Error(`${pkg} declares no "${bin}" command`);
  return path.join(path.dirname(manifestPath), rel);
}
