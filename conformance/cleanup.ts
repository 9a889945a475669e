/**
 * Leaving the target as it was found. Before the run, the state the features keep is read (the settings to restore,
 * the provider names never to touch). After it, whatever happened (a failure, Ctrl-C, a target that stopped
 * answering), within a time budget: the settings are put back and read again; every resource the ledger holds is
 * deleted the documented way and then confirmed gone by a read answering not-found; the run's login tokens are logged
 * out (the cleanup reuses the token it holds, logging in again only when the target refuses it). Whatever is not
 * confirmed gone is listed as left behind, and the run fails.
 */
import type { ContractRequest, ContractResponse } from "./exchange.ts";
import type { ResourceKind } from "./ledger.ts";
import { resourceCleanups, stateKeepers } from "./operation-catalog.ts";
import type { AdminIo } from "./operation-knowledge.ts";
import { firstLine, type RunReport } from "./run-report.ts";
import { CleanupOutOfTime, type ContractSession } from "./session.ts";

/** Time the cleanup may take: after Ctrl-C or a target that stopped answering, and otherwise. */
export const CLEANUP_BUDGET_MS = { afterStop: 25_000, normal: 300_000 } as const;

/** What the run left on the target, as the report lists it. */
export interface LeftBehind {
  media: string[];
  users: string[];
  providers: string[];
  /** Creations the run cannot account for by id (a reply without one, no reply). */
  maybeCreated: Array<{ kind: string; what: string }>;
  /** Login tokens not confirmed revoked (their number: tokens are never written out). */
  tokens: number;
  /** Settings that differ from before the run. */
  settings: string[];
  /** What cannot be undone (with `--destructive`): attachments, messages, a reset. */
  irreversible: string[];
}

/** The admin's way to the target for the preflight and the cleanup: replies not judged, one re-login on 401. */
function adminIo(session: ContractSession): AdminIo {
  return {
    async send(req, expect, rule) {
      const attempt = async (retry: boolean): Promise<ContractResponse> => {
        const request: ContractRequest = {
          ...req,
          headers: {
            authorization: `Bearer ${await session.adminToken()}`,
            ...(typeof req.body === "string" ? { "content-type": "application/json" } : {}),
          },
        };
        const res = await session.exchange(request, {
          expect: (status) => expect.includes(status) || (retry && status === 401),
          rule,
          unchecked: true,
        });
        if (res.status !== 401 || !retry || expect.includes(401)) return res;
        // The token the run held was revoked (a logout check) or expired (a moved clock): log in once more.
        session.forgetTokens();
        return attempt(false);
      };
      return attempt(true);
    },
  };
}

/** Reads what the run must put back or leave alone; false (with a failed check) when it cannot: no run then. */
export async function readStateBefore(session: ContractSession, report: RunReport): Promise<boolean> {
  const result = await report.run(
    "cleanup",
    "preflight",
    "log in and read the settings and providers to restore after the run",
    async () => {
      const io = adminIo(session);
      for (const keeper of stateKeepers()) {
        if (!session.covers(keeper.operationId)) continue;
        await keeper.read(io, session.ledger);
        session.ledger.statesRead.add(keeper.name);
      }
    },
  );
  return result.status !== "failed";
}

/** Puts the target back, one cleanup check per step, then the check that nothing is left behind. */
export async function leaveAsFound(session: ContractSession, report: RunReport): Promise<LeftBehind> {
  const budgetMs = session.interrupted ? CLEANUP_BUDGET_MS.afterStop : CLEANUP_BUDGET_MS.normal;
  session.beginRestoring(budgetMs);
  const ledger = session.ledger;
  const io = adminIo(session);
  const outOfTime = (err: unknown) =>
    err instanceof CleanupOutOfTime ? `not done: the cleanup's ${budgetMs / 1000} s ran out` : undefined;
  let settingsLeft: string[] = [];

  for (const keeper of stateKeepers()) {
    if (!keeper.restore || !session.covers(keeper.operationId)) continue;
    await report.run("cleanup", keeper.operationId, keeper.name, async () => {
      if (!ledger.statesRead.has(keeper.name)) throw new Error("it was not read before the run: nothing to restore");
      try {
        await keeper.restore!(io, ledger);
      } catch (err) {
        settingsLeft = [outOfTime(err) ?? firstLine((err as Error).message, 1000)];
        throw err;
      }
    });
  }

  for (const rc of resourceCleanups()) {
    if (!session.covers(rc.operationId)) continue;
    const ids = ledger.remaining(rc.kind);
    const name = `the ${rc.label} the run created are deleted and confirmed gone (${ids.length})`;
    await report.run("cleanup", rc.operationId, name, async () => {
      const problems: string[] = [];
      for (const id of ids) {
        try {
          await io.send(rc.remove(id), [200, 404], `delete the ${rc.label} the run created`);
          const { request, isGone } = rc.confirm(id);
          const res = await io.send(request, [200, 404], `confirm it is gone: ${rc.confirmedBy}`);
          if (isGone(res) === true) {
            ledger.gone(rc.kind, id);
            if (rc.kind === "users") session.accountDeleted(id);
          } else problems.push(`${id}: not confirmed gone (${rc.confirmedBy} expected; got ${res.status})`);
        } catch (err) {
          problems.push(`${id}: ${outOfTime(err) ?? firstLine((err as Error).message)}`);
        }
      }
      if (problems.length)
        throw new Error(`${problems.length} of ${ids.length} ${rc.label} not confirmed gone:\n${problems.join("\n")}`);
    });
  }

  // Last, as the cleanup's own login is one of them: every session the run opened is closed.
  if (session.covers("logoutUser")) {
    const tokens = [...ledger.tokens];
    await report.run("cleanup", "logoutUser", `the run's login tokens are logged out (${tokens.length})`, async () => {
      let failed = 0;
      let reason = "";
      for (const token of tokens) {
        try {
          // 401: already revoked (its user was deleted, or a password change revoked it); the ledger drops it.
          await session.exchange(
            {
              operationId: "logoutUser",
              method: "POST",
              path: "/v1/users/logout",
              headers: { authorization: `Bearer ${token}` },
            },
            { expect: [200, 401], rule: "log out a token the run obtained", unchecked: true },
          );
        } catch (err) {
          failed++;
          reason ||= outOfTime(err) ?? firstLine((err as Error).message);
        }
      }
      session.forgetTokens();
      if (failed) throw new Error(`${failed} token(s) could not be logged out: ${reason}`);
    });
  }

  const left = leftBehind(session, settingsLeft);
  const count = left.media.length + left.users.length + left.providers.length + left.maybeCreated.length + left.tokens;
  await report.run("cleanup", "run", "nothing the run created or changed is left on the target", async () => {
    const lines = [
      ...(["media", "users", "providers"] as const)
        .filter((k) => left[k].length)
        .map((k) => `${left[k].length} ${k}: ${left[k].slice(0, 20).join(", ")}`),
      ...left.maybeCreated.map((m) => `maybe created (${m.kind}): ${m.what}`),
      ...(left.tokens ? [`${left.tokens} login token(s) not logged out`] : []),
      ...left.settings.map((s) => `settings: ${s}`),
    ];
    if (count || left.settings.length) throw new Error(`left on the target:\n${lines.join("\n")}`);
  });
  return left;
}

/** What is still on the target by the ledger's account. */
export function leftBehind(session: ContractSession, settings: string[] = []): LeftBehind {
  const ledger = session.ledger;
  const kinds: ResourceKind[] = ["media", "users", "providers"];
  const [media, users, providers] = kinds.map((k) => ledger.remaining(k)) as [string[], string[], string[]];
  return {
    media,
    users,
    providers,
    // Attachments and messages cannot be undone by anyone: they are listed with what is irreversible.
    maybeCreated: ledger.maybeCreated.filter((m) => m.kind !== "attachments" && m.kind !== "messages"),
    tokens: ledger.tokens.size,
    settings,
    irreversible: [
      ...ledger.irreversible(),
      ...ledger.maybeCreated
        .filter((m) => m.kind === "attachments" || m.kind === "messages")
        .map((m) => `maybe ${m.kind === "messages" ? "sent" : "uploaded"}: ${m.what}`),
    ],
  };
}
