/**
 * Starts a TypeScript server entry as its own Node process and waits for the URL it prints. The process is
 * `node --import tsx <entry>` (not the `tsx` CLI, which runs the program in a grandchild), so the pid we hold is
 * the server itself: its RSS is what we sample and SIGKILL really kills it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (test/support/../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A server running in a child process. */
export interface ChildServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** Resolves when the process has exited, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** The first capture group is the base URL; default matches "listening on http://host:port". */
  readyPattern?: RegExp;
  timeoutMs?: number;
  nodeArgs?: string[];
}

/** Spawns `node [nodeArgs] --import tsx <entry>` from the repo root and waits until it prints its URL. */
export async function startChildServer(entry: string, opts: StartOptions = {}): Promise<ChildServer> {
  const readyPattern = opts.readyPattern ?? /listening on (https?:\/\/\S+)/i;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", path.resolve(repoRoot, entry)], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Keep the pipes drained for the whole life of the child, or a chatty server would block on a full pipe.
  child.stdout!.on("data", (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} did not print its URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const match = readyPattern.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        resolve(match[1].replace(/\/$/, ""));
      }
    };
    child.stdout!.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM", graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
