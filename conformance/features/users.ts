/**
 * What the suite knows about the WA users operations (`/v1/users`): login, logout, create and delete. Logins are
 * the suite's own sessions (every token it obtains is logged out at the end, and it never changes the password of an
 * account it did not create); users it creates get unique names and are deleted and confirmed gone at the end (the
 * API has no read of a user: a second DELETE answering 404 confirms it); wrong passwords name its own account or a
 * fresh unknown name, within the failed-login budget (login-budget.ts).
 */
import fc from "fast-check";
import { basic } from "../basic-auth.ts";
import type { ContractRequest } from "../exchange.ts";
import type { FuzzContext } from "../fuzz-context.ts";
import type { Feature, OperationKnowledge, ResourceCleanup, StatefulModel } from "../operation-knowledge.ts";
import { isSuccess, jsonOf, lastSegment, mayHaveSucceeded } from "./exchange-reading.ts";
import { strongPassword, uniqueName } from "./generated-names.ts";
import { refusedToNonAdmin, refusedWithoutCredentials } from "./refusals.ts";

/** Malformed `Authorization` headers: every operation's mutations draw from them; the login sends each once. */
export const MALFORMED_AUTHORIZATION = [
  "Bearer",
  "Bearer ",
  "Basic",
  "Bearer a b c",
  "Token abc",
  `Bearer ${"z".repeat(5000)}`,
];

/** User names the spec reserves (they collide with `/v1/users/login` and `/v1/users/logout`). */
const RESERVED = new Set(["login", "logout"]);

/** A generated user name made safe for someone's deployment: it can only name a user this run created. */
function ownUserName(ctx: FuzzContext, generated: string): string {
  // Users cannot be listed: on a target someone else owns, a generated name gets the run's tag, so that it can only
  // name a user this run created. The in-process reference server is the suite's own: names go as generated.
  if (ctx.session.target.disposable) return generated;
  return `ct-${ctx.runTag}-${generated}`.slice(0, 64);
}

const createUserRequest = (ctx: FuzzContext, username: string, password: string): ContractRequest => ({
  operationId: "createUser",
  method: "POST",
  path: "/v1/users",
  headers: { ...ctx.adminHeaders, "content-type": "application/json" },
  body: JSON.stringify({ username, password }),
});

const loginUser: OperationKnowledge = {
  operationId: "loginUser",
  effect: "session",
  note: "the suite's own tokens, logged out at the end; it never changes the password of an account it did not create",
  scenarios: [
    {
      status: 200,
      name: "admin logs in with Basic credentials",
      changes: [],
      run: async (ctx) => void (await ctx.call("loginUser", { auth: "admin", valid: true }, 200)),
    },
    {
      status: 400,
      name: "new_password that breaks the password rule",
      changes: [],
      // With the suite's own account: a target that wrongly accepted the weak password changes no one else's.
      run: async (ctx) => {
        const req = await ctx.request("loginUser", { auth: "none", json: { new_password: "weak" }, valid: false });
        req.headers = { ...req.headers, authorization: basic(await ctx.session.ownAccountCreated()) };
        await ctx.send(req, false, 400);
      },
    },
    {
      status: 401,
      name: "wrong password",
      changes: [],
      run: async (ctx) => void (await ctx.call("loginUser", { auth: "invalid", valid: true }, 401)),
    },
    {
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("loginUser", { auth: "admin", raw: "{}", contentType: "text/plain", valid: false }, 415)),
    },
    {
      status: 429,
      name: "a user name past its failed-login limit",
      changes: [],
      needs: ["loginThrottle"],
      run: async (ctx) => {
        // A user name of the suite's own, so that no real account is locked out; the limit is the target's, and the
        // failed-login budget grows by exactly what this check spends, for this name only.
        const limit = ctx.session.target.loginFailureLimitPerUser!;
        const ghost = { username: uniqueName("contract-ghost"), password: strongPassword() };
        ctx.session.budget.allowExtra(ghost.username, limit + 1);
        const req = await ctx.request("loginUser", { auth: "none", valid: true });
        req.headers = { authorization: basic(ghost) };
        for (let i = 0; i < limit; i++) await ctx.send({ ...req }, true, 401, "a wrong password within the limit: 401");
        await ctx.session.exchange(
          { ...req },
          {
            ...ctx.via(req, true),
            expect: 429,
            rule: "past the limit, 429 with Retry-After",
            check: (res) => {
              const retryAfter = res.headers.get("retry-after");
              return /^[1-9][0-9]*$/.test(retryAfter ?? "")
                ? undefined
                : `Retry-After must be a whole number of seconds, got ${JSON.stringify(retryAfter)}`;
            },
          },
        );
      },
    },
  ],
  accepts: () => [200],
  track(ledger, req, res) {
    const token = (jsonOf(res?.text) as { users?: Array<{ token?: unknown }> } | undefined)?.users?.[0]?.token;
    if (res && isSuccess(res.status) && typeof token === "string") ledger.tokens.add(token);
    const changed = (jsonOf(req.body) as { new_password?: unknown } | undefined)?.new_password;
    const m = /^Basic\s+(\S+)$/i.exec(req.headers?.authorization ?? "");
    if (typeof changed === "string" && m && mayHaveSucceeded(req.operationId, res?.status))
      ledger.passwordsChanged.add(Buffer.from(m[1]!, "base64").toString("utf8").split(":")[0]!);
  },
  fuzz: {
    credentials: (ctx) => ({ authorization: basic(ctx.loginAccount) }),
    // Only the suite's own account may have its password changed by a generated body.
    jsonBody: (value, ctx) => (ctx.loginAccount.own || !value || typeof value !== "object" ? value : {}),
    afterReply(req, res, ctx) {
      if (res.status !== 200 || !ctx.loginAccount.own) return;
      const np = (jsonOf(req.body) as { new_password?: string } | undefined)?.new_password;
      if (np) ctx.loginAccount.password = np;
    },
    // Its failures count against login throttles: the credential checks send each malformed header once instead.
    mangleCredentials: false,
    securityWithoutBody: true,
    securityExtras: (sample) =>
      MALFORMED_AUTHORIZATION.map((authorization) => ({
        request: { ...sample, body: undefined, headers: { authorization } },
        rule: "malformed Authorization header gets a 4xx",
      })),
    revokesTokens: true,
  },
};

const logoutUser: OperationKnowledge = {
  operationId: "logoutUser",
  effect: "session",
  note: "revokes only tokens the suite obtained",
  scenarios: [
    {
      status: 200,
      name: "a fresh token is revoked, then refused",
      changes: [],
      run: async (ctx) => {
        const token = await ctx.session.login(ctx.session.target.admin);
        const req = await ctx.request("logoutUser", { auth: "none", valid: true });
        req.headers = { authorization: `Bearer ${token}` };
        await ctx.send(req, true, 200);
        await ctx.send({ ...req }, true, 401, "a revoked token is refused");
      },
    },
    refusedWithoutCredentials("logoutUser"),
  ],
  accepts: () => [200],
  track(ledger, req, res) {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers?.authorization ?? "")?.[1];
    // 200: revoked now; 401: not (or no longer) valid. Either way it opens no session.
    if (token && res && (res.status === 200 || res.status === 401)) ledger.tokens.delete(token);
  },
  fuzz: {
    securityFreshTokens: true,
    // Logging out revokes the token it is sent with: each generated logout gets a token of its own.
    async beforeSend(req, ctx) {
      const token = ctx.freshTokens.pop() ?? (await ctx.session.login(ctx.session.target.admin));
      req.headers = { ...req.headers, authorization: `Bearer ${token}` };
    },
  },
};

const createUser: OperationKnowledge = {
  operationId: "createUser",
  effect: "undoable",
  note: "the users the suite creates (unique names) are deleted at the end, and confirmed gone",
  scenarios: [
    {
      status: 201,
      name: "admin creates a user",
      changes: ["createUser"],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          { auth: "admin", json: { username: uniqueName("contract"), password: strongPassword() }, valid: true },
          201,
        )),
    },
    {
      status: 400,
      name: "password missing",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          { auth: "admin", json: { username: uniqueName("contract") }, valid: false },
          400,
        )),
    },
    refusedWithoutCredentials("createUser", () => ({
      json: { username: uniqueName("contract"), password: strongPassword() },
    })),
    refusedToNonAdmin("createUser", () => ({
      json: { username: uniqueName("contract"), password: strongPassword() },
    })),
    {
      status: 409,
      name: "the name is taken",
      changes: ["createUser"],
      run: async (ctx) => {
        const username = uniqueName("contract");
        await ctx.call(
          "createUser",
          { auth: "admin", json: { username, password: strongPassword() }, valid: true },
          201,
        );
        await ctx.call(
          "createUser",
          { auth: "admin", json: { username, password: strongPassword() }, valid: true },
          409,
        );
      },
    },
    {
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          {
            auth: "admin",
            raw: JSON.stringify({ username: uniqueName("c"), password: strongPassword() }),
            contentType: "text/plain",
            valid: false,
          },
          415,
        )),
    },
  ],
  // A generated name may be taken already (409), or be one the spec reserves (400).
  accepts: (req) => {
    const name = (jsonOf(req.body) as { username?: unknown } | undefined)?.username;
    return typeof name === "string" && RESERVED.has(name.toLowerCase()) ? [400] : [201, 409];
  },
  track(ledger, req, res) {
    const name = (jsonOf(req.body) as { username?: unknown } | undefined)?.username;
    // A name the run chose: created on a success, perhaps on a fault or without a reply. A 409 says someone else's.
    if (typeof name === "string" && mayHaveSucceeded(req.operationId, res?.status)) ledger.created("users", name);
  },
  fuzz: {
    jsonBody(value, ctx) {
      if (!value || typeof value !== "object" || typeof (value as { username?: unknown }).username !== "string")
        return value;
      const username = ownUserName(ctx, (value as { username: string }).username);
      return ctx.protectedUsers.has(username) ? undefined : { ...value, username };
    },
  },
};

const deleteUser: OperationKnowledge = {
  operationId: "deleteUser",
  effect: "undoable",
  note: "only users the suite created (other names are fresh, unknown ones)",
  scenarios: [
    {
      status: 200,
      name: "admin deletes a user, then it is gone (404)",
      changes: ["createUser", "deleteUser"],
      run: async (ctx) => {
        const username = uniqueName("contract");
        await ctx.call(
          "createUser",
          { auth: "admin", json: { username, password: strongPassword() }, valid: true },
          201,
        );
        await ctx.call("deleteUser", { params: { username }, auth: "admin", valid: true }, 200);
        await ctx.call("deleteUser", { params: { username }, auth: "admin", valid: true }, 404);
      },
    },
    {
      status: 400,
      name: "the built-in admin",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("deleteUser", { params: { username: "admin" }, auth: "admin", valid: true }, 400)),
    },
    refusedWithoutCredentials("deleteUser", () => ({ params: { username: uniqueName("nobody") } })),
    refusedToNonAdmin("deleteUser", () => ({ params: { username: uniqueName("nobody") } })),
    {
      status: 404,
      name: "unknown user",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteUser",
          { params: { username: uniqueName("nobody") }, auth: "admin", valid: true },
          404,
        )),
    },
  ],
  accepts: () => [200, 404],
  track(ledger, req, res) {
    const name = lastSegment(req.path);
    // The API has no read of a user: a DELETE answering not-found is the read that confirms it gone.
    if (name !== undefined && res?.status === 404) ledger.gone("users", name);
  },
  fuzz: {
    pathParams: {
      username: (ctx, fromSchema) => {
        const fresh = fromSchema.map((u) => ownUserName(ctx, u)).filter((u) => !ctx.protectedUsers.has(u));
        const created = ctx.ids("users").filter((u) => !ctx.protectedUsers.has(u));
        return created.length ? fc.oneof(fc.constantFrom(...created), fresh) : fresh;
      },
    },
  },
};

const userCleanup: ResourceCleanup = {
  kind: "users",
  label: "users",
  operationId: "deleteUser",
  remove: (name) => ({ operationId: "deleteUser", method: "DELETE", path: `/v1/users/${encodeURIComponent(name)}` }),
  confirm: (name) => ({
    request: { operationId: "deleteUser", method: "DELETE", path: `/v1/users/${encodeURIComponent(name)}` },
    isGone: (res) => (res.status === 404 ? true : res.status === 200 ? false : undefined),
  }),
  confirmedBy: "a second DELETE answering 404 (the API has no read of a user)",
};

/** create -> the new user can log in (its resource is available) -> delete -> 404 on the next delete. */
const userLifecycle: StatefulModel = {
  name: "create user -> log in -> delete -> 404",
  operations: ["createUser", "loginUser", "logoutUser", "deleteUser"],
  async run(ctx, runs, assertProperty) {
    const s = ctx.session;
    await assertProperty(
      fc.stringMatching(/^[a-z][a-z0-9_-]{2,20}$/),
      async (generated) => {
        const username = ownUserName(ctx, `ct-model-${generated}`);
        const password = strongPassword();
        await s.exchange(createUserRequest(ctx, username, password), { expect: 201, rule: "an admin creates a user" });
        const token = await s.login({ username, password });
        await s.exchange(
          {
            operationId: "logoutUser",
            method: "POST",
            path: "/v1/users/logout",
            headers: { authorization: `Bearer ${token}` },
          },
          { expect: 200, rule: "the new user's session can be closed" },
        );
        const remove = (): ContractRequest => ({
          operationId: "deleteUser",
          method: "DELETE",
          path: `/v1/users/${encodeURIComponent(username)}`,
          headers: ctx.adminHeaders,
        });
        await s.exchange(remove(), { expect: 200, rule: "an admin deletes the user" });
        await s.exchange(remove(), { expect: 404, rule: "a deleted user is gone (use after free)" });
      },
      Math.max(1, Math.ceil(runs / 2)),
    );
  },
};

/** The users feature. */
export const usersFeature: Feature = {
  name: "users",
  operations: [loginUser, logoutUser, createUser, deleteUser],
  resources: [userCleanup],
  statefulModels: [userLifecycle],
};
