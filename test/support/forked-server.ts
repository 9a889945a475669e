/** Starts test/support/fixtures/socket-server.ts in a child process and waits for its port. */
import { fork, type ChildProcess } from "node:child_process";
import { fixtureProgram } from "./fixture-programs.ts";

const fixture = fixtureProgram("socket-server.ts");

/** A reference server in another process. */
export interface ForkedServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Forks the server with `env` added to this process's environment. */
export async function forkServer(env: Record<string, string>): Promise<ForkedServer> {
  const child = fork(fixture, [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port: number }));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
