/** Long-running commands in tests (a server, the tool's `serve` or `mock`): started, awaited until ready, stopped. */
import { spawn, type SpawnOptions } from "node:child_process";

export interface StartedProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM (SIGKILL after 10 s) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions extends Omit<SpawnOptions, "stdio"> {
  /** How long it may take to print `ready` (default 60 s). */
  readyWithinMs?: number;
  /** Its name in errors (default: the first argument). */
  label?: string;
}

/**
 * Starts `bin args` and resolves once its output matches `ready` (a pattern, or text it contains); rejects, after
 * stopping it, if it exits first or takes too long. With `detached`, it runs in a process group of its own and
 * stopping signals the whole group (for wrappers such as npm -> sh -> tsx -> node).
 */
export async function startProcess(
  bin: string,
  args: string[],
  ready: RegExp | string,
  options: StartOptions = {},
): Promise<StartedProcess> {
  const { readyWithinMs = 60_000, label = args[0] ?? bin, ...spawnOptions } = options;
  const child = spawn(bin, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (spawnOptions.detached) process.kill(-child.pid!, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    signal("SIGTERM");
    const killTimer = setTimeout(() => signal("SIGKILL"), 10_000);
    try {
      return await exited;
    } finally {
      clearTimeout(killTimer);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} not ready within ${readyWithinMs / 1000} s:\n${output}`)),
        readyWithinMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (typeof ready === "string" ? output.includes(ready) : ready.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited with ${code}:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { output: () => output, stop };
}
