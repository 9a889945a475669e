/** Starts Stoplight Prism (the copy installed with this package) on a free loopback port and waits until it listens. */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port.ts";
import { bundlePath, packageBin } from "./spec.ts";

/** A Prism process and the base URL it answers on. */
export interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

/** Runs `prism <args> --host 127.0.0.1 --port <free port>` (default: a mock of the bundle). */
export async function startPrism(args: string[] = ["mock", bundlePath], timeoutMs = 60_000): Promise<RunningPrism> {
  const port = await freePort();
  // Prism's entry is a Node program: run it with this Node, so the pid is Prism's own and stopping it stops Prism.
  const child: ChildProcess = spawn(
    process.execPath,
    [packageBin("@stoplight/prism-cli", "prism"), ...args, "--host", "127.0.0.1", "--port", String(port)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${output}`));
    });
  });
  // Keep draining its log so the pipe never fills and blocks Prism.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
