/**
 * Handlers of the application settings and media providers operations (`spec/paths/v1_settings_application.yaml`,
 * `spec/paths/v1_settings_application_media_providers*.yaml`, `#/components/schemas/ApplicationSettings`).
 */
import type { HandlerTable } from "../edge/operation-handler.ts";
import { whatsAppErrors, whatsAppMeta } from "../edge/whatsapp-envelope.ts";
import { validationError } from "../edge/whatsapp-validation-errors.ts";
import type { WhatsAppAuth } from "../edge/whatsapp-security.ts";
import type { ProviderRecords } from "../storage/records.ts";
import { ajvFor } from "../../spec-model/openapi-ajv.ts";
import type { OpenApiDocument } from "../../spec-model/openapi-document.ts";
import { maskProvider } from "./provider-masking.ts";
import { settingsSchemaFacts, type ApplicationSettings, type StoredSettings } from "./settings-schema.ts";
import { changedPaths, type SettingsStore } from "./settings-store.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a changed leaf path (or one of its parents) needs a Coreapp restart. */
function needsRestart(path: string, restart: Set<string>): boolean {
  const parts = path.split(".");
  return parts.some((_, i) => restart.has(parts.slice(0, i + 1).join(".")));
}

/** What the settings handlers work with. */
export interface SettingsHandlerDeps {
  spec: OpenApiDocument;
  settings: SettingsStore;
  providers: ProviderRecords;
  config: { waId: string; apiVersion: string };
}

/** The settings part of the WA handler table. */
export function settingsHandlers({
  spec,
  settings,
  providers,
  config,
}: SettingsHandlerDeps): HandlerTable<WhatsAppAuth> {
  const meta = whatsAppMeta(config.apiVersion);
  const facts = settingsSchemaFacts(spec);
  const ajv = ajvFor(spec);
  const fullSchema = ajv.component("ApplicationSettings");
  const delay = ajv.component("DelayMilliseconds");
  // DelayMilliseconds is an integer or a string of digits: the bound is the integer branch's.
  const { oneOf } = spec.components.schemas!.DelayMilliseconds as { oneOf: Array<{ type: string; maximum?: number }> };
  const maximum = oneOf.find((branch) => branch.type === "integer")?.maximum;
  const view = (stored: StoredSettings): ApplicationSettings => ({ ...stored, wa_id: config.waId });
  const isApplicationSettings = (value: unknown): value is ApplicationSettings => fullSchema(value);

  const invalidValueDetails = (field: string): string | undefined => {
    if (field === "webhooks.url") return "webhooks.url must be an https:// URL (or an empty string to unset it)";
    if (field === "callback_backoff_delay_ms" || field === "max_callback_backoff_delay_ms") {
      const range = `from 0 to ${maximum}`;
      return `${field} must be a whole number of milliseconds ${range} (an integer or a string of digits)`;
    }
    return undefined;
  };

  /** Merges a patch into `target`; delays sent as digit strings become the integers the settings hold. */
  function applyPatch(target: Record<string, unknown>, patch: Record<string, unknown>, prefix: string): void {
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
        if (!delay(value))
          throw whatsAppErrors.invalidParameter(
            `${dotted} must be a whole number of milliseconds from 0 to ${maximum}`,
          );
      }
      if (isObject(value) && isObject(target[key])) applyPatch(target[key] as Record<string, unknown>, value, dotted);
      else target[key] = structuredClone(value);
    }
  }

  // The read reply of the current settings, built once per settings document: the registrar serialises a frozen
  // reply once, and this is every admin's hot path.
  let readReply: {
    stored: StoredSettings;
    reply: { settings: { application: ApplicationSettings }; meta: typeof meta };
  };
  const replyFor = (stored: StoredSettings) => {
    if (readReply?.stored !== stored) {
      readReply = { stored, reply: Object.freeze({ settings: { application: view(stored) }, meta }) };
    }
    return { status: 200 as const, body: readReply.reply };
  };

  return {
    getApplicationSettings: {
      // Without a promise when the document is in memory (storage this process alone writes).
      handle: () => {
        const stored = settings.get();
        return stored instanceof Promise ? stored.then(replyFor) : replyFor(stored);
      },
    },

    updateApplicationSettings: {
      validation: {
        invalidValue: invalidValueDetails,
        unknownField: (field) =>
          facts.readOnly.has(field) ? `${field} is read-only and cannot be changed` : undefined,
      },
      async handle({ body }) {
        const { before, after } = await settings.update((current) => {
          const next: Record<string, unknown> = view(current);
          applyPatch(next, body, "");
          // The merged document must still be a valid settings document; otherwise nothing is written.
          if (!isApplicationSettings(next)) throw validationError(fullSchema.errors);
          const { wa_id: _waId, ...stored } = next;
          return stored;
        });
        const restart = changedPaths(before, after).filter((p) => needsRestart(p, facts.restartRequired));
        return { status: 200, body: { restart_required: restart, meta } };
      },
    },

    resetApplicationSettings: {
      async handle() {
        await settings.reset();
        return { status: 200, body: { meta } };
      },
    },

    getMediaProviders: {
      handle: async () => {
        const listed = (await providers.list()).map(maskProvider);
        return { status: 200, body: { settings: { application: { media: { providers: listed } } }, meta } };
      },
    },

    updateMediaProviders: {
      async handle({ body }) {
        const [provider] = body;
        if (provider) await providers.put(provider);
        return { status: 200, body: { meta } };
      },
    },

    deleteMediaProvider: {
      invalidPathParameter: (_name, value) => {
        throw whatsAppErrors.notFound(`Media provider ${value} not found`);
      },
      async handle({ params }) {
        const name = params.provider_name;
        if (!(await providers.remove(name))) throw whatsAppErrors.notFound(`Media provider ${name} not found`);
        return { status: 200, body: { meta } };
      },
    },
  };
}
