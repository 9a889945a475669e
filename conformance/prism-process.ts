/**
 * Starts Stoplight Prism (the copy installed with this package) on a free loopback port and waits until it listens.
 * A Prism the tool started never outlives it, however the tool ends: it is stopped on exit (normal, `process.exit`,
 * an uncaught error), and, for the ends no handler sees (a crash of V8, SIGKILL), Prism runs with a watchdog module
 * that exits when the tool's end of its stdin pipe closes, which the operating system does when the tool dies.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port.ts";
import { bundlePath } from "../spec-model/openapi-document.ts";
import { packageBin } from "../spec-model/package-files.ts";

/** A Prism process and the base URL it answers on. */
export interface RunningPrism {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Preloaded into the child (`node --import`): it exits once its stdin pipe ends, that is once the tool is gone. */
const WATCHDOG =
  "data:text/javascript,process.stdin.on('end',()=>process.exit(0));" +
  "process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every Prism still running when this process exits (synchronously: nothing else runs after 'exit'). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

/** Runs `prism <args> --host 127.0.0.1 --port <free port>` (default: a mock of the bundle). */
export async function startPrism(args: string[] = ["mock", bundlePath], timeoutMs = 60_000): Promise<RunningPrism> {
  installExitHook();
  const port = await freePort();
  // Prism's entry is a Node program: run it with this Node, so the pid is Prism's own and stopping it stops Prism.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      WATCHDOG,
      packageBin("@stoplight/prism-cli", "prism"),
      ...args,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        // Only the start-up lines are kept: Prism logs every request afterwards (headers included).
        if (output.length < 64 * 1024) output += chunk.toString();
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
  } catch (err) {
    await stopChild();
    throw err;
  }
  // Keep draining its log so the pipe never fills and blocks Prism; the log is not kept.
  child.stdout?.removeAllListeners("data");
  child.stderr?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopChild };
}
