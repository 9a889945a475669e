/**
 * The failed-login budget of a run: a hard limit the suite holds itself to, whatever the target answers, so that a
 * run never trips a deployment's login throttle or locks out an account (a target answering 401 to every login would
 * otherwise be asked again and again). A login may go out only while the failures so far, plus the logins still
 * waiting for their reply, stay under the limits (in all, and for its user name); past them it is not sent and its
 * check is skipped, saying so. A failed login is any reply a login throttle might count (anything but a success or
 * a refusal of the body), or no reply at all.
 */
import { CheckSkipped } from "./run-report.ts";

/** The limits: in all, and per user name. */
export interface LoginBudgetLimits {
  total: number;
  perUser: number;
}

/** What the README promises of a run: at most 12 failed logins, at most 2 per user name. */
export const DEFAULT_LOGIN_BUDGET: LoginBudgetLimits = { total: 12, perUser: 2 };

/** The key of logins whose Authorization header names no user (missing or not Basic). */
export const NO_USER = "(none)";

/** A login not sent: the budget is spent. */
export class LoginBudgetSpent extends CheckSkipped {
  override name = "LoginBudgetSpent";
}

/** Failed logins the run caused, as the JSON report shows them. */
export interface FailedLogins {
  total: number;
  /** By the user name in the Basic credentials; `(none)` when the header carried none. */
  byUsername: Record<string, number>;
}

/**
 * Whether a login reply may count as a failed login for a throttle (undefined: no reply came). Only a success, or a
 * refusal of the request's body before any credential is looked at (400, 413, 415), surely does not.
 */
export function isFailedLogin(status: number | undefined): boolean {
  if (status === undefined) return true;
  return !(status >= 200 && status < 300) && status !== 400 && status !== 413 && status !== 415;
}

/** Counts failed logins and refuses logins past the limits. */
export class LoginBudget {
  readonly failed: FailedLogins = { total: 0, byUsername: {} };
  private inFlightTotal = 0;
  private readonly inFlight = new Map<string, number>();
  /** Extra failures allowed for a user name, in all and for it (the 429 check's own name). */
  private readonly extra = new Map<string, number>();
  private extraTotal = 0;

  constructor(readonly limits: LoginBudgetLimits = DEFAULT_LOGIN_BUDGET) {}

  /** Allows `n` more failures for one user name (a fresh name of the suite's own), in all and for it. */
  allowExtra(username: string, n: number): void {
    this.extra.set(username, (this.extra.get(username) ?? 0) + n);
    this.extraTotal += n;
  }

  /**
   * Reserves a login of `username` (NO_USER when none); throws LoginBudgetSpent when it could exceed the budget.
   * The returned function settles it with the reply's status (undefined: no reply).
   */
  reserve(username: string): (status: number | undefined) => void {
    const own = this.failed.byUsername[username] ?? 0;
    const waiting = this.inFlight.get(username) ?? 0;
    const extra = this.extra.get(username) ?? 0;
    if (this.failed.total + this.inFlightTotal >= this.limits.total + this.extraTotal)
      throw new LoginBudgetSpent(
        `failed-login budget spent: ${this.failed.total} failed logins already (at most ${this.limits.total} a run)`,
      );
    if (username !== NO_USER && own + waiting >= this.limits.perUser + extra)
      throw new LoginBudgetSpent(
        `failed-login budget spent for ${username}: ${own} failed logins already ` +
          `(at most ${this.limits.perUser + extra} per user name)`,
      );
    this.inFlightTotal++;
    this.inFlight.set(username, waiting + 1);
    let settled = false;
    return (status) => {
      if (settled) return;
      settled = true;
      this.inFlightTotal--;
      this.inFlight.set(username, (this.inFlight.get(username) ?? 1) - 1);
      if (!isFailedLogin(status)) return;
      this.failed.total++;
      this.failed.byUsername[username] = (this.failed.byUsername[username] ?? 0) + 1;
    };
  }
}
