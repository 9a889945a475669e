/**
 * A load balancer in front of several reference server instances, for the PostgreSQL suites: Debian's haproxy
 * (`apt-get install -y haproxy`), round-robin per request, on 127.0.0.1 and a free port, its configuration in a
 * temporary folder, run in the foreground as a child of the test (never daemonised). Each reply says which
 * instance served it in `X-Served-By` (the instance's index).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../conformance/free-port.ts";

/** A running balancer. */
export interface Balancer {
  url: string;
  /** Everything haproxy printed. */
  output(): string;
  stop(): Promise<void>;
}

/** haproxy's path, or undefined when it is not installed. */
export function haproxyBinary(): string | undefined {
  return ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].find((file) => existsSync(file));
}

/** Whether something accepts a TCP connection on 127.0.0.1:port (a listener being up, not what it answers). */
export function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The configuration: HTTP mode, round-robin over `backends` (base URLs of the instances), generous timeouts. */
export function haproxyConfig(port: number, backends: readonly string[]): string {
  const servers = backends.map((url, i) => {
    const { hostname, port: backendPort } = new URL(url);
    return `  server i${i} ${hostname}:${backendPort}`;
  });
  return [
    "global",
    "  maxconn 2000",
    "  nbthread 1",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 300s",
    "  timeout server 300s",
    "  timeout http-request 60s",
    "frontend reference",
    `  bind 127.0.0.1:${port}`,
    "  default_backend instances",
    "backend instances",
    "  balance roundrobin",
    // %s is the name of the server that answered (i0, i1...).
    "  http-response set-header X-Served-By %s",
    ...servers,
    "",
  ].join("\n");
}

/** Starts haproxy in front of `backends`; fails with what to install when haproxy is missing. */
export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  const bin = haproxyBinary();
  if (!bin) throw new Error("haproxy is not installed: apt-get install -y haproxy");
  const dir = await mkdtemp(path.join(os.tmpdir(), "haproxy-"));
  const port = await freePort();
  const config = path.join(dir, "haproxy.cfg");
  await writeFile(config, haproxyConfig(port, backends));
  const child = spawn(bin, ["-db", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !(await connects(port)); i++) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!(await connects(port))) {
    await stop();
    throw new Error(`haproxy did not listen on 127.0.0.1:${port}:\n${output}`);
  }
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
}
