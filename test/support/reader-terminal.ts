/** The environment of a reader's terminal, for tests that run documented commands as a reader pastes them. */

/**
 * This process's environment without what an npm script adds (`npm_*`, `INIT_CWD`: `npm_config_local_prefix` and the
 * like would send npm elsewhere), with `extra` on top.
 */
export function readerTerminal(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const terminal = Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$)/i.test(key));
  return { ...Object.fromEntries(terminal), ...extra };
}

/**
 * npm settings for registry installs in tests, as environment variables: no audit or funding requests and no update
 * check, and the local cache first (a test run installs the same versions again and again). They change neither what
 * a command installs nor the command itself.
 */
export const quietNpm: NodeJS.ProcessEnv = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_prefer_offline: "true",
};
