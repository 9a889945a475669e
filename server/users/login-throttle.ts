/**
 * Throttling of failed logins (FACTS §2): failures are counted per client address and per user name in a sliding
 * window; past a limit, `POST /v1/users/login` answers 429 (1015) with `Retry-After` before any password is hashed.
 * A login admitted and not finished counts as a failure until its outcome is known. The server admits an attempt
 * when its password hashing gets its turn (one at a time), so only the attempt being hashed is in flight: a burst
 * of wrong logins is held to the limit, and right logins waiting together are not refused for being many.
 */
import ipaddr from "ipaddr.js";
import type { Clock } from "../clock.ts";

/** The limits: LOGIN_MAX_FAILURES_PER_ADDRESS, LOGIN_MAX_FAILURES_PER_USER, LOGIN_FAILURE_WINDOW_SECONDS. */
export interface LoginThrottleLimits {
  maxFailuresPerAddress: number;
  maxFailuresPerUser: number;
  windowSeconds: number;
}

/** Either the login may go ahead (call `finish` with its outcome), or the client waits `retryAfterSeconds`. */
export type LoginAdmission =
  | { admitted: true; finish(succeeded: boolean): void }
  | { admitted: false; retryAfterSeconds: number };

interface KeyState {
  /** Times (clock ms) of the failures still in the window, oldest first; at most the key's limit of them. */
  failures: number[];
  /** Attempts admitted and not finished. */
  inFlight: number;
}

/** Keys kept at most; past it, keys with nothing in the window go first, then the least recently failed. */
const MAX_TRACKED_KEYS = 50_000;
/** Basic credentials may carry any user name; no real one is longer (UserName: 64), so longer ones share a prefix. */
const USERNAME_KEY_CHARS = 128;

/**
 * The key of a client address: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4 form), IPv6 by its /64, since one
 * host commonly holds a whole /64. Anything else (for example the fallback of in-process requests) as given.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return `${v6.parts
      .slice(0, 4)
      .map((part) => part.toString(16))
      .join(":")}::/64`;
  }
  return parsed.toString();
}

/** Failed-login counts per client address and per user name; one instance per server. */
export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();
  private readonly windowMs: number;

  constructor(
    private readonly limits: LoginThrottleLimits,
    private readonly clock: Clock,
  ) {
    this.windowMs = limits.windowSeconds * 1000;
  }

  /** Seconds an attempt of `username` from `address` must wait now, or undefined; counts nothing. */
  retryAfter(address: string, username: string): number | undefined {
    const now = this.clock.now().getTime();
    let waitMs = 0;
    for (const [key, max] of this.keysOf(address, username)) {
      const state = this.keys.get(key);
      if (state) waitMs = Math.max(waitMs, this.waitMs(state, max, now));
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : undefined;
  }

  /**
   * Admits a login attempt of `username` from `address` (it counts as in flight until `finish`), or says how long to
   * wait (nothing is hashed then). The server calls it when the attempt's hashing gets its turn.
   */
  admit(address: string, username: string): LoginAdmission {
    const retryAfterSeconds = this.retryAfter(address, username);
    if (retryAfterSeconds !== undefined) return { admitted: false, retryAfterSeconds };
    const keys = this.keysOf(address, username);
    const states = keys.map(([key, max]) => [key, this.state(key), max] as const);
    for (const [, state] of states) state.inFlight++;
    let finished = false;
    return {
      admitted: true,
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        const at = this.clock.now().getTime();
        for (const [key, state, max] of states) {
          state.inFlight--;
          if (!succeeded) {
            state.failures.push(at);
            if (state.failures.length > max) state.failures.splice(0, state.failures.length - max);
            // Most recently failed last: the order in which keys are evicted.
            this.keys.delete(key);
            this.keys.set(key, state);
          } else if (state.inFlight === 0 && state.failures.length === 0) {
            this.keys.delete(key);
          }
        }
        this.evictIfFull(at);
      },
    };
  }

  private keysOf(address: string, username: string): Array<[string, number]> {
    return [
      [`address ${addressKey(address)}`, this.limits.maxFailuresPerAddress],
      [`user ${username.slice(0, USERNAME_KEY_CHARS)}`, this.limits.maxFailuresPerUser],
    ];
  }

  /** Milliseconds until an attempt under this key fits its limit again (0: now). */
  private waitMs(state: KeyState, max: number, now: number): number {
    this.dropExpired(state, now);
    const excess = state.failures.length + state.inFlight - max + 1;
    if (excess <= 0) return 0;
    // In-flight attempts alone fill the limit: they end within a hashing time or so.
    if (excess > state.failures.length) return 1000;
    return state.failures[excess - 1]! + this.windowMs - now;
  }

  private dropExpired(state: KeyState, now: number): void {
    let expired = 0;
    while (expired < state.failures.length && state.failures[expired]! <= now - this.windowMs) expired++;
    if (expired > 0) state.failures.splice(0, expired);
    // Failures "from the future" mean the clock was set back: they would otherwise block for as long as it jumped.
    while (state.failures.length > 0 && state.failures[state.failures.length - 1]! > now) state.failures.pop();
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { failures: [], inFlight: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  /** Past MAX_TRACKED_KEYS, trims to 90 % of it in one pass, so that a flood of new keys costs O(1) each on average. */
  private evictIfFull(now: number): void {
    if (this.keys.size <= MAX_TRACKED_KEYS) return;
    const target = Math.floor(MAX_TRACKED_KEYS * 0.9);
    for (const [key, state] of this.keys) {
      this.dropExpired(state, now);
      if (state.failures.length === 0 && state.inFlight === 0) this.keys.delete(key);
    }
    for (const [key, state] of this.keys) {
      if (this.keys.size <= target) break;
      if (state.inFlight === 0) this.keys.delete(key);
    }
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.keys.size;
  }
}
