/**
 * What the suite knows about the WA application settings (`/v1/settings/application`): read, partial update, reset.
 * The settings are read before the run and put back at the end with one PATCH of the values that changed, then read
 * again; what no PATCH can set back (`pass_through` once off, a setting the spec does not describe) is reported. A
 * reset cannot be undone, so it runs only with `--destructive`, and generated patches never turn `pass_through` off
 * when it was on.
 */
import type { Feature, OperationKnowledge, StatefulModel, StateKeeper } from "../operation-knowledge.ts";
import { resolveSchema, schemaArbitrary } from "../schema-arbitrary.ts";
import { safeUrls } from "../safe-urls.ts";
import { getOperation, loadOpenApiDocument, type JsonSchema } from "../../spec-model/openapi-document.ts";
import type { ContractRequest } from "../exchange.ts";
import type { FuzzContext } from "../fuzz-context.ts";
import type { Ledger } from "../ledger.ts";
import { jsonOf, mayHaveSucceeded } from "./exchange-reading.ts";
import { refusedToNonAdmin, refusedWithoutCredentials } from "./refusals.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Settings = Record<string, Json>;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const SETTINGS_PATH = "/v1/settings/application";

/** A PATCH body that sets `now` back to `before`, and the settings no PATCH can set back. */
export function restoringPatch(before: Settings, now: Settings): { patch: Settings; unrestorable: string[] } {
  const doc = loadOpenApiDocument();
  const root = getOperation("updateApplicationSettings").operation.requestBody!.content["application/json"]!.schema!;
  const unrestorable: string[] = [];
  const walk = (b: Settings, n: Settings, schema: JsonSchema, at: string): Settings => {
    const props = (resolveSchema(doc, schema).properties ?? {}) as Record<string, JsonSchema>;
    const out: Settings = {};
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
        const child = walk(b[key] as Settings, n[key] as Settings, prop, path);
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
export function settingsDifferences(before: Settings, now: Settings, at = ""): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(now)])) {
    const path = at ? `${at}.${key}` : key;
    if (path === "wa_id") continue;
    if (isObject(before[key]) && isObject(now[key]))
      out.push(...settingsDifferences(before[key] as Settings, now[key] as Settings, path));
    else if (JSON.stringify(before[key]) !== JSON.stringify(now[key]))
      out.push(`${path}: ${JSON.stringify(before[key])} before, ${JSON.stringify(now[key])} now`);
  }
  return out;
}

/** Leaves `pass_through` out of a patch when it was true before the run: no PATCH could set it back. */
function keepRestorable(ctx: FuzzContext, patch: unknown): unknown {
  if (ctx.session.ledger.snapshot.settings?.pass_through !== true || !isObject(patch)) return patch;
  const { pass_through: _dropped, ...rest } = patch;
  return rest;
}

/** The defaults the spec states (`x-default`), as a settings document. */
function specDefaults(schema: JsonSchema): unknown {
  const s = resolveSchema(loadOpenApiDocument(), schema);
  if (s.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      const d = specDefaults(v);
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : s["x-default"];
  }
  return s["x-default"];
}

/** Every leaf of `expected` (a patch or the defaults) has the same value in `actual`; returns the first difference. */
function leafDifference(expected: unknown, actual: unknown, at = ""): string | undefined {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) {
      const d = leafDifference(v, (actual as Record<string, unknown> | undefined)?.[k], `${at}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  const norm = (v: unknown) => (typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : v === "" ? undefined : v);
  return JSON.stringify(norm(expected)) === JSON.stringify(norm(actual))
    ? undefined
    : `${at || "(root)"}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

const touched = (ledger: Ledger, req: ContractRequest, res: { status: number } | undefined) => {
  // A refusal changed nothing; a success, a fault or a missing reply may have.
  if (mayHaveSucceeded(req.operationId, res?.status)) ledger.settingsTouched = true;
};

const getApplicationSettings: OperationKnowledge = {
  operationId: "getApplicationSettings",
  effect: "read",
  note: "reads",
  scenarios: [
    {
      status: 200,
      name: "admin reads",
      changes: [],
      run: async (ctx) => void (await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200)),
    },
    refusedWithoutCredentials("getApplicationSettings"),
    refusedToNonAdmin("getApplicationSettings"),
  ],
  accepts: () => [200],
};

const updateApplicationSettings: OperationKnowledge = {
  operationId: "updateApplicationSettings",
  effect: "undoable",
  note: "the settings are read first and the values the suite changed are restored with one PATCH at the end",
  scenarios: [
    {
      status: 200,
      name: "a partial patch shows in GET",
      changes: ["updateApplicationSettings"],
      run: async (ctx) => {
        type Sent = { settings: { application: { sent_status: boolean } } };
        const before = ctx.json<Sent>(await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200));
        const sent = !before.settings.application.sent_status;
        await ctx.call("updateApplicationSettings", { auth: "admin", json: { sent_status: sent }, valid: true }, 200);
        await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200, (res) =>
          ctx.json<Sent>(res).settings.application.sent_status === sent
            ? undefined
            : "the patched sent_status is not what GET returns",
        );
      },
    },
    {
      status: 400,
      name: "pass_through cannot be turned on",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "admin", json: { pass_through: true }, valid: false },
          400,
        )),
    },
    refusedWithoutCredentials("updateApplicationSettings", () => ({ json: { sent_status: true } })),
    refusedToNonAdmin("updateApplicationSettings", () => ({ json: { sent_status: true } })),
    {
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "admin", raw: '{"sent_status":true}', contentType: "text/plain", valid: false },
          415,
        )),
    },
  ],
  accepts: () => [200],
  track: (ledger, req, res) => touched(ledger, req, res),
  fuzz: { jsonBody: (value, ctx) => keepRestorable(ctx, value) },
};

const resetApplicationSettings: OperationKnowledge = {
  operationId: "resetApplicationSettings",
  effect: "irreversible",
  note: "resets every setting to its default; a PATCH cannot set pass_through back to true",
  scenarios: [
    {
      status: 200,
      name: "admin resets",
      changes: ["resetApplicationSettings"],
      run: async (ctx) => void (await ctx.call("resetApplicationSettings", { auth: "admin", valid: true }, 200)),
    },
    refusedWithoutCredentials("resetApplicationSettings"),
    // A target that does not enforce roles would reset: a valid token on this operation needs --destructive.
    refusedToNonAdmin("resetApplicationSettings", undefined, ["resetApplicationSettings"]),
  ],
  accepts: () => [200],
  track(ledger, req, res) {
    touched(ledger, req, res);
    if (mayHaveSucceeded(req.operationId, res?.status)) ledger.settingsReset = true;
  },
};

/** patch -> get shows it (-> reset -> the spec's defaults, with --destructive) -> a PATCH restores. */
const settingsModel: StatefulModel = {
  name: "patch -> get -> (reset -> defaults) -> restore",
  operations: ["updateApplicationSettings", "getApplicationSettings"],
  destructiveOperations: ["resetApplicationSettings"],
  async run(ctx, runs, assertProperty) {
    const s = ctx.session;
    const destructive = s.target.destructive;
    const headers = { authorization: ctx.adminHeaders.authorization! };
    const patchSchema =
      getOperation("updateApplicationSettings").operation.requestBody!.content["application/json"]!.schema!;
    const defaults = specDefaults({ $ref: "#/components/schemas/ApplicationSettings" });
    const get = async () => {
      const res = await s.exchange(
        { operationId: "getApplicationSettings", method: "GET", path: SETTINGS_PATH, headers },
        { expect: 200 },
      );
      return (JSON.parse(res.text!) as { settings: { application: Settings } }).settings.application;
    };
    const patchRequest = (patch: unknown, rule: string) =>
      s.exchange(
        {
          operationId: "updateApplicationSettings",
          method: "PATCH",
          path: SETTINGS_PATH,
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(patch),
        },
        { expect: 200, rule },
      );
    await assertProperty(
      schemaArbitrary(patchSchema).map((p) => keepRestorable(ctx, safeUrls(p, undefined, 1))),
      async (patch) => {
        const before = await get();
        await patchRequest(patch, "a valid patch is applied");
        const diff = leafDifference(patch, await get());
        if (diff)
          throw new Error(
            `updateApplicationSettings broke rule "patch -> get shows the patch": ${diff}; ` +
              `patch ${JSON.stringify(patch)}`,
          );
        if (destructive) {
          await s.exchange(
            { operationId: "resetApplicationSettings", method: "DELETE", path: SETTINGS_PATH, headers },
            { expect: 200 },
          );
          const back = leafDifference(defaults, await get());
          if (back) throw new Error(`resetApplicationSettings broke rule "reset -> the spec's defaults": ${back}`);
        }
        const { patch: restore, unrestorable } = restoringPatch(before, await get());
        if (Object.keys(restore).length) await patchRequest(restore, "a PATCH of the previous values is applied");
        const again = await get();
        const left = Object.keys(before).filter(
          (k) => k !== "wa_id" && !unrestorable.includes(k) && JSON.stringify(before[k]) !== JSON.stringify(again[k]),
        );
        if (left.length)
          throw new Error(
            `updateApplicationSettings broke rule "a PATCH of the previous values restores them": ` +
              `${left.join(", ")} differ; restoring patch ${JSON.stringify(restore)}`,
          );
      },
      runs,
    );
  },
};

/** Reads the settings before the run; at the end, one PATCH of what changed, then a read that must match. */
const settingsKeeper: StateKeeper = {
  name: "the application settings read back as before the run",
  operationId: "getApplicationSettings",
  async read(io, ledger) {
    const res = await io.send(
      { operationId: "getApplicationSettings", method: "GET", path: SETTINGS_PATH },
      [200],
      "the settings can be read (to restore them after the run)",
    );
    const current = (jsonOf(res.text) as { settings?: { application?: unknown } } | undefined)?.settings?.application;
    if (!isObject(current))
      throw new Error(`the settings reply has no settings.application object: ${(res.text ?? "").slice(0, 200)}`);
    ledger.snapshot.settings = current;
  },
  async restore(io, ledger) {
    const before = ledger.snapshot.settings as Settings;
    const read = async () => {
      const res = await io.send(
        { operationId: "getApplicationSettings", method: "GET", path: SETTINGS_PATH },
        [200],
        "read the settings",
      );
      const app = (jsonOf(res.text) as { settings?: { application?: unknown } } | undefined)?.settings?.application;
      if (!isObject(app)) throw new Error(`the settings reply has no settings.application object`);
      return app;
    };
    const { patch, unrestorable } = restoringPatch(before, await read());
    if (Object.keys(patch).length) {
      await io.send(
        { operationId: "updateApplicationSettings", method: "PATCH", path: SETTINGS_PATH, body: JSON.stringify(patch) },
        [200],
        "a PATCH of the values the run changed restores them",
      );
    }
    const left = settingsDifferences(before, await read());
    if (left.length) {
      const why = unrestorable.length ? ` (no PATCH can set back ${unrestorable.join(", ")})` : "";
      throw new Error(`the settings differ from before the run${why}: ${left.join("; ")}`);
    }
  },
};

/** The application settings feature. */
export const settingsFeature: Feature = {
  name: "settings",
  operations: [getApplicationSettings, updateApplicationSettings, resetApplicationSettings],
  state: settingsKeeper,
  statefulModels: [settingsModel],
};
