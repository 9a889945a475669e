/** The application settings, one JSON document in SQLite, changed only as a whole (all-or-nothing). */
import type Database from "better-sqlite3";
import { settingsSchemaFacts, type StoredSettings } from "./settings-schema.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fills what `stored` lacks from `defaults` (settings added by a newer spec appear with their default). */
function withDefaults(defaults: Record<string, Json>, stored: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...structuredClone(defaults) };
  for (const [key, value] of Object.entries(stored)) {
    out[key] = isObject(value) && isObject(defaults[key]) ? withDefaults(defaults[key] as Record<string, Json>, value) : value;
  }
  return out;
}

/** Leaf paths whose value differs between two settings documents. */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((k) => changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Settings persistence. This process is the only writer of its database, so the current document is kept in memory
 * (frozen, replaced on every committed write): reads are an admin's hot path and need not re-parse and re-merge it.
 */
export class SettingsStore {
  private current?: StoredSettings;
  constructor(private readonly db: Database.Database) {
    db.exec("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** The current settings, read-only (frozen): `update` hands its callback a copy to change. */
  get(): StoredSettings {
    this.current ??= deepFreeze(this.load());
    return this.current;
  }

  private load(): StoredSettings {
    const defaults = settingsSchemaFacts().defaults as unknown as Record<string, Json>;
    const row = this.db.prepare("SELECT value FROM settings WHERE name = 'application'").get() as { value: string } | undefined;
    return (row ? withDefaults(defaults, JSON.parse(row.value) as Record<string, Json>) : structuredClone(defaults)) as unknown as StoredSettings;
  }

  /** Applies `change` to the current settings in one transaction; `change` returns the new document. */
  update(change: (current: StoredSettings) => StoredSettings): { before: StoredSettings; after: StoredSettings } {
    const result = this.db.transaction(() => {
      const before = this.get();
      const after = change(structuredClone(before));
      this.db
        .prepare("INSERT INTO settings (name, value) VALUES ('application', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        .run(JSON.stringify(after));
      return { before, after };
    })();
    // Only a committed write replaces the document in memory; a throwing `change` leaves it as it was.
    this.current = deepFreeze(structuredClone(result.after));
    return result;
  }

  reset(): void {
    this.db.prepare("DELETE FROM settings WHERE name = 'application'").run();
    this.current = undefined;
  }
}
