/**
 * A throwaway PostgreSQL cluster for the PostgreSQL suites and the bench: Debian's binaries (`apt-get install -y
 * postgresql`), a data folder in a temporary directory, listening on 127.0.0.1 on a free port with a password, run
 * as the `postgres` user when this process is root (initdb refuses root). Or a server of your own: set
 * TEST_DATABASE_URL to a URL whose user may create databases.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../conformance/free-port.ts";

/** A cluster (or a server given by TEST_DATABASE_URL) in which tests create databases of their own. */
export interface PostgresCluster {
  /** A URL of its maintenance database, with a user that may create databases. */
  adminUrl: string;
  /** Stops the cluster and removes its folder (nothing for a server given by URL). */
  stop(): Promise<void>;
}

/** The folder of Debian's PostgreSQL binaries (the newest version installed), or undefined. */
export function postgresBinaries(): string | undefined {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] && path.join(root, versions[0], "bin");
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
function runAsPostgres(bin: string, args: string[], opts: { check?: boolean } = {}): string {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot
    ? ["su", ["postgres", "-s", "/bin/sh", "-c", [bin, ...args].map(quote).join(" ")]]
    : [bin, args];
  const result = spawnSync(file, argv as string[], { encoding: "utf8" });
  if ((opts.check ?? true) && result.status !== 0) {
    throw new Error(`${path.basename(bin)} failed (${result.status}): ${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Starts a fresh cluster, or uses TEST_DATABASE_URL; fails with what to install when neither is possible. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, stop: async () => undefined };
  const bin = postgresBinaries();
  if (!bin) {
    throw new Error(
      "PostgreSQL is not installed: apt-get install -y postgresql (Debian's binaries in /usr/lib/postgresql), " +
        "or set TEST_DATABASE_URL to a server where this user may create databases",
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "pg-cluster-"));
  const data = path.join(dir, "data");
  const password = randomBytes(18).toString("base64url");
  writeFileSync(path.join(dir, "password"), `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
    chownSync(path.join(dir, "password"), uid, gid);
    chmodSync(dir, 0o700);
  }
  const port = await freePort();
  runAsPostgres(path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${path.join(dir, "password")}`,
    "-E",
    "UTF8",
    "--no-locale",
  ]);
  const pgCtl = path.join(bin, "pg_ctl");
  const serverOptions = [
    "-c listen_addresses=127.0.0.1",
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    "-c max_connections=300",
  ].join(" ");
  runAsPostgres(pgCtl, [
    "-D",
    data,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "-t",
    "60",
    "-o",
    serverOptions,
    "start",
  ]);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    runAsPostgres(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], { check: false });
    rmSync(dir, { recursive: true, force: true });
  };
  // A test run that ends without its teardown (Ctrl-C) must not leave a server running.
  process.once("exit", stopNow);
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      process.off("exit", stopNow);
      stopNow();
    },
  };
}

/** Creates an empty database of a fresh name on the cluster and returns its URL. */
export async function createDatabase(adminUrl: string, prefix = "test"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
