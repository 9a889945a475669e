/**
 * Throttling of failed logins (`spec/paths/v1_users_login.yaml`, its 429): failures are counted per client address
 * and per user name in a sliding window; past a limit, `POST /v1/users/login` answers 429 (1015) with `Retry-After`
 * before any password is hashed.
 * A login admitted and not finished counts as a failure until its outcome is known. The server admits an attempt
 * when its password hashing gets its turn (one at a time per process), so only the attempts being hashed are in
 * flight: a burst of wrong logins is held to the limit, and right logins waiting together are not refused for being
 * many. The counts live in the storage's LoginAttemptRecords: this process's memory on one server, the database
 * when several instances share one (then they share the limits too).
 *
 * A user name past its limit does not lock its owner out: attempts for it are refused only from addresses that
 * failed a login within the window. An address without failures is heard once (one hashing; if wrong, it has failed
 * and is refused too), so an attacker who spends the per-user limit from some addresses cannot keep the right
 * password out from another, while each further address earns at most one guess per window.
 */
import { createHash, randomUUID } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { Clock } from "../clock.ts";
import type { LoginAttempt, LoginAttemptKey, LoginAttemptRecords } from "../storage/records.ts";

/** The limits: WA_LOGIN_MAX_FAILURES_PER_ADDRESS, WA_LOGIN_MAX_FAILURES_PER_USER, WA_LOGIN_FAILURE_WINDOW_SECONDS. */
export interface LoginThrottleLimits {
  maxFailuresPerAddress: number;
  maxFailuresPerUser: number;
  windowSeconds: number;
}

/** Either the login may go ahead (call `finish` with its outcome), or the client waits `retryAfterSeconds`. */
export type LoginAdmission =
  | { admitted: true; finish(succeeded: boolean): Promise<void> }
  | { admitted: false; retryAfterSeconds: number };

/** An attempt still pending after this long belongs to an instance that died mid-login: it counts as a failure. */
const PENDING_STALE_MS = 60_000;
/** How often (in clock time) attempts that left the window are removed from the records. */
const PRUNE_INTERVAL_MS = 60_000;
/** How far ahead of this instance's clock an attempt may be without being taken for a clock set back. */
const CLOCK_TOLERANCE_MS = 60_000;
/** What a refusal due to attempts in flight asks the client to wait: they end within a hashing time or so. */
const IN_FLIGHT_WAIT_MS = 1000;

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

/**
 * The throttle key of a text: 16 bytes of its sha256. Fixed-size and a copy, so that a key never keeps alive the
 * header it came from (a user name sliced out of a decoded 12 KiB header would keep all of it).
 */
export function throttleKey(kind: "address" | "user", text: string): Buffer {
  return createHash("sha256").update(`${kind}\0${text}`, "utf8").digest().subarray(0, 16);
}

/** Failed-login counts per client address and per user name; one instance per server. */
export class LoginThrottle {
  private readonly windowMs: number;
  private lastPrune: number;

  constructor(
    private readonly limits: LoginThrottleLimits,
    private readonly clock: Clock,
    private readonly records: LoginAttemptRecords,
  ) {
    this.windowMs = limits.windowSeconds * 1000;
    this.lastPrune = clock.now().getTime();
  }

  /** Seconds an attempt of `username` from `address` must wait now, or undefined; counts nothing. */
  async retryAfter(address: string, username: string): Promise<number | undefined> {
    const now = this.clock.now().getTime();
    const keys = this.keysOf(address, username);
    return this.seconds(this.judge(await this.records.list(keys, now - this.windowMs), now));
  }

  /**
   * Admits a login attempt of `username` from `address` (it counts as in flight until `finish`), or says how long to
   * wait (nothing is hashed then). The server calls it when the attempt's hashing gets its turn.
   */
  async admit(address: string, username: string): Promise<LoginAdmission> {
    const now = this.clock.now().getTime();
    this.pruneNowAndThen(now);
    const attemptId = randomUUID();
    const keys = this.keysOf(address, username);
    const refusal = await this.records.admit(attemptId, keys, now - this.windowMs, now, (attempts) => {
      const waitMs = this.judge(attempts, now);
      return waitMs > 0 ? waitMs : undefined;
    });
    const retryAfterSeconds = this.seconds(refusal ?? 0);
    if (retryAfterSeconds !== undefined) return { admitted: false, retryAfterSeconds };
    let finished = false;
    return {
      admitted: true,
      finish: async (succeeded) => {
        if (finished) return;
        finished = true;
        await this.records.settle(attemptId, !succeeded, this.clock.now().getTime());
      },
    };
  }

  private keysOf(address: string, username: string): LoginAttemptKey[] {
    return [
      { key: throttleKey("address", addressKey(address)), keep: this.limits.maxFailuresPerAddress },
      { key: throttleKey("user", username), keep: this.limits.maxFailuresPerUser },
    ];
  }

  private seconds(waitMs: number): number | undefined {
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : undefined;
  }

  /** Milliseconds an attempt with these attempts of its address and user name must wait (0: none). */
  private judge([byAddress, byUser]: LoginAttempt[][], now: number): number {
    // Attempts "from the future" mean the clock was set back: they would otherwise block for as long as it jumped.
    // A little ahead is normal: another instance's clock, or an attempt that failed while this one waited its turn.
    const present = (a: LoginAttempt) => a.at <= now + CLOCK_TOLERANCE_MS;
    const address = byAddress!.filter(present);
    const user = byUser!.filter(present);
    const addressWait = this.waitMs(address, this.limits.maxFailuresPerAddress, now);
    let userWait = this.waitMs(user, this.limits.maxFailuresPerUser, now);
    // Past the user's limit, an address that has not failed in the window is still heard (see the top of the file);
    // one that has waits until its own failures leave the window, or the user's do, whichever comes first.
    if (userWait > 0) userWait = address.length === 0 ? 0 : Math.min(userWait, this.untilClean(address, now));
    return Math.max(addressWait, userWait);
  }

  /** Milliseconds until an attempt under a key with these attempts fits its limit again (0: now). */
  private waitMs(attempts: LoginAttempt[], max: number, now: number): number {
    const inFlight = attempts.filter((a) => this.inFlight(a, now)).length;
    const failures = attempts.filter((a) => !this.inFlight(a, now));
    const excess = failures.length + inFlight - max + 1;
    if (excess <= 0) return 0;
    // In-flight attempts alone fill the limit: they end within a hashing time or so.
    if (excess > failures.length) return IN_FLIGHT_WAIT_MS;
    return failures[excess - 1]!.at + this.windowMs - now;
  }

  /** Milliseconds until none of these attempts is in the window any more. */
  private untilClean(attempts: LoginAttempt[], now: number): number {
    return Math.max(
      0,
      ...attempts.map((a) => (this.inFlight(a, now) ? IN_FLIGHT_WAIT_MS : a.at + this.windowMs - now)),
    );
  }

  private inFlight(attempt: LoginAttempt, now: number): boolean {
    return attempt.pending && attempt.at > now - PENDING_STALE_MS;
  }

  /** Attempts that left the window are dropped now and then, in the background (a failure only delays it). */
  private pruneNowAndThen(now: number): void {
    if (now - this.lastPrune < PRUNE_INTERVAL_MS && now >= this.lastPrune) return;
    this.lastPrune = now;
    this.records.prune(now - this.windowMs).catch((err: unknown) => {
      console.warn("Removing old login attempts failed (retried later):", err);
    });
  }
}
