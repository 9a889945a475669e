/**
 * The target under test and the state the suite keeps while it runs: credentials (logging in as needed), every
 * exchange checked against the spec and counted for coverage, and the list of what had to be skipped.
 */
import { createHmac, randomBytes } from "node:crypto";
import { getOperation } from "../server/validation/openapi-document.ts";
import { CoverageRecorder } from "./coverage.ts";
import { conformanceProblems, ContractViolation, familyOf, requestUrl, sendRequest, type BaseUrls, type ContractRequest, type ContractResponse } from "./exchange.ts";

/** Account of the WA API. */
export interface WaAccount {
  username: string;
  password: string;
}

/** Hooks only a server started by the suite itself offers (the reference server). */
export interface TargetHooks {
  /** Moves the server's clock (attachment expiry); `0` puts it back. */
  setClockOffset(ms: number): void;
  /** Makes the server's storage fail like a full or read-only volume (the documented 503s), or work again. */
  setStorageFault(on: boolean): void;
}

/** Everything the suite needs to know about a target server. */
export interface ContractTarget {
  /** Base URL of the WA API (paths `/v1/...` are appended). */
  waBaseUrl: string;
  /** Base URL of the Graph API including its version prefix, e.g. `https://host/v21.0`. */
  graphBaseUrl: string;
  admin: WaAccount;
  /** A non-admin account; when absent and writes are allowed, the suite creates one (and deletes it at the end). */
  user?: WaAccount;
  graph: { pageId: string; accessToken: string; appSecret?: string };
  /** A URL the server can fetch, serving an image (attachment upload from a URL). */
  fetchableImageUrl?: string;
  /** A URL the server may fetch that answers 404 (the "could not fetch" error). */
  unfetchableUrl?: string;
  /** Operations that change state run only when true. */
  allowWrites: boolean;
  hooks?: TargetHooks;
}

/** Operations that change nothing a user would care about: logging in and out of the suite's own session. */
const SESSION_OPERATIONS = new Set(["loginUser", "logoutUser"]);

/** Whether an operation changes state on the target (these need `--allow-writes`). */
export function isWriteOperation(operationId: string): boolean {
  const op = getOperation(operationId);
  return op.method !== "get" && op.method !== "head" && !SESSION_OPERATIONS.has(operationId);
}

/** Credentials a request may carry in the security checks. */
export type CredentialKind = "none" | "invalid" | "user" | "admin";

export interface ExchangeOptions {
  /** Send through these base URLs (a validating proxy) instead of straight to the target. */
  via?: BaseUrls;
  /** The request is valid, so the proxy must report no violation at all (not only response-side ones). */
  strictProxy?: boolean;
  /** The status(es) the scenario must get. */
  expect?: number | number[] | ((status: number) => boolean);
  /** Names the rule `expect` stands for, in failure messages. */
  rule?: string;
  /** Replay instructions for failure messages (fuzz seed and path). */
  replay?: string;
  /** Extra check on the reply; return a problem sentence or undefined. */
  check?: (res: ContractResponse) => string | undefined;
  /** Accept a 5xx (only for the documented storage fault). */
  allowServerError?: boolean;
}

/** State of one run of the suite against one target. */
export class ContractSession {
  readonly coverage = new CoverageRecorder();
  readonly skipped: string[] = [];
  exchanges = 0;
  private adminTokenValue?: string;
  private userTokenValue?: string;
  private createdUser?: WaAccount;

  constructor(readonly target: ContractTarget) {}

  get direct(): BaseUrls {
    return { wa: this.target.waBaseUrl, graph: this.target.graphBaseUrl };
  }

  /** Notes something the suite could not do on this target; listed in the report. */
  skip(what: string): void {
    if (!this.skipped.includes(what)) this.skipped.push(what);
  }

  /** Sends, records coverage, checks the reply against the spec and the scenario's expectation; throws a ContractViolation. */
  async exchange(req: ContractRequest, opts: ExchangeOptions = {}): Promise<ContractResponse> {
    const bases = opts.via ?? this.direct;
    const url = requestUrl(bases, req);
    let res: ContractResponse;
    try {
      res = await sendRequest(bases, req);
    } catch (err) {
      throw new ContractViolation(req.operationId, "the server answers", `no reply: ${(err as Error).message}`, req, url, undefined, opts.replay);
    }
    this.exchanges++;
    this.coverage.record(req.operationId, res.status);
    const fail = (rule: string, detail: string): never => {
      throw new ContractViolation(req.operationId, rule, detail, req, url, res, opts.replay);
    };
    const violations = res.headers.get("sl-violations");
    if (violations) {
      const parsed = safeJson(violations);
      const responseSide = Array.isArray(parsed) ? parsed.filter((v: { location?: string[] }) => v.location?.[0] === "response") : [];
      if (responseSide.length > 0 || opts.strictProxy || !Array.isArray(parsed)) fail("validating proxy reports no violation", violations.slice(0, 1500));
    }
    if (res.status >= 500 && !opts.allowServerError) fail("no 5xx", `the server answered ${res.status}`);
    const problems = conformanceProblems(req.operationId, res);
    if (problems.length) fail("response matches the spec", problems.join("; "));
    if (opts.expect !== undefined) {
      const ok =
        typeof opts.expect === "function" ? opts.expect(res.status) : Array.isArray(opts.expect) ? opts.expect.includes(res.status) : res.status === opts.expect;
      if (!ok) fail(opts.rule ?? "expected status", `expected ${typeof opts.expect === "function" ? "another status" : String(opts.expect)}, got ${res.status}`);
    }
    const extra = opts.check?.(res);
    if (extra) fail(opts.rule ?? "scenario check", extra);
    return res;
  }

  /** Bearer token of the admin account (logs in once). */
  async adminToken(): Promise<string> {
    this.adminTokenValue ??= await this.login(this.target.admin);
    return this.adminTokenValue;
  }

  /** Bearer token of a non-admin account, creating that account when allowed; undefined when there is none. */
  async userToken(): Promise<string | undefined> {
    if (this.userTokenValue) return this.userTokenValue;
    let account = this.target.user ?? this.createdUser;
    if (!account) {
      if (!this.target.allowWrites) {
        this.skip("non-admin checks (403): no CONTRACT_WA_USER_USERNAME given and --allow-writes not set to create one");
        return undefined;
      }
      account = { username: `contract-user-${randomBytes(4).toString("hex")}`, password: `Cu-${randomBytes(9).toString("base64url")}9a!` };
      await this.exchange(
        {
          operationId: "createUser",
          method: "POST",
          path: "/v1/users",
          headers: { authorization: `Bearer ${await this.adminToken()}`, "content-type": "application/json" },
          body: JSON.stringify({ username: account.username, password: account.password, role: "ROLE_USER" }),
        },
        { expect: 201, rule: "an admin creates a user" },
      );
      this.createdUser = account;
    }
    this.userTokenValue = await this.login(account);
    return this.userTokenValue;
  }

  /** The account the suite created for the non-admin checks, if it did. */
  ownAccount(): WaAccount | undefined {
    return this.createdUser;
  }

  /** Logs in (one recorded loginUser exchange) and returns the token. */
  async login(account: WaAccount, body?: unknown): Promise<string> {
    const res = await this.exchange(
      {
        operationId: "loginUser",
        method: "POST",
        path: "/v1/users/login",
        headers: { authorization: basic(account), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      { expect: 200, rule: `${account.username} can log in` },
    );
    return (JSON.parse(res.text ?? "{}") as { users: Array<{ token: string }> }).users[0]!.token;
  }

  /** Forgets cached tokens (after the clock moved past their expiry, for instance). */
  forgetTokens(): void {
    this.adminTokenValue = undefined;
    this.userTokenValue = undefined;
  }

  /** Headers and query parameters that carry the given credentials for an operation. */
  async credentials(operationId: string, kind: CredentialKind): Promise<{ headers: Record<string, string>; query: Record<string, string> } | undefined> {
    const family = familyOf(operationId);
    if (kind === "none") return { headers: {}, query: {} };
    if (family === "graph") {
      if (kind === "invalid") return { headers: {}, query: { access_token: "invalid-contract-token" } };
      return { headers: {}, query: this.graphQuery() };
    }
    if (operationId === "loginUser") {
      if (kind === "invalid") return { headers: { authorization: basic({ username: this.target.admin.username, password: "Wrong-Passw0rd!" }) }, query: {} };
      const account = kind === "admin" ? this.target.admin : (this.target.user ?? this.createdUser);
      if (!account) return (await this.userToken()) === undefined ? undefined : this.credentials(operationId, kind);
      return { headers: { authorization: basic(account) }, query: {} };
    }
    if (kind === "invalid") return { headers: { authorization: `Bearer invalid-${randomBytes(8).toString("hex")}` }, query: {} };
    const token = kind === "admin" ? await this.adminToken() : await this.userToken();
    return token === undefined ? undefined : { headers: { authorization: `Bearer ${token}` }, query: {} };
  }

  /** `access_token` (and `appsecret_proof` when the app has a secret) for Graph requests. */
  graphQuery(): Record<string, string> {
    const { accessToken, appSecret } = this.target.graph;
    return { access_token: accessToken, ...(appSecret ? { appsecret_proof: createHmac("sha256", appSecret).update(accessToken).digest("hex") } : {}) };
  }

  /** Deletes the account the suite created, if any. */
  async cleanup(): Promise<void> {
    if (!this.createdUser) return;
    await this.exchange(
      { operationId: "deleteUser", method: "DELETE", path: `/v1/users/${encodeURIComponent(this.createdUser.username)}`, headers: { authorization: `Bearer ${await this.adminToken()}` } },
      { expect: [200, 404] },
    ).catch(() => undefined);
    this.createdUser = undefined;
    this.userTokenValue = undefined;
  }
}

/** `Authorization: Basic` value for an account. */
export function basic(account: WaAccount): string {
  return `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
