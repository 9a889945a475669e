/** The application settings: one document over `SettingsRecords`, changed only as a whole (all-or-nothing). */
import type { SettingsRecords } from "../storage/records.ts";
import type { StoredSettings } from "./settings-schema.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fills what `stored` lacks from `defaults` (settings added by a newer spec appear with their default). */
function withDefaults(defaults: Record<string, Json>, stored: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...structuredClone(defaults) };
  for (const [key, value] of Object.entries(stored)) {
    const fallback = defaults[key];
    out[key] = isObject(value) && isObject(fallback) ? withDefaults(fallback, value) : value;
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
 * Settings persistence. This process is the only writer of its records, so the current document is kept in memory
 * (frozen, replaced on every committed write): reads are an admin's hot path and need not re-parse and re-merge it.
 */
export class SettingsStore {
  private current?: StoredSettings;

  /** `defaults` come from the spec's ApplicationSettings schema (settingsSchemaFacts). */
  constructor(
    private readonly records: SettingsRecords,
    private readonly defaults: StoredSettings,
  ) {}

  /** The current settings, read-only (frozen): `update` hands its callback a copy to change. */
  get(): StoredSettings {
    this.current ??= deepFreeze(this.load());
    return this.current;
  }

  private load(): StoredSettings {
    const defaults = this.defaults as unknown as Record<string, Json>;
    const stored = this.records.read();
    return (isObject(stored) ? withDefaults(defaults, stored) : structuredClone(defaults)) as unknown as StoredSettings;
  }

  /**
   * Applies `change` to a copy of the current settings and writes the result as one record; `change` returns the
   * new document or throws, and then nothing is written.
   */
  update(change: (current: StoredSettings) => StoredSettings): { before: StoredSettings; after: StoredSettings } {
    const before = this.get();
    const after = change(structuredClone(before));
    this.records.write(after);
    // Only a committed write replaces the document in memory; a throwing `change` or write leaves it as it was.
    this.current = deepFreeze(structuredClone(after));
    return { before, after };
  }

  reset(): void {
    this.records.clear();
    this.current = undefined;
  }
}
