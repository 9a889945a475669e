/** Starts the reference server (`server/main.ts`) as a child process on a data directory and logs in as admin. */
import { startChildServer, type ChildServer } from "./child-server.ts";

/** The admin password the benchmarks and reliability tests configure (meets the WA password rule). */
export const ADMIN_PASSWORD = "Bench-Passw0rd!";

export interface ReferenceServerOptions {
  dataDir: string;
  /** Extra environment (WA_MEDIA_MAX_BYTES, WA_MEDIA_VOLUME_MAX_BYTES...). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** The entry to run (default `server/main.ts`), e.g. a patched copy being evaluated. */
  entry?: string;
}

/** Runs `server/main.ts` on a free loopback port with `WA_ADMIN_PASSWORD` set. */
export function startReferenceServer(opts: ReferenceServerOptions): Promise<ChildServer> {
  return startChildServer(opts.entry ?? "server/main.ts", {
    env: {
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: opts.dataDir,
      WA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...opts.env,
    },
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** `POST /v1/users/login` as admin; returns the bearer token. */
export async function loginAdmin(baseUrl: string, password = ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/users/login`, {
    method: "POST",
    headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` },
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${text}`);
  const token = (JSON.parse(text) as { users?: Array<{ token?: string }> }).users?.[0]?.token;
  if (!token) throw new Error(`login reply has no token: ${text}`);
  return token;
}
