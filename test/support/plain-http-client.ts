/** Plain HTTP requests for the multi-instance tests: a fresh connection each, from a chosen loopback address. */
import http from "node:http";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON (undefined when empty). */
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** The client socket's address (127.0.0.x), so that the server counts it as that client. */
  localAddress?: string;
}

/** Sends one request and reads the whole reply. */
export function request(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: opts.method ?? "GET",
      headers: opts.headers,
      agent: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body,
          json: <T>() => (body.length ? (JSON.parse(body.toString("utf8")) as T) : (undefined as T)),
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

/** Logs in (optionally changing the password) and returns the token; throws on anything but 200. */
export async function login(base: string, username: string, password: string, newPassword?: string): Promise<string> {
  const res = await request(`${base}/v1/users/login`, {
    method: "POST",
    headers: {
      Authorization: basic(username, password),
      ...(newPassword ? { "Content-Type": "application/json" } : {}),
    },
    ...(newPassword ? { body: JSON.stringify({ new_password: newPassword }) } : {}),
  });
  if (res.status !== 200) throw new Error(`login ${username} on ${base}: ${res.status} ${res.body.toString()}`);
  return res.json<{ users: Array<{ token: string }> }>().users[0]!.token;
}
