/**
 * The one way this project serves the app over Node's HTTP server (`npm start`, the CLI, the test harnesses, the
 * contract suite's reference target): @hono/node-server's request listener, plus a lingering close for replies sent
 * before the request body was read to its end.
 *
 * Why the lingering close: many refusals come before the body is read (401 before anything, 413 on the declared
 * length, 415 on the first bytes). Closing the socket at once with the rest of the body still arriving makes the
 * kernel answer the client's next segments with a reset, and a client still writing its body then sees
 * EPIPE/ECONNRESET instead of the reply it was sent (measured: fetch uploads of 6 MiB against a 5 MiB limit read the
 * 413 only 2 to 5 times in 10). Like nginx's lingering close, the server sends the reply with `Connection: close`,
 * half-closes its side, and reads and discards what the client still sends, at most LINGER_MAX_BYTES or
 * LINGER_MAX_MS, before closing for good.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";

/** How much of an unread body the server still reads (and discards) after an early reply. */
export const LINGER_MAX_BYTES = 8 * 1024 * 1024;
/** How long it keeps reading after an early reply. */
export const LINGER_MAX_MS = 2000;

/** The Node request and response @hono/node-server hands the app as `c.env`. */
export interface NodeBindings {
  incoming: http.IncomingMessage;
  outgoing: http.ServerResponse;
}

/** What is served: a Hono app, or any fetch handler (the contract suite wraps the app to break replies on purpose). */
export interface FetchApp {
  fetch: (request: Request, env: NodeBindings) => Response | Promise<Response>;
}

/** A listening server. */
export interface NodeServer {
  server: http.Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  /** `http://host:port`, with IPv6 hosts in brackets. */
  url: string;
  /** Stops accepting, closes every connection (idle or not) and resolves once the server is closed. */
  close(): Promise<void>;
}

/** The socket of a request whose early reply is being followed by a lingering close. */
const lingering = new WeakSet<Socket>();

/**
 * Reads and discards the rest of `req`'s body after the reply, then closes: at its end (nothing is left unread, so
 * the close is clean), or after LINGER_MAX_BYTES or LINGER_MAX_MS, whichever comes first.
 */
function lingeringClose(socket: Socket, req: http.IncomingMessage): void {
  let drained = 0;
  const close = () => {
    clearTimeout(timer);
    req.off("data", onData);
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_MAX_BYTES) close();
  };
  const timer = setTimeout(close, LINGER_MAX_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  // Whoever read part of the body (a web stream adapter) must not pause the request again while it is discarded.
  req.removeAllListeners("data");
  req.on("data", onData);
  req.once("end", close);
  req.on("error", close);
  // The reply is flushed, then FIN: the client has its answer and stops sending, while its bytes in flight are read.
  socket.end();
  req.resume();
}

/**
 * Arms the lingering close for one request: when the reply's head is written before the request is complete, the
 * reply says `Connection: close`, and Node's own close of the socket after the reply (`destroySoon`) becomes a
 * lingering close. Other closes (a client going away, server shutdown) are untouched.
 */
function armLingeringClose(req: http.IncomingMessage, res: http.ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete) {
      this.shouldKeepAlive = false;
      const socket = req.socket;
      const destroySoon = socket.destroySoon;
      socket.destroySoon = function (this: Socket) {
        // Called by Node once the reply is finished, and again by @hono/node-server's own drain timer: once is enough.
        if (lingering.has(socket)) return;
        if (req.complete || socket.destroyed) return destroySoon.call(this);
        lingering.add(socket);
        lingeringClose(socket, req);
      };
    }
    return writeHead.apply(this, args) as http.ServerResponse;
  } as typeof res.writeHead;
}

/** A Node HTTP server (not listening yet) serving `app`, with the lingering close of early replies. */
export function createNodeServer(app: FetchApp): http.Server {
  const listener = getRequestListener(app.fetch as Parameters<typeof getRequestListener>[0]);
  return http.createServer((req, res) => {
    armLingeringClose(req, res);
    return listener(req, res);
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Serves `app` on `host:port` (port 0: any free port). Resolves once listening; rejects with the listen error
 * (EADDRINUSE, EACCES, EADDRNOTAVAIL, ENOTFOUND...) so that callers can say which setting is wrong.
 */
export function serveNode(app: FetchApp, opts: { host: string; port: number }): Promise<NodeServer> {
  const server = createNodeServer(app);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        url: `http://${urlHost(opts.host)}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
