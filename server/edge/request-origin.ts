/**
 * The origin a request reached (`http://127.0.0.1:9123`): the served spec and API docs name it as the local reference
 * server, and an attachment upload recognises a URL of the server's own sample image by it.
 *
 * Why the Host header rather than the configured listen address: behind a reverse proxy, a container's port mapping
 * or a server listening on 0.0.0.0, the address the server binds is not the one its users type; the Host header is.
 * A Host header is the client's to choose, so it is only taken when it is a plain `host[:port]` (DNS name, IPv4, or
 * IPv6 in brackets, port 1 to 65535); anything else falls back to the address and port the connection actually
 * reached on this server. The scheme is `http` (the server speaks plain HTTP) unless `X-Forwarded-Proto` says `https`
 * (a TLS-terminating proxy in front). What comes out matches SAFE_ORIGIN, so it needs no escaping in HTML, JSON or
 * YAML.
 */
import type { Context } from "hono";
import type { NodeBindings } from "./serve-node.ts";

/** A DNS label: letters, digits, `-` and `_` (Docker service names), not starting or ending with `-`. */
const LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";
/** A DNS name or IPv4 address (dot-separated labels, optional final dot), or an IPv6 address in brackets. */
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])$`);

/** Every origin this module returns matches it: no character HTML, a JS string, JSON or YAML treats specially. */
export const SAFE_ORIGIN = /^https?:\/\/[A-Za-z0-9_.\-[\]:]+$/;

/** `host[:port]` from a Host header, or undefined when it is not a plain, valid one. */
export function validHostHeader(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0 || value.length > 261) return undefined;
  const match = /^(.*?)(?::([0-9]{1,5}))?$/.exec(value);
  const host = match?.[1];
  const port = match?.[2];
  if (host === undefined || host.length > 253 || !HOST.test(host)) return undefined;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return value;
}

/** `http` or `https` from X-Forwarded-Proto (its first value), else `http`. */
function scheme(forwardedProto: string | undefined): "http" | "https" {
  const first = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  return first === "https" ? "https" : "http";
}

/** The connection's local address and port (`127.0.0.1:9123`, `[::1]:9123`), when the request came over a socket. */
function localAddress(c: Context): string | undefined {
  const socket = (c.env as Partial<NodeBindings> | undefined)?.incoming?.socket;
  const address = socket?.localAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  const port = socket?.localPort;
  if (!address || !port) return undefined;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The host of the request URL: what an in-process request (`app.request(url)`, no socket, no Host header) names. */
function urlHost(c: Context): string | undefined {
  try {
    return new URL(c.req.url).host;
  } catch {
    return undefined;
  }
}

/**
 * The origin of the request (see the module comment for the choice), or undefined when nothing valid tells it.
 */
export function requestOrigin(c: Context): string | undefined {
  const host = validHostHeader(c.req.header("host")) ?? validHostHeader(localAddress(c)) ?? validHostHeader(urlHost(c));
  if (host === undefined) return undefined;
  const origin = `${scheme(c.req.header("x-forwarded-proto"))}://${host}`;
  return SAFE_ORIGIN.test(origin) ? origin : undefined;
}
