/**
 * Environment variables that were renamed, and reading a variable under either name. WhatsApp-only settings carry
 * their family's prefix `WA_` (as `WA_ID` and `WA_ADMIN_PASSWORD` always did), and the rendered API reference's
 * folder is `API_DOCS_DIR`; the names they had before are still read, as aliases (docs/configuration.md).
 */

/** New name -> the older name still accepted for it. When both are set, the new name wins. */
export const ENVIRONMENT_ALIASES: Readonly<Record<string, string>> = {
  WA_MEDIA_MAX_BYTES: "MEDIA_MAX_BYTES",
  WA_MEDIA_VOLUME_MAX_BYTES: "MEDIA_VOLUME_MAX_BYTES",
  WA_LOGIN_MAX_FAILURES_PER_ADDRESS: "LOGIN_MAX_FAILURES_PER_ADDRESS",
  WA_LOGIN_MAX_FAILURES_PER_USER: "LOGIN_MAX_FAILURES_PER_USER",
  WA_LOGIN_FAILURE_WINDOW_SECONDS: "LOGIN_FAILURE_WINDOW_SECONDS",
  API_DOCS_DIR: "DOCS_DIR",
};

/** A variable's trimmed value and the name it was read under (the one to name in a message about it). */
export interface EnvironmentValue {
  name: string;
  value: string;
}

function trimmed(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? undefined : raw.trim();
}

/**
 * The variable `name`, or its older alias when only that is set; undefined when neither is (an empty or blank value
 * counts as unset).
 */
export function environmentValue(env: NodeJS.ProcessEnv, name: string): EnvironmentValue | undefined {
  const value = trimmed(env, name);
  if (value !== undefined) return { name, value };
  const alias = ENVIRONMENT_ALIASES[name];
  const aliased = alias === undefined ? undefined : trimmed(env, alias);
  return aliased === undefined ? undefined : { name: alias!, value: aliased };
}
