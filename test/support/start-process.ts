/** Long-running commands in tests (a server, the tool's `serve` or `mock`): started, awaited until ready, stopped. */
import { spawn, type SpawnOptions } from "node:child_process";

export interface StartedProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `bin args` and resolves once its output matches `ready`; rejects if it exits first or takes too long. */
export async function startProcess(
  bin: string,
  args: string[],
  ready: RegExp,
  options: Omit<SpawnOptions, "stdio"> & { readyWithinMs?: number } = {},
): Promise<StartedProcess> {
  const { readyWithinMs = 60_000, ...spawnOptions } = options;
  const child = spawn(bin, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
  const name = args[0] ?? bin;
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${readyWithinMs / 1000} s:\n${output}`)),
      readyWithinMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  return {
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
