/**
 * Login attempts per throttle key in this process's memory: the storage of the emulator and of a SQLite server (one
 * process, so the limits are its own). Bounded: past MAX_TRACKED_KEYS keys, those with nothing recent go first, then
 * the least recently failed.
 */
import type { LoginAttempt, LoginAttemptKey, LoginAttemptRecords } from "../records.ts";

interface Entry extends LoginAttempt {
  id: string;
}

interface KeyState {
  /** Oldest first. */
  entries: Entry[];
  keep: number;
}

/** Keys kept at most; past it, the store trims to 90 % of it in one pass (O(1) per new key on average). */
export const MAX_TRACKED_KEYS = 50_000;

/** The attempts of every key in Maps; the keys are fixed-size hashes, kept as 24-character strings. */
export class MemoryLoginAttemptRecords implements LoginAttemptRecords {
  /** In order of the latest failure (most recent last): the order of eviction. */
  private readonly keys = new Map<string, KeyState>();
  private readonly attempts = new Map<string, string[]>();
  /** The latest `since` asked about: attempts before it matter to nobody. */
  private horizon = Number.NEGATIVE_INFINITY;

  async list(keys: readonly LoginAttemptKey[], since: number): Promise<LoginAttempt[][]> {
    return keys.map(({ key }) => this.recent(key.toString("base64"), since));
  }

  async admit(
    attemptId: string,
    keys: readonly LoginAttemptKey[],
    since: number,
    now: number,
    decide: (attempts: LoginAttempt[][]) => number | undefined,
  ): Promise<number | undefined> {
    // From reading to recording nothing else runs in this process: no lock needed.
    const names = keys.map(({ key }) => key.toString("base64"));
    const refusal = decide(names.map((name) => this.recent(name, since)));
    if (refusal !== undefined) return refusal;
    names.forEach((name, i) => {
      let state = this.keys.get(name);
      if (!state) {
        state = { entries: [], keep: keys[i]!.keep };
        this.keys.set(name, state);
      }
      state.entries.push({ id: attemptId, at: now, pending: true });
    });
    this.attempts.set(attemptId, names);
    return undefined;
  }

  async settle(attemptId: string, failed: boolean, at: number): Promise<void> {
    const names = this.attempts.get(attemptId);
    if (!names) return;
    this.attempts.delete(attemptId);
    for (const name of names) {
      const state = this.keys.get(name);
      const entry = state?.entries.find((e) => e.id === attemptId);
      if (!state || !entry) continue;
      if (failed) {
        entry.pending = false;
        // Its id mattered only while it was pending: the shared empty string costs nothing per entry.
        entry.id = "";
        entry.at = at;
        state.entries.sort((a, b) => a.at - b.at);
        const failures = state.entries.filter((e) => !e.pending);
        const excess = failures.length - state.keep;
        if (excess > 0) {
          const dropped = new Set(failures.slice(0, excess));
          state.entries = state.entries.filter((e) => !dropped.has(e));
        }
        // Most recently failed last: the order in which keys are evicted.
        this.keys.delete(name);
        this.keys.set(name, state);
      } else {
        state.entries = state.entries.filter((e) => e !== entry);
        if (state.entries.length === 0) this.keys.delete(name);
      }
    }
    if (failed) this.evictIfFull();
  }

  async prune(before: number): Promise<void> {
    this.horizon = Math.max(this.horizon, before);
    for (const [name, state] of this.keys) this.dropBefore(name, state, before);
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.keys.size;
  }

  private recent(name: string, since: number): LoginAttempt[] {
    this.horizon = Math.max(this.horizon, since);
    const state = this.keys.get(name);
    if (!state) return [];
    return state.entries.filter((e) => e.at >= since).map(({ at, pending }) => ({ at, pending }));
  }

  private dropBefore(name: string, state: KeyState, before: number): void {
    if (state.entries.length > 0 && state.entries[0]!.at >= before) return;
    state.entries = state.entries.filter((e) => e.at >= before || (e.pending && this.attempts.has(e.id)));
    if (state.entries.length === 0) this.keys.delete(name);
  }

  private evictIfFull(): void {
    if (this.keys.size <= MAX_TRACKED_KEYS) return;
    const target = Math.floor(MAX_TRACKED_KEYS * 0.9);
    for (const [name, state] of this.keys) this.dropBefore(name, state, this.horizon);
    for (const [name, state] of this.keys) {
      if (this.keys.size <= target) break;
      if (!state.entries.some((e) => e.pending)) this.keys.delete(name);
    }
  }
}
