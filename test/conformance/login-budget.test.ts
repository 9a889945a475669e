// The failed-login budget (conformance/login-budget.ts): a login goes out only while one more failure would stay
// within the limits, in all and per user name, counting the logins still waiting for their reply.
import { describe, expect, it } from "vitest";
import { isFailedLogin, LoginBudget, LoginBudgetSpent, NO_USER } from "../../conformance/login-budget.ts";

describe("LoginBudget", () => {
  it("counts what a throttle might count: anything but a success or a refusal of the body, and no reply", () => {
    for (const s of [401, 403, 404, 429, 307, 500, 502, undefined]) expect(isFailedLogin(s), String(s)).toBe(true);
    for (const s of [200, 201, 400, 413, 415]) expect(isFailedLogin(s), String(s)).toBe(false);
  });

  it("refuses a user name's third failure, and any login past the total", () => {
    const budget = new LoginBudget({ total: 4, perUser: 2 });
    budget.reserve("alice")(401);
    budget.reserve("alice")(200);
    budget.reserve("alice")(429);
    expect(() => budget.reserve("alice")).toThrow(LoginBudgetSpent);
    budget.reserve(NO_USER)(401);
    budget.reserve(NO_USER)(undefined);
    expect(budget.failed).toEqual({ total: 4, byUsername: { alice: 2, "(none)": 2 } });
    expect(() => budget.reserve("bob")).toThrow(/budget spent: 4 failed logins already/);
  });

  it("counts logins in flight, so concurrent ones cannot overshoot", () => {
    const budget = new LoginBudget({ total: 10, perUser: 2 });
    const a = budget.reserve("carol");
    const b = budget.reserve("carol");
    expect(() => budget.reserve("carol")).toThrow(LoginBudgetSpent);
    a(200);
    const c = budget.reserve("carol");
    b(401);
    c(401);
    expect(budget.failed.byUsername.carol).toBe(2);
  });

  it("grows by exactly what the 429 check is allowed to spend, for its own user name", () => {
    const budget = new LoginBudget({ total: 2, perUser: 2 });
    budget.allowExtra("ghost", 3);
    for (let i = 0; i < 5; i++) budget.reserve("ghost")(401);
    expect(() => budget.reserve("ghost")).toThrow(LoginBudgetSpent);
    expect(() => budget.reserve("dave")).toThrow(LoginBudgetSpent);
  });
});
