/**
 * The README's "Several instances" section, command by command: the role and database created with its SQL, the two
 * instances started with its exports and `npm start` lines, haproxy with its configuration, and its login through
 * the balancer. What a reader's machine has at fixed places is substituted: the cluster's port for 5432, free ports
 * for 8080 to 8082, a temporary folder for /var/lib/meta-media, and the cluster's admin connection for
 * `sudo -u postgres` (Debian's PostgreSQL and haproxy are installed by .ci/run, as the section's first line does).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../conformance/free-port.ts";
import { connects } from "../support/haproxy-balancer.ts";
import { readmeSection, shellCommands } from "../support/readme-section.ts";
import { postgresBinaries } from "../support/postgres-cluster.ts";
import { until } from "../support/until.ts";
import "../support/postgres-global-setup.ts";
import { request } from "../support/plain-http-client.ts";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");

let section: string;
let commands: string[];
let work: string;
const groups: ChildProcess[] = [];

beforeAll(async () => {
  section = await readmeSection("several-instances");
  commands = shellCommands(section);
  work = await mkdtemp(path.join(os.tmpdir(), "readme-instances-"));
});
afterAll(async () => {
  for (const child of groups) {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await Promise.all(
    groups.map((child) =>
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once("exit", resolve))
        : undefined,
    ),
  );
  if (work) await rm(work, { recursive: true, force: true });
});

/** Starts `bash -c script` in a process group of its own; resolves once its output matches `ready` `times` times. */
async function startGroup(script: string, cwd: string, ready: RegExp, times = 1): Promise<() => string> {
  const child = spawn("bash", ["-c", script], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  groups.push(child);
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  await until(
    () => {
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}):\n${output}`);
      return (output.match(new RegExp(ready.source, "g")) ?? []).length >= times;
    },
    `${script.split("\n").at(-1)} to be ready`,
    120_000,
  );
  return () => output;
}

describe("README: several instances", () => {
  it("shows a database, two instances and a balancer, in that order", () => {
    expect(commands[0]).toBe("sudo apt-get install -y postgresql haproxy");
    expect(commands[1]).toMatch(/^sudo -u postgres psql -c "CREATE ROLE .*" -c "CREATE DATABASE .*"$/);
    expect(commands[2]).toMatch(/^export DATABASE_URL='postgres:\/\/.*@127\.0\.0\.1:5432\/\w+'$/);
    expect(commands[3]).toMatch(/^export MEDIA_DIR=\/var\/lib\/meta-media WA_ADMIN_PASSWORD=/);
    expect(commands.slice(4, 6)).toEqual(["PORT=8081 npm start &", "PORT=8082 npm start &"]);
    expect(commands[6]).toBe("haproxy -db -f haproxy.cfg");
    expect(commands[7]).toMatch(/^curl .* http:\/\/127\.0\.0\.1:8080\/v1\/users\/login$/);
    expect(commands).toHaveLength(8);
  });

  it("runs them: the login through the balancer works, and what one instance stored the other serves", async () => {
    const admin = new URL(inject("postgresAdminUrl"));
    const [balancerPort, onePort, twoPort] = [await freePort(), await freePort(), await freePort()];
    const mediaDir = path.join(work, "shared-media");
    const substitute = (text: string) =>
      text
        .replaceAll("127.0.0.1:5432", `127.0.0.1:${admin.port}`)
        .replaceAll("8080", String(balancerPort))
        .replaceAll("8081", String(onePort))
        .replaceAll("8082", String(twoPort))
        .replaceAll("/var/lib/meta-media", mediaDir);

    // The database: the section's SQL, as the cluster's superuser (what `sudo -u postgres` is on a reader's host). A
    // suffix of its own keeps the role and database apart from other runs on the same server.
    const suffix = randomBytes(3).toString("hex");
    const named = (text: string) =>
      text.replaceAll("meta_media", `meta_media_${suffix}`).replace(/\bmeta\b/g, `meta_${suffix}`);
    const psql = path.join(postgresBinaries() ?? "/usr/bin", "psql");
    const sql = commands[1]!.replace(/^sudo -u postgres psql /, `"${psql}" "${admin.toString()}" `);
    await run("bash", ["-c", named(sql)], { timeout: 30_000 });

    // Two instances, from a clone of the repository (this one).
    const instances = [...commands.slice(2, 6), "wait"].map((c) => named(substitute(c))).join("\n");
    await startGroup(instances, repoRoot, /Reference server listening on/, 2);

    // The balancer, its configuration written as the README shows it.
    const config = /```text\n([\s\S]*?)```/.exec(section)![1]!;
    await writeFile(path.join(work, "haproxy.cfg"), substitute(config));
    await startGroup(`exec ${commands[6]!}`, work, /.*/, 0);
    await until(() => connects(balancerPort), "haproxy to listen", 30_000);

    const { stdout } = await run("bash", ["-c", substitute(commands[7]!)], { timeout: 30_000 });
    const token = (JSON.parse(stdout) as { users: Array<{ token: string }> }).users[0]!.token;
    const auth = { Authorization: `Bearer ${token}` };
    const bytes = randomBytes(64 * 1024);
    const up = await request(`http://127.0.0.1:${balancerPort}/v1/media`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/octet-stream" },
      body: bytes,
    });
    expect(up.status).toBe(201);
    const id = up.json<{ media: Array<{ id: string }> }>().media[0]!.id;
    for (const port of [onePort, twoPort]) {
      const down = await request(`http://127.0.0.1:${port}/v1/media/${id}`, { headers: auth });
      expect(down.status).toBe(200);
      expect(down.body.equals(bytes)).toBe(true);
    }
  }, 240_000);
});
