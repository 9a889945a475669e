/**
 * What the fuzz layer knows about the target while it runs: the credentials generated requests carry, the accounts
 * no generated request may touch, the login account a generated body may change the password of, and the ids the
 * run created (from the ledger), so that generated paths name them as well as unknown ones.
 */
import { randomBytes } from "node:crypto";
import type { WhatsAppAccount } from "./basic-auth.ts";
import { RunInterrupted } from "./run-report.ts";
import type { ResourceKind } from "./ledger.ts";
import type { ContractSession } from "./session.ts";

/** The account generated logins use; `own` when the suite created it (only then may a body change its password). */
export type LoginAccount = WhatsAppAccount & { own: boolean };

export class FuzzContext {
  readonly protectedUsers = new Set<string>(["admin"]);
  adminHeaders: Record<string, string> = {};
  userHeaders?: Record<string, string>;
  loginAccount!: LoginAccount;
  /** Tokens minted ahead for generated logouts (each revokes the token it carries). */
  readonly freshTokens: string[] = [];
  /** Marks the names this run generates on someone else's deployment (`ct-<tag>-...`). */
  readonly runTag = randomBytes(4).toString("hex");

  constructor(readonly session: ContractSession) {}

  /** Why the admin could not log in (the WA operations' checks then fail or skip with it). */
  adminFailure?: Error;

  /** Logs in as needed; runs again after an operation that may have revoked the tokens in use. */
  async prepare(): Promise<void> {
    if (!this.session.target.families.includes("whatsapp")) return;
    try {
      this.adminHeaders = (await this.session.credentials("createUser", "admin"))!.headers;
      this.adminFailure = undefined;
    } catch (err) {
      if (err instanceof RunInterrupted) throw err;
      this.adminHeaders = {};
      this.adminFailure = err as Error;
    }
    this.userHeaders = await this.session
      .credentials("createUser", "user")
      .then((c) => c?.headers)
      .catch(() => undefined);
    const t = this.session.target;
    this.protectedUsers.add(t.admin.username);
    if (t.user) this.protectedUsers.add(t.user.username);
    const created = this.session.ownAccount();
    if (created) this.protectedUsers.add(created.username);
    // Only an account the suite created itself may have its password changed by a generated login body; the
    // object is the session's own, so a changed password is seen by later logins too.
    this.loginAccount = created ? Object.assign(created, { own: true }) : { ...t.admin, own: false };
  }

  /** Ids the run created of a kind (for generated paths to name). */
  ids(kind: ResourceKind): string[] {
    return this.session.ledger.ids(kind);
  }
}
