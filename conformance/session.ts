/**
 * The target under test and the state the suite keeps while it runs: credentials (logging in as needed), every
 * exchange checked against the spec and counted for coverage, what the suite changed on the target (its footprint,
 * undone at the end), failed logins, and the list of what had to be skipped.
 */
import { createHmac, randomBytes } from "node:crypto";
import { CoverageRecorder } from "./coverage.ts";
import {
  conformanceProblems,
  ContractViolation,
  requestUrl,
  sendRequest,
  type BaseUrls,
  type ContractRequest,
  type ContractResponse,
} from "./exchange.ts";
import { TargetFootprint } from "./footprint.ts";
import { RunInterrupted } from "./run-report.ts";
import { familyOf, type ApiFamily } from "./spec.ts";

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
  /** The families under test; operations of the others are skipped. */
  families: ApiFamily[];
  admin: WaAccount;
  /** A non-admin account; when absent, the suite creates one for the 403 checks (and deletes it at the end). */
  user?: WaAccount;
  graph: { pageId: string; accessToken: string; appSecret?: string };
  /** A URL the server can fetch, serving an image (attachment upload from a URL). */
  fetchableImageUrl?: string;
  /** A URL the server may fetch that answers 404 (the "could not fetch" error). */
  unfetchableUrl?: string;
  /**
   * How many failed logins for one user name the target takes before it answers 429 (1015). Known, the suite spends
   * them on a user name of its own (no real account is locked out) to see the documented 429; unknown, it skips it.
   */
  loginFailureLimitPerUser?: number;
  /** Run what cannot be undone (settings reset, attachment uploads, sent messages). */
  destructive: boolean;
  /** Started by the suite and thrown away after it (the in-process reference server): nothing on it is anyone's. */
  disposable?: boolean;
  hooks?: TargetHooks;
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
  /** Part of putting the target back: sent even after an interruption. */
  restoring?: boolean;
  /**
   * Check only `expect`, not the reply against the spec: for the reads and deletes the suite makes for itself (the
   * state to restore, the cleanup), whose conformance the scenarios and fuzzing judge.
   */
  unchecked?: boolean;
}

/** Failed logins the run caused (401 or 429 from loginUser), for the login throttles a target may have. */
export interface FailedLogins {
  total: number;
  /** By the user name in the Basic credentials; `(none)` when the header carried none. */
  byUsername: Record<string, number>;
}

/** The user name in a `Basic` Authorization header, if it has one. */
function basicUsername(header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

/** State of one run of the suite against one target. */
export class ContractSession {
  readonly coverage = new CoverageRecorder();
  readonly footprint = new TargetFootprint();
  readonly skipped: string[] = [];
  readonly failedLogins: FailedLogins = { total: 0, byUsername: {} };
  exchanges = 0;
  private adminTokenValue?: string;
  private userTokenValue?: string;
  private createdUser?: WaAccount;
  private interruptedFlag = false;
  private restoringPhase = false;

  constructor(readonly target: ContractTarget) {}

  get direct(): BaseUrls {
    return { whatsapp: this.target.waBaseUrl, messenger: this.target.graphBaseUrl };
  }

  /** Whether an operation's family is under test. */
  covers(operationId: string): boolean {
    return this.target.families.includes(familyOf(operationId));
  }

  /** Stops sending new requests (Ctrl-C); only the ones that put the target back still go out. */
  interrupt(): void {
    this.interruptedFlag = true;
  }

  /** From now on the run only puts the target back: its requests (logins included) go out even after Ctrl-C. */
  beginRestoring(): void {
    this.restoringPhase = true;
  }

  get interrupted(): boolean {
    return this.interruptedFlag;
  }

  /** Notes something the suite could not do on this target; listed in the report. */
  skip(what: string): void {
    if (!this.skipped.includes(what)) this.skipped.push(what);
  }

  /**
   * Sends, records coverage, checks the reply against the spec
   * and the scenario's expectation; throws a ContractViolation.
   */
  async exchange(req: ContractRequest, opts: ExchangeOptions = {}): Promise<ContractResponse> {
    if (this.interruptedFlag && !opts.restoring && !this.restoringPhase) throw new RunInterrupted();
    const bases = opts.via ?? this.direct;
    const url = requestUrl(bases, req);
    let res: ContractResponse;
    try {
      res = await sendRequest(bases, req);
    } catch (err) {
      throw new ContractViolation(
        req.operationId,
        "the server answers",
        `no reply: ${(err as Error).message}`,
        req,
        url,
        undefined,
        opts.replay,
      );
    }
    this.observe(req, res);
    const fail = (rule: string, detail: string): never => {
      throw new ContractViolation(req.operationId, rule, detail, req, url, res, opts.replay);
    };
    const violations = opts.unchecked ? null : res.headers.get("sl-violations");
    if (violations) {
      const parsed = safeJson(violations);
      const responseSide = Array.isArray(parsed)
        ? parsed.filter((v: { location?: string[] }) => v.location?.[0] === "response")
        : [];
      if (responseSide.length > 0 || opts.strictProxy || !Array.isArray(parsed))
        fail("validating proxy reports no violation", violations.slice(0, 1500));
    }
    if (res.status >= 500 && !opts.allowServerError) fail("no 5xx", `the server answered ${res.status}`);
    const problems = opts.unchecked ? [] : conformanceProblems(req.operationId, res);
    if (problems.length) fail("response matches the spec", problems.join("; "));
    if (opts.expect !== undefined) {
      const ok =
        typeof opts.expect === "function"
          ? opts.expect(res.status)
          : Array.isArray(opts.expect)
            ? opts.expect.includes(res.status)
            : res.status === opts.expect;
      if (!ok)
        fail(
          opts.rule ?? "expected status",
          `expected ${typeof opts.expect === "function" ? "another status" : String(opts.expect)}, got ${res.status}`,
        );
    }
    const extra = opts.check?.(res);
    if (extra) fail(opts.rule ?? "scenario check", extra);
    return res;
  }

  /**
   * Accounts for one reply: exchanges, coverage, the footprint, failed logins. Probes that bypass `exchange` call it
   * too; those that send a method or path the operation does not have count only as exchanges and logins.
   */
  observe(req: ContractRequest, res: ContractResponse, opts: { ofOperation?: boolean } = {}): void {
    this.exchanges++;
    if (opts.ofOperation !== false) {
      this.coverage.record(req.operationId, res.status);
      this.footprint.observe(req, res);
    }
    if (req.operationId === "loginUser" && (res.status === 401 || res.status === 429)) {
      const name = basicUsername(req.headers?.authorization) ?? "(none)";
      this.failedLogins.total++;
      this.failedLogins.byUsername[name] = (this.failedLogins.byUsername[name] ?? 0) + 1;
    }
  }

  /** Bearer token of the admin account (logs in once). */
  async adminToken(): Promise<string> {
    this.adminTokenValue ??= await this.login(this.target.admin);
    return this.adminTokenValue;
  }

  /** Bearer token of a non-admin account, creating that account when none was given; undefined when there is none. */
  async userToken(): Promise<string | undefined> {
    if (this.userTokenValue) return this.userTokenValue;
    if (!this.target.families.includes("whatsapp")) return undefined;
    const account = this.target.user ?? (await this.ownAccountCreated());
    this.userTokenValue = await this.login(account);
    return this.userTokenValue;
  }

  /** The non-admin account the suite created for itself (creating it on first use); deleted when the run ends. */
  async ownAccountCreated(): Promise<WaAccount> {
    if (this.createdUser) return this.createdUser;
    const account = {
      username: `contract-user-${randomBytes(4).toString("hex")}`,
      password: `Cu-${randomBytes(9).toString("base64url")}9a!`,
    };
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
    return account;
  }

  /** The account the suite created, if it did. */
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
        headers: {
          authorization: basic(account),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
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
  async credentials(
    operationId: string,
    kind: CredentialKind,
  ): Promise<{ headers: Record<string, string>; query: Record<string, string> } | undefined> {
    const family = familyOf(operationId);
    if (kind === "none") return { headers: {}, query: {} };
    if (family === "messenger") {
      if (kind === "invalid") return { headers: {}, query: { access_token: "invalid-contract-token" } };
      return { headers: {}, query: this.graphQuery() };
    }
    if (operationId === "loginUser") {
      if (kind === "invalid")
        return {
          headers: { authorization: basic({ username: this.wrongPasswordUsername(), password: "Wrong-Passw0rd!" }) },
          query: {},
        };
      if (kind === "user" && !this.target.user && !this.createdUser) await this.userToken();
      const account = kind === "admin" ? this.target.admin : (this.target.user ?? this.createdUser);
      return account ? { headers: { authorization: basic(account) }, query: {} } : undefined;
    }
    if (kind === "invalid")
      return { headers: { authorization: `Bearer invalid-${randomBytes(8).toString("hex")}` }, query: {} };
    const token = kind === "admin" ? await this.adminToken() : await this.userToken();
    return token === undefined ? undefined : { headers: { authorization: `Bearer ${token}` }, query: {} };
  }

  /**
   * The user name a wrong-password login names: the suite's own account when it has one, else a fresh unknown name,
   * so that a target's per-user login throttle never counts the run's deliberate failures against a real account.
   */
  wrongPasswordUsername(): string {
    return this.createdUser?.username ?? `contract-nobody-${randomBytes(4).toString("hex")}`;
  }

  /** `access_token` (and `appsecret_proof` when the app has a secret) for Graph requests. */
  graphQuery(): Record<string, string> {
    const { accessToken, appSecret } = this.target.graph;
    return {
      access_token: accessToken,
      ...(appSecret ? { appsecret_proof: createHmac("sha256", appSecret).update(accessToken).digest("hex") } : {}),
    };
  }

  /** Forgets the suite's own account once the footprint has deleted it. */
  accountDeleted(username: string): void {
    if (this.createdUser?.username !== username) return;
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
