/** Handlers of the application settings and media providers operations (FACTS §4). */
import { loadOpenApiDocument } from "../validation/openapi-document.ts";
import type { Context } from "hono";
import type { JsonReply } from "../edge/operation-types.ts";
import { specAjv, validationError } from "../edge/request-validation.ts";
import { WaHttpError, waMeta } from "../edge/wa-envelope.ts";
import type { WaOperation, WaOperationId } from "../edge/wa-routes.ts";
import { maskProvider, type MediaProvider, type ProviderStore } from "./provider-store.ts";
import { settingsSchemaFacts, type ApplicationSettings, type SettingsPatch, type StoredSettings } from "./settings-schema.ts";
import { changedPaths, type SettingsStore } from "./settings-store.ts";

type Operations = "getApplicationSettings" | "updateApplicationSettings" | "resetApplicationSettings" | "getMediaProviders" | "updateMediaProviders" | "deleteMediaProvider";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The largest delay in milliseconds, from the integer form of the spec's DelayMilliseconds. */
function delayMaximum(): number | undefined {
  const schema = loadOpenApiDocument().components.schemas!.DelayMilliseconds as {
    oneOf: Array<{ type: string; maximum?: number }>;
  };
  return schema.oneOf.find((branch) => branch.type === "integer")?.maximum;
}

/** Fields whose value is a string in the patch and an integer in the settings: delays sent as digit strings. */
function applyPatch(target: Record<string, unknown>, patch: Record<string, unknown>, prefix: string): void {
  const delay = specAjv().component("DelayMilliseconds");
  const maximum = delayMaximum();
  for (const [key, raw] of Object.entries(patch)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    let value = raw;
    if (dotted === "webhooks.url" && value === "") {
      // An empty URL unsets the webhook (callbacks are then dropped).
      delete target[key];
      continue;
    }
    if (typeof value === "string" && typeof target[key] === "number") {
      value = Number(value);
      if (!delay(value)) throw new WaHttpError(400, 1009, `${dotted} must be a whole number of milliseconds from 0 to ${maximum}`);
    }
    if (isObject(value) && isObject(target[key])) applyPatch(target[key] as Record<string, unknown>, value, dotted);
    else target[key] = structuredClone(value);
  }
}

/** Whether a changed leaf path (or one of its parents) needs a Coreapp restart. */
function needsRestart(path: string, restart: Set<string>): boolean {
  const parts = path.split(".");
  return parts.some((_, i) => restart.has(parts.slice(0, i + 1).join(".")));
}

const invalidValueDetails = (field: string): string | undefined => {
  if (field === "webhooks.url") return "webhooks.url must be an https:// URL (or an empty string to unset it)";
  if (field === "callback_backoff_delay_ms" || field === "max_callback_backoff_delay_ms") {
    const range = `from 0 to ${delayMaximum()}`;
    return `${field} must be a whole number of milliseconds ${range} (an integer or a string of digits)`;
  }
  return undefined;
};

/** The settings part of the WA operation table. */
export function settingsOperations(
  settings: SettingsStore,
  providers: ProviderStore,
  config: { waId: string; apiVersion: string },
): Pick<Record<WaOperationId, WaOperation>, Operations> {
  const meta = waMeta(config.apiVersion);
  const facts = settingsSchemaFacts();
  const fullSchema = specAjv().component("ApplicationSettings");
  const view = (stored: StoredSettings): ApplicationSettings => ({ ...stored, wa_id: config.waId });

  return {
    getApplicationSettings: {
      handler(c: Context) {
        const reply: JsonReply<"getApplicationSettings", 200> = { settings: { application: view(settings.get()) }, meta };
        return c.json(reply, 200);
      },
    },

    updateApplicationSettings: {
      validation: {
        invalidValueDetails,
        unknownFieldDetails: (field) =>
          facts.readOnly.has(field) ? `${field} is read-only and cannot be changed` : undefined,
      },
      handler(c: Context) {
        const patch = c.get("waBody") as SettingsPatch;
        const { before, after } = settings.update((current) => {
          const next = current as unknown as Record<string, unknown>;
          applyPatch(next, patch as Record<string, unknown>, "");
          // The merged document must still be a valid settings document; otherwise nothing is written.
          if (!fullSchema(view(next as unknown as StoredSettings))) throw validationError(fullSchema.errors);
          return next as unknown as StoredSettings;
        });
        const restart = changedPaths(before, after).filter((p) => needsRestart(p, facts.restartRequired));
        const reply: JsonReply<"updateApplicationSettings", 200> = { restart_required: restart, meta };
        return c.json(reply, 200);
      },
    },

    resetApplicationSettings: {
      handler(c: Context) {
        settings.reset();
        const reply: JsonReply<"resetApplicationSettings", 200> = { meta };
        return c.json(reply, 200);
      },
    },

    getMediaProviders: {
      handler(c: Context) {
        const reply: JsonReply<"getMediaProviders", 200> = {
          settings: { application: { media: { providers: providers.list().map(maskProvider) } } },
          meta,
        };
        return c.json(reply, 200);
      },
    },

    updateMediaProviders: {
      handler(c: Context) {
        const [provider] = c.get("waBody") as [MediaProvider];
        providers.put(provider);
        const reply: JsonReply<"updateMediaProviders", 200> = { meta };
        return c.json(reply, 200);
      },
    },

    deleteMediaProvider: {
      invalidPathParam: (c) => {
        throw new WaHttpError(404, 1006, `Media provider ${c.req.param("provider_name") ?? ""} not found`);
      },
      handler(c: Context) {
        const name = c.req.param("provider_name")!;
        if (!providers.remove(name)) throw new WaHttpError(404, 1006, `Media provider ${name} not found`);
        const reply: JsonReply<"deleteMediaProvider", 200> = { meta };
        return c.json(reply, 200);
      },
    },
  };
}
