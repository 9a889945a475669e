/** The address a request comes from, as far as this server can tell. */
import type { Context } from "hono";

/**
 * What stands for the address of a request that has no socket (`app.request()` in tests and in the in-process
 * emulator): every such request shares it.
 */
export const NO_SOCKET_ADDRESS = "in-process (no socket)";

/**
 * The peer address of the TCP connection under @hono/node-server (`c.env.incoming.socket.remoteAddress`). Headers such
 * as X-Forwarded-For are not read: any client can send them, and this server is not told which proxies to trust.
 */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? NO_SOCKET_ADDRESS;
}
