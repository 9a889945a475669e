/**
 * vitest globalSetup: the server, the tool and the examples import the client by its package name, which resolves to
 * the client workspace's build (client/dist/); rebuild it first when a client source or a generated file changed.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, "../..");
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  await promisify(execFile)(process.execPath, [tsx, "scripts/build-client.ts", "--if-stale"], { cwd: root });
}
