/**
 * The target under test and the state the suite keeps while it runs: credentials (logging in as needed, within the
 * failed-login budget), every exchange sent through the one HTTP layer (target-http.ts: the target's origins only, no
 * redirect followed, capped replies, deadlines), checked against the spec and counted for coverage, the ledger of
 * what the run may have created, and how the run stops (Ctrl-C, or a target that stopped answering).
 */
import { createHmac, randomBytes } from "node:crypto";
import { basic, basicUsername, type WhatsAppAccount } from "./basic-auth.ts";
import { CoverageRecorder } from "./coverage.ts";
import {
  conformanceProblems,
  ContractViolation,
  requestUrl,
  type BaseUrls,
  type ContractRequest,
  type ContractResponse,
} from "./exchange.ts";
import { Ledger } from "./ledger.ts";
import {
  DEFAULT_LOGIN_BUDGET,
  LoginBudget,
  NO_USER,
  type FailedLogins,
  type LoginBudgetLimits,
} from "./login-budget.ts";
import { isIrreversible, trackExchange } from "./operation-catalog.ts";
import { CheckSkipped, RunInterrupted, TargetStoppedAnswering } from "./run-report.ts";
import { getOperation } from "../spec-model/openapi-document.ts";
import { familyOf, type ApiFamily } from "../spec-model/spec-bundles.ts";
import { FAMILY_HEADER, REQUEST_ID_HEADER, type GuardEvent } from "./target-guard.ts";
import { DEFAULT_HTTP_LIMITS, NoReply, TargetHttp, type HttpLimits } from "./target-http.ts";
import type { ValidatingProxy } from "./validating-proxy.ts";

export type { WhatsAppAccount };

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
  whatsAppBaseUrl: string;
  /** Base URL of the Graph API including its version prefix, e.g. `https://host/v21.0`. */
  graphBaseUrl: string;
  /** The families under test; operations of the others are skipped. */
  families: ApiFamily[];
  admin: WhatsAppAccount;
  /** A non-admin account; when absent, the suite creates one for the 403 checks (and deletes it at the end). */
  user?: WhatsAppAccount;
  messenger: { pageId: string; accessToken: string; appSecret?: string };
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

/** How the session talks to the target. */
export interface SessionOptions {
  limits?: HttpLimits;
  loginBudget?: LoginBudgetLimits;
  /** A reply slower than this fails its check (Schemathesis's max_response_time); unset: no such check. */
  maxResponseTimeMs?: number;
  /** Give up on the target once this many requests in a row got no reply (default 3). */
  giveUpAfterUnanswered?: number;
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
  /**
   * Check only `expect`, not the reply against the spec: for the reads and deletes the suite makes for itself (the
   * state to restore, the cleanup), whose conformance the scenarios and fuzzing judge.
   */
  unchecked?: boolean;
  /** Compare a 2xx body with these bytes as it streams (downloads), instead of keeping it. */
  expectBytes?: Uint8Array;
  /** The rule a difference from `expectBytes` breaks. */
  bytesRule?: string;
}

/** The rules the HTTP layer enforces, as failures name them. */
export const NO_REDIRECT_RULE = "no redirect is followed (credentials never leave the target's origin)";
export const CAPPED_REPLY_RULE = "the reply fits the suite's cap";

/** Extra time a request through Prism gets, so that the guard behind it reports a deadline first. */
const PROXY_MARGIN_MS = 5_000;

/** One request sent: its URL and its reply, or why there is none. */
interface Transmitted {
  url: string;
  res?: ContractResponse;
  guard?: GuardEvent;
  noReply?: string;
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/** State of one run of the suite against one target. */
export class ContractSession {
  readonly coverage = new CoverageRecorder();
  readonly ledger = new Ledger();
  readonly skipped: string[] = [];
  readonly budget: LoginBudget;
  readonly http: TargetHttp;
  exchanges = 0;
  private adminTokenValue?: string;
  private userTokenValue?: string;
  private userLoginFailure?: string;
  private createdUser?: WhatsAppAccount;
  private proxy?: ValidatingProxy;
  private readonly abort = new AbortController();
  private stopReason?: RunInterrupted;
  private cleanupStopped?: TargetStoppedAnswering;
  private unanswered = 0;
  private restoringUntil?: number;
  private readonly giveUpAfter: number;
  private readonly maxResponseTimeMs?: number;
  private readonly runId = randomBytes(4).toString("hex");
  private requestCounter = 0;

  constructor(
    readonly target: ContractTarget,
    opts: SessionOptions = {},
  ) {
    this.http = new TargetHttp([target.whatsAppBaseUrl, target.graphBaseUrl], opts.limits ?? DEFAULT_HTTP_LIMITS);
    this.budget = new LoginBudget(opts.loginBudget ?? DEFAULT_LOGIN_BUDGET);
    this.giveUpAfter = opts.giveUpAfterUnanswered ?? 3;
    if (opts.maxResponseTimeMs !== undefined) this.maxResponseTimeMs = opts.maxResponseTimeMs;
  }

  get direct(): BaseUrls {
    return { whatsapp: this.target.whatsAppBaseUrl, messenger: this.target.graphBaseUrl };
  }

  /** Failed logins the run caused (401, 403, 429, 5xx or no reply from loginUser). */
  get failedLogins(): FailedLogins {
    return this.budget.failed;
  }

  /** Whether an operation's family is under test. */
  covers(operationId: string): boolean {
    return this.target.families.includes(familyOf(operationId));
  }

  /** Routes requests through the validating proxy while they run (their origins become allowed). */
  useProxy(proxy: ValidatingProxy | undefined): void {
    this.proxy = proxy;
    if (proxy) this.http.allow(proxy.url);
  }

  /** Ctrl-C: no new request goes out and the ones in flight are abandoned; only the cleanup still runs. */
  interrupt(): void {
    this.stop(new RunInterrupted());
  }

  private stop(reason: RunInterrupted): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.abort.abort();
  }

  /** Whether the run is stopping (Ctrl-C, or the target stopped answering). */
  get interrupted(): boolean {
    return this.stopReason !== undefined;
  }

  /** Why the run stopped early, if it did. */
  get stoppedBy(): RunInterrupted | undefined {
    return this.stopReason;
  }

  /**
   * From now on the run only puts the target back, within `budgetMs` in all: its requests (logins included) go out
   * even after Ctrl-C, each with what is left of the budget as its deadline.
   */
  beginRestoring(budgetMs: number): void {
    this.restoringUntil = performance.now() + budgetMs;
    this.unanswered = 0;
  }

  /** Milliseconds left to put the target back (Infinity before the cleanup). */
  get restoringTimeLeft(): number {
    return this.restoringUntil === undefined ? Number.POSITIVE_INFINITY : this.restoringUntil - performance.now();
  }

  /** Notes something the suite could not do on this target; listed in the report. */
  skip(what: string): void {
    if (!this.skipped.includes(what)) this.skipped.push(what);
  }

  private noteUnanswered(): void {
    this.unanswered++;
    if (this.unanswered < this.giveUpAfter) return;
    const why =
      `the target stopped answering: ${this.unanswered} requests in a row got no reply ` +
      `(each waited up to ${this.http.limits.requestTimeoutMs} ms)`;
    if (this.restoringUntil !== undefined) this.cleanupStopped ??= new TargetStoppedAnswering(why);
    else this.stop(new TargetStoppedAnswering(why));
  }

  /** Sends one request through the HTTP layer and accounts for it (budget, coverage, ledger, unanswered count). */
  private async transmit(
    req: ContractRequest,
    via: BaseUrls | undefined,
    expectBytes: Uint8Array | undefined,
    ofOperation: boolean,
  ): Promise<Transmitted> {
    const restoring = this.restoringUntil !== undefined;
    if (restoring && this.cleanupStopped) throw this.cleanupStopped;
    if (!restoring && this.stopReason) throw this.stopReason;
    if (!this.target.destructive && this.asksIrreversible(req))
      throw new CheckSkipped(
        `cannot be undone (${req.operationId}): a request with valid credentials runs only with --destructive, ` +
          "whatever it is meant to get, since a target may accept it",
      );
    let timeoutMs = this.http.limits.requestTimeoutMs + (via ? PROXY_MARGIN_MS : 0);
    if (restoring) {
      const left = Math.floor(this.restoringTimeLeft);
      if (left <= 0) throw new CleanupOutOfTime();
      timeoutMs = Math.min(timeoutMs, left);
    }
    const url = requestUrl(via ?? this.direct, req);
    const requestId = via ? `${this.runId}-${++this.requestCounter}` : undefined;
    const isLogin = req.operationId === "loginUser" && req.method.toUpperCase() === "POST";
    const settle = isLogin ? this.budget.reserve(basicUsername(req.headers?.authorization) ?? NO_USER) : undefined;
    let res: ContractResponse | undefined;
    let noReply: string | undefined;
    try {
      res = await this.http.send(
        {
          url,
          method: req.method,
          // Through the proxy: the guard behind it records what it refuses under the id, and forwards to the family's
          // base URL.
          headers: {
            ...req.headers,
            ...(requestId ? { [REQUEST_ID_HEADER]: requestId, [FAMILY_HEADER]: familyOf(req.operationId) } : {}),
          },
          ...(req.body !== undefined ? { body: req.body } : {}),
        },
        {
          ...(restoring ? {} : { signal: this.abort.signal }),
          timeoutMs,
          ...(expectBytes ? { expectBytes } : {}),
        },
      );
    } catch (err) {
      settle?.(undefined);
      if (ofOperation) trackExchange(this.ledger, req, undefined);
      if (err instanceof NoReply && err.kind === "aborted" && this.stopReason) throw this.stopReason;
      if (!(err instanceof NoReply)) throw err;
      noReply = err.message;
    }
    const guard = requestId ? this.proxy?.guardEvent(requestId) : undefined;
    if (guard?.kind === "no reply") noReply = guard.detail;
    this.exchanges++;
    if (res) {
      // What the guard refused is not the target's reply: the target's status, if known, is what counts.
      const status = guard ? guard.status : res.status;
      settle?.(noReply === undefined ? status : undefined);
      if (ofOperation) {
        if (status !== undefined && noReply === undefined) this.coverage.record(req.operationId, status);
        // What the guard refused: the target's status is known, its body is not (so no id can be read from it).
        const seen = guard ? (status === undefined ? undefined : { ...res, status, text: undefined }) : res;
        trackExchange(this.ledger, req, noReply === undefined ? seen : undefined);
      }
    }
    if (noReply !== undefined) this.noteUnanswered();
    else this.unanswered = 0;
    return { url, ...(res && !guard ? { res } : {}), ...(guard ? { guard } : {}), ...(noReply ? { noReply } : {}) };
  }

  /**
   * Whether a request asks for an irreversible operation (its method and path) with credentials the target would
   * accept: the page token, or a bearer token the run obtained. Invalid and missing credentials are safe to send.
   */
  private asksIrreversible(req: ContractRequest): boolean {
    if (!isIrreversible(req.operationId)) return false;
    if (req.method.toUpperCase() !== getOperation(req.operationId).method.toUpperCase()) return false;
    const authorization = req.headers?.authorization ?? req.headers?.Authorization;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (familyOf(req.operationId) === "messenger") {
      const token = this.target.messenger.accessToken;
      return req.query?.access_token === token || bearer === token;
    }
    return bearer !== undefined && (this.ledger.tokens.has(bearer) || bearer === this.adminTokenValue);
  }

  /**
   * Sends, records coverage and the ledger, checks the reply against the spec and the scenario's expectation;
   * throws a ContractViolation.
   */
  async exchange(req: ContractRequest, opts: ExchangeOptions = {}): Promise<ContractResponse> {
    const sent = await this.transmit(req, opts.via, opts.expectBytes, true);
    const fail = (rule: string, detail: string, res?: ContractResponse): never => {
      throw new ContractViolation(req.operationId, rule, detail, req, sent.url, res, opts.replay);
    };
    if (sent.guard?.kind === "redirect") fail(NO_REDIRECT_RULE, `${sent.guard.detail}: not followed`);
    if (sent.guard?.kind === "oversized") fail(CAPPED_REPLY_RULE, `${sent.guard.detail}: not read further`);
    if (sent.noReply !== undefined) fail("the server answers", `no reply: ${sent.noReply}`);
    const res = sent.res!;
    if (isRedirect(res.status)) {
      const location = JSON.stringify(res.headers.get("location"));
      fail(NO_REDIRECT_RULE, `the target answered ${res.status} with Location ${location}: not followed`, res);
    }
    if (res.mismatch) fail(opts.bytesRule ?? "the body is the bytes expected", res.mismatch, res);
    if (res.oversized) {
      const declared = res.headers.get("content-length");
      const max = this.http.limits.maxReplyBytes;
      fail(
        CAPPED_REPLY_RULE,
        `the reply body is larger than ${max} bytes${declared ? ` (Content-Length ${declared})` : ""}: ` +
          "not read further",
        res,
      );
    }
    if (this.maxResponseTimeMs !== undefined && res.ms > this.maxResponseTimeMs && !opts.unchecked)
      fail(
        "max response time",
        `answered in ${Math.round(res.ms)} ms, more than --max-response-time ${this.maxResponseTimeMs}`,
        res,
      );
    const violations = opts.unchecked ? null : res.headers.get("sl-violations");
    if (violations) {
      const parsed = safeJson(violations);
      const responseSide = Array.isArray(parsed)
        ? parsed.filter((v: { location?: string[] }) => v.location?.[0] === "response")
        : [];
      if (responseSide.length > 0 || opts.strictProxy || !Array.isArray(parsed))
        fail("validating proxy reports no violation", violations.slice(0, 1500), res);
    }
    if (res.status >= 500 && !opts.allowServerError) fail("no 5xx", `the server answered ${res.status}`, res);
    const problems = opts.unchecked ? [] : conformanceProblems(req.operationId, res);
    if (problems.length) fail("response matches the spec", problems.join("; "), res);
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
          res,
        );
    }
    const extra = opts.check?.(res);
    if (extra) fail(opts.rule ?? "scenario check", extra, res);
    return res;
  }

  /**
   * Sends a probe of the routing straight to the target, without checking it against the spec (the caller judges
   * the status); only a documented method and path counts for the operation's coverage and the ledger.
   */
  async probe(req: ContractRequest, ofOperation: boolean): Promise<ContractResponse> {
    const sent = await this.transmit(req, undefined, undefined, ofOperation);
    if (sent.noReply !== undefined) throw new Error(`no reply: ${sent.noReply}`);
    return sent.res!;
  }

  /** Bearer token of the admin account (logs in once). */
  async adminToken(): Promise<string> {
    this.adminTokenValue ??= await this.login(this.target.admin);
    return this.adminTokenValue;
  }

  /**
   * Bearer token of a non-admin account, creating that account when none was given; undefined when there is none.
   * A failed attempt is not repeated: later calls answer the same (each attempt costs a failed login).
   */
  async userToken(): Promise<string | undefined> {
    if (this.userTokenValue) return this.userTokenValue;
    if (this.userLoginFailure) throw new CheckSkipped(this.userLoginFailure);
    if (!this.target.families.includes("whatsapp")) return undefined;
    try {
      const account = this.target.user ?? (await this.ownAccountCreated());
      this.userTokenValue = await this.login(account);
    } catch (err) {
      if (err instanceof RunInterrupted) throw err;
      this.userLoginFailure = `the non-admin account could not log in: ${(err as Error).message.split("\n", 1)[0]}`;
      throw new CheckSkipped(this.userLoginFailure);
    }
    return this.userTokenValue;
  }

  /** The non-admin account the suite created for itself (creating it on first use); deleted when the run ends. */
  async ownAccountCreated(): Promise<WhatsAppAccount> {
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
  ownAccount(): WhatsAppAccount | undefined {
    return this.createdUser;
  }

  /** Logs in (one recorded loginUser exchange) and returns the token. */
  async login(account: WhatsAppAccount, body?: unknown): Promise<string> {
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
    this.forgetUserToken();
  }

  /** Forgets the non-admin token (a generated login may have changed that account's password, which revokes it). */
  forgetUserToken(): void {
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
      return { headers: {}, query: this.messengerQuery() };
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
   * The user name a wrong-password login names: a fresh unknown name each time, so that a target's per-user login
   * throttle never counts the run's deliberate failures against an account, the run's own included (whose logins
   * the failed-login budget would then refuse).
   */
  wrongPasswordUsername(): string {
    return `contract-nobody-${randomBytes(4).toString("hex")}`;
  }

  /** `access_token` (and `appsecret_proof` when the app has a secret) for Graph requests. */
  messengerQuery(): Record<string, string> {
    const { accessToken, appSecret } = this.target.messenger;
    return {
      access_token: accessToken,
      ...(appSecret ? { appsecret_proof: createHmac("sha256", appSecret).update(accessToken).digest("hex") } : {}),
    };
  }

  /** Forgets the suite's own account once the cleanup confirmed it deleted. */
  accountDeleted(username: string): void {
    if (this.createdUser?.username !== username) return;
    this.createdUser = undefined;
    this.userTokenValue = undefined;
  }
}

/** The cleanup's time budget is spent: what is left stays on the target, and is reported. */
export class CleanupOutOfTime extends Error {
  override name = "CleanupOutOfTime";
  constructor() {
    super("the cleanup's time budget is spent");
  }
}

export { basic };

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
