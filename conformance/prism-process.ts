/** Starts the Prism mock (`prism mock generated/openapi.json`) on a free loopback port and waits until it listens. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { bundlePath } from "../server/validation/openapi-document.ts";
import { freePort } from "./free-port.ts";

const prismBin = path.resolve(path.dirname(bundlePath), "../node_modules/.bin/prism");

export interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

export async function startPrism(args: string[] = ["mock", bundlePath], timeoutMs = 60_000): Promise<RunningPrism> {
  const port = await freePort();
  const child: ChildProcess = spawn(prismBin, [...args, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
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
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
