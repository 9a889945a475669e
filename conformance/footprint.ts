/**
 * What the suite changed on the target, and how it puts the target back as it found it. Every reply of the run is
 * observed (`observe`), whatever layer sent it and even when the target wrongly accepted a request that should have
 * been refused: media uploaded, users created, providers created, settings changed. `begin` reads the settings and
 * the provider names before anything runs; `leaveAsFound` deletes what was created and restores the changed settings
 * with one PATCH, then reads them back. What cannot be undone (attachments, messages, a reset of `pass_through`) is
 * counted and reported.
 */
import type { ContractRequest, ContractResponse } from "./exchange.ts";
import { CheckSkipped, type RunReport } from "./run-report.ts";
import { resolveSchema } from "./schema-arbitrary.ts";
import { getOperation, loadOpenApiDocument, type JsonSchema } from "./spec.ts";
import type { ContractSession } from "./session.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const ok = (res: ContractResponse) => res.status >= 200 && res.status < 300;
const lastSegment = (path: string) => {
  try {
    return decodeURIComponent(path.split("?")[0]!.split("/").pop() ?? "");
  } catch {
    return undefined;
  }
};
function jsonOf(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The state read before the run. */
export interface TargetSnapshot {
  settings: Record<string, Json>;
  providerNames: Set<string>;
}

/** A PATCH body that sets `now` back to `before`, and the settings no PATCH can set back. */
export function restoringPatch(
  before: Record<string, Json>,
  now: Record<string, Json>,
): { patch: Record<string, Json>; unrestorable: string[] } {
  const doc = loadOpenApiDocument();
  const root = getOperation("updateApplicationSettings").operation.requestBody!.content["application/json"]!.schema!;
  const unrestorable: string[] = [];
  const walk = (
    b: Record<string, Json>,
    n: Record<string, Json>,
    schema: JsonSchema,
    at: string,
  ): Record<string, Json> => {
    const props = (resolveSchema(doc, schema).properties ?? {}) as Record<string, JsonSchema>;
    const out: Record<string, Json> = {};
    for (const key of new Set([...Object.keys(b), ...Object.keys(n)])) {
      const path = at ? `${at}.${key}` : key;
      if (JSON.stringify(b[key]) === JSON.stringify(n[key])) continue;
      const prop = props[key];
      if (!prop) {
        // Not settable by PATCH: read-only (wa_id) or a setting this spec does not describe.
        if (key !== "wa_id") unrestorable.push(path);
        continue;
      }
      if (isObject(b[key]) && isObject(n[key])) {
        const child = walk(b[key] as Record<string, Json>, n[key] as Record<string, Json>, prop, path);
        if (Object.keys(child).length) out[key] = child;
      } else if (b[key] === undefined) {
        // Set during the run, unset before: only the webhook URL can be unset (with an empty string).
        if (path === "webhooks.url") out[key] = "";
        else unrestorable.push(path);
      } else if (path === "pass_through" && b[key] === true) {
        unrestorable.push(path);
      } else {
        out[key] = b[key]!;
      }
    }
    return out;
  };
  return { patch: walk(before, now, root, ""), unrestorable };
}

/** Leaf paths where two settings documents differ (wa_id aside). */
function differences(before: Record<string, Json>, now: Record<string, Json>, at = ""): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(now)])) {
    const path = at ? `${at}.${key}` : key;
    if (path === "wa_id") continue;
    if (isObject(before[key]) && isObject(now[key]))
      out.push(...differences(before[key] as Record<string, Json>, now[key] as Record<string, Json>, path));
    else if (JSON.stringify(before[key]) !== JSON.stringify(now[key]))
      out.push(`${path}: ${JSON.stringify(before[key])} before, ${JSON.stringify(now[key])} now`);
  }
  return out;
}

/** What the run created or changed on the target. */
export class TargetFootprint {
  readonly media = new Set<string>();
  readonly users = new Set<string>();
  /** Every user the run created, deleted or not. */
  private readonly createdUsers = new Set<string>();
  readonly providers = new Set<string>();
  /** Attachment ids uploaded (the Graph API cannot delete them). */
  readonly attachments: string[] = [];
  messagesSent = 0;
  settingsChanged = false;
  settingsReset = false;
  /** Bearer tokens the run's logins obtained and did not log out yet. */
  readonly tokens = new Set<string>();
  /** Accounts whose password a login changed. */
  readonly passwordsChanged = new Set<string>();
  snapshot?: TargetSnapshot;

  /** Notes what one reply changed. */
  observe(req: ContractRequest, res: ContractResponse): void {
    if (!ok(res)) return;
    const body = typeof req.body === "string" ? jsonOf(req.body) : undefined;
    switch (req.operationId) {
      case "uploadMedia": {
        const id = (jsonOf(res.text) as { media?: Array<{ id?: unknown }> } | undefined)?.media?.[0]?.id;
        if (typeof id === "string") this.media.add(id);
        break;
      }
      case "deleteMedia": {
        const id = lastSegment(req.path);
        if (id) this.media.delete(id);
        break;
      }
      case "createUser": {
        const name = (body as { username?: unknown } | undefined)?.username;
        if (typeof name === "string") {
          this.users.add(name);
          this.createdUsers.add(name);
        }
        break;
      }
      case "deleteUser": {
        const name = lastSegment(req.path);
        if (name) this.users.delete(name);
        break;
      }
      case "updateMediaProviders":
        if (Array.isArray(body))
          for (const p of body as Array<{ name?: unknown }>)
            if (typeof p?.name === "string") this.providers.add(p.name);
        break;
      case "deleteMediaProvider": {
        const name = lastSegment(req.path);
        if (name) this.providers.delete(name);
        break;
      }
      case "updateApplicationSettings":
        this.settingsChanged = true;
        break;
      case "resetApplicationSettings":
        this.settingsChanged = true;
        this.settingsReset = true;
        break;
      case "uploadAttachment": {
        const id = (jsonOf(res.text) as { attachment_id?: unknown } | undefined)?.attachment_id;
        this.attachments.push(typeof id === "string" ? id : "(unknown id)");
        break;
      }
      case "sendMessage":
        this.messagesSent++;
        break;
      case "logoutUser": {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers?.authorization ?? "")?.[1];
        if (token) this.tokens.delete(token);
        break;
      }
      case "loginUser": {
        const token = (jsonOf(res.text) as { users?: Array<{ token?: unknown }> } | undefined)?.users?.[0]?.token;
        if (typeof token === "string") this.tokens.add(token);
        const changed = (body as { new_password?: unknown } | undefined)?.new_password;
        const m = /^Basic\s+(\S+)$/i.exec(req.headers?.authorization ?? "");
        if (typeof changed === "string" && m)
          this.passwordsChanged.add(Buffer.from(m[1]!, "base64").toString("utf8").split(":")[0]!);
        break;
      }
    }
  }

  /** Reads what the run must be able to put back; throws when it cannot (the run must not start then). */
  async begin(session: ContractSession): Promise<void> {
    if (!session.target.families.includes("whatsapp")) return;
    const auth = { authorization: `Bearer ${await session.adminToken()}` };
    const settings = await session.exchange(
      { operationId: "getApplicationSettings", method: "GET", path: "/v1/settings/application", headers: auth },
      { expect: 200, rule: "the settings can be read (to restore them after the run)", unchecked: true },
    );
    const providers = await session.exchange(
      {
        operationId: "getMediaProviders",
        method: "GET",
        path: "/v1/settings/application/media/providers",
        headers: auth,
      },
      {
        expect: 200,
        rule: "the media providers can be listed (so that the run never touches an existing one)",
        unchecked: true,
      },
    );
    const list = (
      jsonOf(providers.text) as { settings?: { application?: { media?: { providers?: unknown } } } } | undefined
    )?.settings?.application?.media?.providers;
    const current = (jsonOf(settings.text) as { settings?: { application?: unknown } } | undefined)?.settings
      ?.application;
    if (!Array.isArray(list))
      throw new Error(
        `the providers reply has no settings.application.media.providers list: ${(providers.text ?? "").slice(0, 200)}`,
      );
    if (!isObject(current))
      throw new Error(`the settings reply has no settings.application object: ${(settings.text ?? "").slice(0, 200)}`);
    this.snapshot = {
      settings: current,
      providerNames: new Set(
        list.flatMap((p) =>
          typeof (p as { name?: unknown })?.name === "string" ? [(p as { name: string }).name] : [],
        ),
      ),
    };
  }

  /** Whether a provider name existed before the run (the run must never write or delete it). */
  existedBefore(providerName: string): boolean {
    return this.snapshot?.providerNames.has(providerName) ?? false;
  }

  /**
   * Puts the target back: restores the settings, deletes created media, providers and users; one cleanup check each.
   */
  async leaveAsFound(session: ContractSession, report: RunReport): Promise<void> {
    session.beginRestoring();
    const whatsapp = session.target.families.includes("whatsapp");
    if (whatsapp) {
      // Tokens may have been revoked by logout checks or expired on a moved clock: one fresh login for the cleanup.
      session.forgetTokens();
      let auth: Record<string, string> | undefined;
      const adminAuth = async () => (auth ??= { authorization: `Bearer ${await session.adminToken()}` });
      const send = (req: Omit<ContractRequest, "headers">, expect: number | number[], rule: string) =>
        adminAuth().then((headers) =>
          session.exchange(
            {
              ...req,
              headers: { ...headers, ...(req.body !== undefined ? { "content-type": "application/json" } : {}) },
            },
            { expect, rule, restoring: true, unchecked: true },
          ),
        );

      await report.run(
        "cleanup",
        "getApplicationSettings",
        "the application settings read back as before the run",
        async () => {
          if (!this.snapshot) throw new CheckSkipped("the settings were not read before the run");
          const read = async () =>
            (
              jsonOf(
                (
                  await send(
                    { operationId: "getApplicationSettings", method: "GET", path: "/v1/settings/application" },
                    200,
                    "read the settings",
                  )
                ).text,
              ) as {
                settings: { application: Record<string, Json> };
              }
            ).settings.application;
          const { patch, unrestorable } = restoringPatch(this.snapshot.settings, await read());
          if (Object.keys(patch).length) {
            await send(
              {
                operationId: "updateApplicationSettings",
                method: "PATCH",
                path: "/v1/settings/application",
                body: JSON.stringify(patch),
              },
              200,
              "a PATCH of the values the run changed restores them",
            );
          }
          const left = differences(this.snapshot.settings, await read());
          if (left.length) {
            const why = unrestorable.length ? ` (no PATCH can set back ${unrestorable.join(", ")})` : "";
            throw new Error(`the settings differ from before the run${why}: ${left.join("; ")}`);
          }
        },
      );
      const deleteEach = async (
        what: string,
        subject: string,
        names: Set<string>,
        request: (name: string) => Omit<ContractRequest, "headers">,
      ) => {
        const count = names.size;
        await report.run("cleanup", subject, `the ${what} the run created are deleted (${count})`, async () => {
          const problems: string[] = [];
          for (const name of [...names]) {
            try {
              await send(request(name), [200, 404], `delete the ${what} the run created`);
              names.delete(name);
            } catch (err) {
              problems.push(`${name}: ${(err as Error).message}`);
            }
          }
          if (problems.length)
            throw new Error(`${problems.length} of ${count} ${what} could not be deleted:\n${problems.join("\n")}`);
        });
      };
      await deleteEach("media providers", "deleteMediaProvider", this.providers, (name) => ({
        operationId: "deleteMediaProvider",
        method: "DELETE",
        path: `/v1/settings/application/media/providers/${encodeURIComponent(name)}`,
      }));
      await deleteEach("media", "deleteMedia", this.media, (id) => ({
        operationId: "deleteMedia",
        method: "DELETE",
        path: `/v1/media/${encodeURIComponent(id)}`,
      }));
      await deleteEach("users", "deleteUser", this.users, (name) => ({
        operationId: "deleteUser",
        method: "DELETE",
        path: `/v1/users/${encodeURIComponent(name)}`,
      }));
      // Last, as the cleanup's own login is one of them: every session the run opened is closed.
      const tokens = this.tokens;
      await report.run("cleanup", "logoutUser", `the run's login tokens are logged out (${tokens.size})`, async () => {
        let failed = 0;
        for (const token of [...tokens]) {
          try {
            await session.exchange(
              {
                operationId: "logoutUser",
                method: "POST",
                path: "/v1/users/logout",
                headers: { authorization: `Bearer ${token}` },
              },
              // 401: already revoked (its user was deleted, or a password change revoked it).
              { expect: [200, 401], rule: "log out a token the run obtained", restoring: true, unchecked: true },
            );
          } catch {
            failed++;
          }
          tokens.delete(token);
        }
        session.forgetTokens();
        if (failed) throw new Error(`${failed} token(s) could not be logged out`);
      });
      const own = session.ownAccount();
      if (own && !this.users.has(own.username)) session.accountDeleted(own.username);
    }
  }

  /** What the run left on the target that cannot be undone, as sentences (empty when nothing). */
  irreversible(): string[] {
    const out: string[] = [];
    if (this.attachments.length) {
      const ids = this.attachments.slice(0, 10).join(", ");
      out.push(`${this.attachments.length} attachment(s) uploaded (the Graph API cannot delete them): ${ids}`);
    }
    if (this.messagesSent) out.push(`${this.messagesSent} message(s) sent`);
    const foreign = [...this.passwordsChanged].filter((name) => !this.createdUsers.has(name));
    if (foreign.length) out.push(`the password of ${foreign.join(", ")} was changed by a login`);
    if (this.settingsReset)
      out.push(
        "the application settings were reset to their defaults at least once (then restored by PATCH where possible)",
      );
    return out;
  }
}
