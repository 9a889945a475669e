/**
 * What the suite knows about the media providers edge (`/v1/settings/application/media/providers`): list, create or
 * update by name, delete. POST overwrites by name and GET masks secrets, so a provider that existed before the run is
 * never written or deleted (their names are read first); the suite's own get fresh names, are deleted at the end and
 * confirmed gone by a listing without them.
 */
import fc from "fast-check";
import type { ContractRequest } from "../exchange.ts";
import type {
  Feature,
  OperationKnowledge,
  ResourceCleanup,
  StatefulModel,
  StateKeeper,
} from "../operation-knowledge.ts";
import type { ScenarioContext } from "../scenario-context.ts";
import { jsonOf, lastSegment, mayHaveSucceeded } from "./exchange-reading.ts";
import { uniqueName } from "./generated-names.ts";
import { refusedToNonAdmin, refusedWithoutCredentials, type RequestParts } from "./refusals.ts";

const PROVIDERS_PATH = "/v1/settings/application/media/providers";
const providerPath = (name: string) => `${PROVIDERS_PATH}/${encodeURIComponent(name)}`;

/** The names a providers listing holds, or undefined when the reply has no list. */
export function listedProviders(text: string | undefined): string[] | undefined {
  const list = (jsonOf(text) as { settings?: { application?: { media?: { providers?: unknown } } } } | undefined)
    ?.settings?.application?.media?.providers;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((p) =>
    typeof (p as { name?: unknown })?.name === "string" ? [(p as { name: string }).name] : [],
  );
}

/** A provider under a fresh name, as a request body. */
const newProvider: RequestParts = () => ({
  json: [{ name: uniqueName("contract-cdn"), type: "www", config: { bearer: "x" } }],
});
/** The path of a provider nobody created. */
const unknownProvider: RequestParts = () => ({ params: { provider_name: uniqueName("contract-none") } });

async function createProvider(ctx: ScenarioContext): Promise<string> {
  const name = uniqueName("contract-cdn");
  await ctx.call(
    "updateMediaProviders",
    { auth: "admin", json: [{ name, type: "www", config: { bearer: "contract-secret" } }], valid: true },
    200,
  );
  return name;
}

const getMediaProviders: OperationKnowledge = {
  operationId: "getMediaProviders",
  effect: "read",
  note: "reads",
  scenarios: [
    {
      status: 200,
      name: "secrets come back masked",
      changes: [],
      run: async (ctx) => void (await ctx.call("getMediaProviders", { auth: "admin", valid: true }, 200)),
    },
    refusedWithoutCredentials("getMediaProviders"),
    refusedToNonAdmin("getMediaProviders"),
  ],
  accepts: () => [200],
  track(ledger, _req, res) {
    if (res?.status !== 200) return;
    const listed = listedProviders(res.text);
    if (!listed) return;
    // A listing is the read of every provider: the run's own that it lacks are gone.
    for (const name of ledger.ids("providers")) {
      if (listed.includes(name)) ledger.present("providers", name);
      else ledger.gone("providers", name);
    }
  },
};

const updateMediaProviders: OperationKnowledge = {
  operationId: "updateMediaProviders",
  effect: "undoable",
  note: "only providers under fresh names, deleted at the end (POST overwrites by name and GET masks secrets)",
  scenarios: [
    {
      status: 200,
      name: "a bearer provider is listed, masked",
      changes: ["updateMediaProviders"],
      run: async (ctx) => {
        const name = await createProvider(ctx);
        await ctx.call("getMediaProviders", { auth: "admin", valid: true }, 200, (res) =>
          listedProviders(res.text)?.includes(name) ? undefined : `provider ${name} is not listed after it was created`,
        );
      },
    },
    {
      status: 400,
      name: "config with both basic and bearer",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          {
            auth: "admin",
            json: [
              {
                name: uniqueName("contract-cdn"),
                type: "www",
                config: { bearer: "x", basic: { username: "u", password: "p" } },
              },
            ],
            valid: false,
          },
          400,
        )),
    },
    refusedWithoutCredentials("updateMediaProviders", newProvider),
    refusedToNonAdmin("updateMediaProviders", newProvider),
    {
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          { auth: "admin", raw: "[]", contentType: "text/plain", valid: false },
          415,
        )),
    },
  ],
  accepts: () => [200],
  track(ledger, req, res) {
    const body = jsonOf(req.body);
    if (!Array.isArray(body) || !mayHaveSucceeded(req.operationId, res?.status)) return;
    for (const p of body as Array<{ name?: unknown }>)
      if (typeof p?.name === "string" && !ledger.existedBefore(p.name)) ledger.created("providers", p.name);
  },
  fuzz: {
    // Never a provider that was there before the run: POST overwrites by name and GET masks secrets.
    jsonBody: (value, ctx) =>
      Array.isArray(value) && value.some((p) => typeof p?.name === "string" && ctx.session.ledger.existedBefore(p.name))
        ? undefined
        : value,
  },
};

const deleteMediaProvider: OperationKnowledge = {
  operationId: "deleteMediaProvider",
  effect: "undoable",
  note: "only providers the suite created (other names are fresh)",
  scenarios: [
    {
      status: 200,
      name: "delete, then 404",
      changes: ["updateMediaProviders", "deleteMediaProvider"],
      run: async (ctx) => {
        const name = await createProvider(ctx);
        await ctx.call("deleteMediaProvider", { params: { provider_name: name }, auth: "admin", valid: true }, 200);
        await ctx.call("deleteMediaProvider", { params: { provider_name: name }, auth: "admin", valid: true }, 404);
      },
    },
    refusedWithoutCredentials("deleteMediaProvider", unknownProvider),
    refusedToNonAdmin("deleteMediaProvider", unknownProvider),
    {
      status: 404,
      name: "unknown provider",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteMediaProvider",
          { params: { provider_name: uniqueName("none") }, auth: "admin", valid: true },
          404,
        )),
    },
  ],
  accepts: () => [200, 404],
  track(ledger, req, res) {
    const name = lastSegment(req.path);
    if (name !== undefined && res?.status === 404) ledger.gone("providers", name);
  },
  fuzz: {
    pathParams: {
      // Never a provider that was there before the run.
      providername: (ctx, fromSchema) => {
        const own = ctx.ids("providers");
        return (own.length ? fc.oneof(fc.constantFrom(...own), fromSchema) : fromSchema).filter(
          (n) => !ctx.session.ledger.existedBefore(n),
        );
      },
    },
  },
};

const providerCleanup: ResourceCleanup = {
  kind: "providers",
  label: "media providers",
  operationId: "deleteMediaProvider",
  remove: (name) => ({ operationId: "deleteMediaProvider", method: "DELETE", path: providerPath(name) }),
  confirm: (name) => ({
    request: { operationId: "getMediaProviders", method: "GET", path: PROVIDERS_PATH },
    isGone: (res) => {
      const listed = res.status === 200 ? listedProviders(res.text) : undefined;
      return listed === undefined ? undefined : !listed.includes(name);
    },
  }),
  confirmedBy: "a listing of the providers without it",
};

/** Reads the provider names before the run: those are never written or deleted. */
const providersKeeper: StateKeeper = {
  name: "the providers that existed before the run are left alone",
  operationId: "getMediaProviders",
  async read(io, ledger) {
    const res = await io.send(
      { operationId: "getMediaProviders", method: "GET", path: PROVIDERS_PATH },
      [200],
      "the media providers can be listed (so that the run never touches an existing one)",
    );
    const names = listedProviders(res.text);
    if (!names)
      throw new Error(
        `the providers reply has no settings.application.media.providers list: ${(res.text ?? "").slice(0, 200)}`,
      );
    ledger.snapshot.providerNames = new Set(names);
  },
};

/** create -> listed (available) -> delete -> 404 on the next delete -> no longer listed. */
const providerLifecycle: StatefulModel = {
  name: "create provider -> listed -> delete -> 404",
  operations: ["updateMediaProviders", "getMediaProviders", "deleteMediaProvider"],
  async run(ctx, runs, assertProperty) {
    const s = ctx.session;
    const headers = { authorization: ctx.adminHeaders.authorization! };
    const list = (rule: string, check: (names: string[]) => string | undefined) =>
      s.exchange(
        { operationId: "getMediaProviders", method: "GET", path: PROVIDERS_PATH, headers },
        { expect: 200, rule, check: (res) => check(listedProviders(res.text) ?? []) },
      );
    await assertProperty(
      fc.tuple(fc.boolean(), fc.stringMatching(/^[a-z0-9]{1,12}$/)),
      async ([withBearer, suffix]) => {
        const name = `${uniqueName("contract-model")}-${suffix}`;
        const config = withBearer ? { bearer: "contract-secret" } : { basic: { username: "u", password: "p4ss!W0rd" } };
        await s.exchange(
          {
            operationId: "updateMediaProviders",
            method: "POST",
            path: PROVIDERS_PATH,
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify([{ name, type: "www", config }]),
          },
          { expect: 200, rule: "a provider is created" },
        );
        await list("a created provider is listed (ensure resource availability)", (names) =>
          names.includes(name) ? undefined : `provider ${name} is not listed after it was created`,
        );
        const remove = (): ContractRequest => ({
          operationId: "deleteMediaProvider",
          method: "DELETE",
          path: providerPath(name),
          headers,
        });
        await s.exchange(remove(), { expect: 200, rule: "the provider is deleted" });
        await s.exchange(remove(), { expect: 404, rule: "a deleted provider is gone (use after free)" });
        await list("a deleted provider is no longer listed", (names) =>
          names.includes(name) ? `provider ${name} is still listed after it was deleted` : undefined,
        );
      },
      Math.max(1, Math.ceil(runs / 2)),
    );
  },
};

/** The media providers feature. */
export const providersFeature: Feature = {
  name: "media providers",
  operations: [getMediaProviders, updateMediaProviders, deleteMediaProvider],
  resources: [providerCleanup],
  state: providersKeeper,
  statefulModels: [providerLifecycle],
};
