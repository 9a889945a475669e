/** The application settings: one document over `SettingsRecords`, changed only as a whole (all-or-nothing). */
import type { SettingsRecords } from "../storage/records.ts";
import type { StoredSettings } from "./settings-schema.ts";

/** A JSON object as parsed: what the records hold, and what merging works on. */
type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fills what `stored` lacks from `defaults` (settings added by a newer spec appear with their default). */
function withDefaults(defaults: JsonObject, stored: JsonObject): JsonObject {
  const out: JsonObject = { ...structuredClone(defaults) };
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
 * Settings persistence. Where this process is the only writer of its records (memory, SQLite), the current document
 * is kept in memory (frozen, replaced on every committed write) and read without a promise: reads are an admin's hot
 * path and need not re-parse and re-merge it. Where other instances write the same records (`cache: false`), every
 * read asks the records, so that a change acknowledged anywhere is what the next request sees.
 */
export class SettingsStore {
  private current?: StoredSettings;
  /** Bumped by every write: a read that started before one may hold the document it replaced, so is not kept. */
  private generation = 0;

  /** `defaults` come from the spec's ApplicationSettings schema (settingsSchemaFacts). */
  constructor(
    private readonly records: SettingsRecords,
    private readonly defaults: StoredSettings,
    private readonly opts: { cache: boolean } = { cache: true },
  ) {}

  /** The current settings, read-only (frozen): `update` hands its callback a copy to change. */
  get(): StoredSettings | Promise<StoredSettings> {
    if (this.current) return this.current;
    const generation = this.generation;
    return this.records.read().then((stored) => {
      const loaded = deepFreeze(this.merged(stored));
      if (this.opts.cache && generation === this.generation) this.current = loaded;
      return loaded;
    });
  }

  private merged(stored: unknown): StoredSettings {
    const defaults: JsonObject = this.defaults;
    // The records hold only documents that passed the ApplicationSettings schema when written (handlers.ts), and the
    // defaults fill what a document written under an older spec lacks.
    return (isObject(stored) ? withDefaults(defaults, stored) : structuredClone(defaults)) as StoredSettings;
  }

  /**
   * Applies `change` to a copy of the current settings and writes the result, in one transaction of the records:
   * concurrent updates (on any instance) apply one after the other. `change` returns the new document or throws,
   * and then nothing is written.
   */
  async update(
    change: (current: StoredSettings) => StoredSettings,
  ): Promise<{ before: StoredSettings; after: StoredSettings }> {
    let before: StoredSettings | undefined;
    let after: StoredSettings | undefined;
    // The cached document is dropped first: should the write fail midway, the next read asks the records.
    this.current = undefined;
    const generation = ++this.generation;
    await this.records.update((stored) => {
      before = deepFreeze(this.merged(stored));
      after = change(structuredClone(before));
      return after;
    });
    const committed = deepFreeze(structuredClone(after!));
    if (this.opts.cache && generation === this.generation) this.current = committed;
    return { before: before!, after: committed };
  }

  async reset(): Promise<void> {
    this.current = undefined;
    this.generation++;
    await this.records.clear();
  }
}
