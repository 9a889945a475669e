/**
 * Node's built-in modules for the few features only Node has (a file path as an upload body, saving a download to a
 * file). They are reached through `process.getBuiltinModule` (Node 20.16+) rather than an `import` statement, so a
 * browser bundle of the client contains no `node:` import and the rest of the client runs anywhere fetch does.
 */

/** The Node built-in module `id` (e.g. `node:fs`), or undefined where there is none (a browser). */
export function nodeBuiltin<Module>(id: string): Module | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return runtime?.getBuiltinModule?.(id) as Module | undefined;
}

/** Like `nodeBuiltin`, but a call that needs Node fails with a TypeError naming what it wanted and the alternative. */
export function requireNodeBuiltin<Module>(id: string, feature: string, alternative: string): Module {
  const found = nodeBuiltin<Module>(id);
  if (found === undefined) throw new TypeError(`${feature} needs Node (${id}); ${alternative}`);
  return found;
}
