/**
 * An upload whose body is sent in small chunks with pauses, so that a test can kill the server while many uploads
 * are part-way through their body. It records how far it got: body fully handed to the socket, acknowledged.
 */
import http from "node:http";

/** Where one paced upload stands. */
export interface PacedUpload {
  /** Every byte of the body was written to the socket. */
  bodySent: boolean;
  /** The server answered 201 with this id. */
  id?: string;
  /** Any other reply, or the network error. */
  failure?: string;
  /** Settles when the upload is acknowledged or has failed; never rejects. */
  done: Promise<void>;
}

export interface PaceOptions {
  chunkBytes: number;
  pauseMs: number;
  contentType: string;
  /** Called when the server acknowledges (synchronously, so a test can act before anything else happens). */
  onAck?: (upload: PacedUpload) => void;
}

/** POSTs `body` to `<baseUrl>/v1/media` in `chunkBytes` pieces, `pauseMs` apart. */
export function pacedUpload(baseUrl: string, token: string, body: Buffer, opts: PaceOptions): PacedUpload {
  const state: PacedUpload = { bodySent: false, done: Promise.resolve() };
  state.done = new Promise<void>((resolve) => {
    const finish = (failure?: string) => {
      if (failure && !state.id && !state.failure) state.failure = failure;
      resolve();
    };
    const req = http.request(`${baseUrl}/v1/media`, {
      method: "POST",
      agent: false,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": opts.contentType, "Content-Length": body.length },
    });
    req.on("error", (err) => finish(`network: ${err.message}`));
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("error", (err) => finish(`network: ${err.message}`));
      res.on("end", () => {
        if (res.statusCode === 201) {
          state.id = (JSON.parse(text) as { media: Array<{ id: string }> }).media[0]!.id;
          opts.onAck?.(state);
          finish();
        } else {
          finish(`${res.statusCode}: ${text.slice(0, 200)}`);
        }
      });
    });
    let offset = 0;
    const sendNext = () => {
      if (req.destroyed) return;
      const chunk = body.subarray(offset, offset + opts.chunkBytes);
      offset += chunk.length;
      if (offset >= body.length) {
        req.end(chunk, () => {
          state.bodySent = true;
        });
        return;
      }
      const pause = () => setTimeout(sendNext, opts.pauseMs);
      if (req.write(chunk)) pause();
      else req.once("drain", pause);
    };
    sendNext();
  });
  return state;
}
