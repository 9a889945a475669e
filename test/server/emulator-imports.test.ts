/**
 * The in-process emulator loads no database module: from server/emulator.ts, the static imports (not the dynamic
 * `import()` that opens the configured storage in server/app.ts) reach neither better-sqlite3 nor pg, nor the
 * adapters built on them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
/** `import ... from "x"` and `export ... from "x"` at the start of a line; `import type` loads nothing at run time. */
const STATIC_IMPORT = /^(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+"([^"]+)";/gms;

function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(STATIC_IMPORT)].map((m) => m[1]!);
}

/** Every module reachable from `entry` by static imports: repository files by path, packages by name. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".ts")) continue;
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) queue.push(path.resolve(path.dirname(file), spec));
      else seen.add(spec);
    }
  }
  return seen;
}

describe("the emulator's imports", () => {
  it("reach no database module and no storage adapter but memory", () => {
    const modules = [...reachable(path.join(repo, "server/emulator.ts"))];
    expect(modules.filter((m) => /^(pg|pg-.*|better-sqlite3)$/.test(m))).toEqual([]);
    const adapters = modules.filter((m) => /server\/storage\/(sqlite|postgres)\//.test(m));
    expect(adapters.map((m) => path.relative(repo, m))).toEqual([]);
    // The walk does see the server: the app and the memory adapter are reached.
    expect(modules).toContain(path.join(repo, "server/app.ts"));
    expect(modules).toContain(path.join(repo, "server/storage/memory/memory-storage.ts"));
  });

  it("would notice a database module imported statically", () => {
    const app = path.join(repo, "server/app.ts");
    expect(staticImports(app)).not.toContain("./storage/postgres/postgres-storage.ts");
    expect(reachable(path.join(repo, "server/storage/postgres/postgres-storage.ts"))).toContain("pg");
    expect(reachable(path.join(repo, "server/storage/sqlite/sqlite-storage.ts"))).toContain("better-sqlite3");
  });
});
