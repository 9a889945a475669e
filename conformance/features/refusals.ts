/**
 * The two refusals almost every operation documents, as scenarios: 401 without credentials and 403 for a non-admin
 * user on an admin-only operation. A feature names the request (its path values and body, made afresh for each run);
 * the credentials are what the scenario is about.
 */
import type { Scenario } from "../operation-knowledge.ts";
import type { CallSpec, ScenarioContext } from "../scenario-context.ts";

/** The parts of a request besides its credentials. */
export type RequestParts = (ctx: ScenarioContext) => Omit<CallSpec, "auth" | "valid">;

const noParts: RequestParts = () => ({});

/** 401: the operation's request without any credentials (`name` says which: a token, an access token). */
export function refusedWithoutCredentials(operationId: string, parts = noParts, name = "no token"): Scenario {
  return {
    status: 401,
    name,
    changes: [],
    run: async (ctx) => void (await ctx.call(operationId, { ...parts(ctx), auth: "none", valid: false }, 401)),
  };
}

/**
 * 403: the operation's request with a non-admin user's token. `changes` lists what a target that ignored the role
 * would do: an irreversible operation there makes the scenario need `--destructive`.
 */
export function refusedToNonAdmin(operationId: string, parts = noParts, changes: string[] = []): Scenario {
  return {
    status: 403,
    name: "a non-admin user",
    changes,
    needs: ["user"],
    run: async (ctx) => void (await ctx.call(operationId, { ...parts(ctx), auth: "user", valid: true }, 403)),
  };
}
