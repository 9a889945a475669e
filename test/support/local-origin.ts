/** A local HTTP origin on 127.0.0.1:0 that counts connections, for the fetcher and route tests. */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Origin {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Request paths received so far. */
  paths: string[];
  close(): Promise<void>;
}

/** Starts an origin serving `handler`. */
export async function startOrigin(handler: http.RequestListener): Promise<Origin> {
  const server = http.createServer(handler);
  let connections = 0;
  const paths: string[] = [];
  server.on("connection", () => connections++);
  server.on("request", (req) => paths.push(req.url ?? ""));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `total` bytes of `fill` in 64 KiB chunks without Content-Length (chunked), respecting backpressure. */
export function streamChunked(res: http.ServerResponse, total: number, first?: Uint8Array): void {
  res.writeHead(200, { "content-type": "application/octet-stream" });
  let sent = 0;
  if (first) {
    res.write(first);
    sent += first.length;
  }
  const block = Buffer.alloc(64 * 1024, 0x61);
  const pump = () => {
    while (sent < total) {
      const n = Math.min(block.length, total - sent);
      sent += n;
      if (!res.write(n === block.length ? block : block.subarray(0, n))) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("error", () => undefined);
  pump();
}
