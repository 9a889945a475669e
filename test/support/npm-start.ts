/** Starts the reference server exactly as a user does (`npm start`, with its prestart docs build) on a free port. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../conformance/free-port.ts";
import { type StartedProcess, startProcess } from "./start-process.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

export interface StartedServer {
  baseUrl: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm start` in its own process group; resolves once it prints where it listens. Without `DATA_DIR` in `env` it uses
 * a temporary one, removed on stop; a given one is kept, so a later start can reuse it.
 */
export async function npmStart(env: Record<string, string> = {}, timeoutMs = 150_000): Promise<StartedServer> {
  const port = await freePort();
  const ownDataDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), "npm-start-")));
  const baseUrl = `http://127.0.0.1:${port}`;
  const removeOwnDataDir = () => (ownDataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  let started: StartedProcess;
  try {
    started = await startProcess("npm", ["start"], `listening on ${baseUrl}`, {
      cwd: repoRoot,
      env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, ...env },
      detached: true, // npm -> sh -> tsx -> node: stop the whole group
      readyWithinMs: timeoutMs,
      label: "npm start",
    });
  } catch (err) {
    await removeOwnDataDir();
    throw err;
  }
  const stop = async () => {
    await started.stop();
    await removeOwnDataDir();
  };
  return { baseUrl, output: started.output, stop };
}
