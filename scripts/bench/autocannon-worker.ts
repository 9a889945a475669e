/**
 * Runs one autocannon load in its own process, so the load generator never shares an event loop (or a CPU
 * scheduling slot it could hide in) with the server it measures. Input: one JSON argument (LoadSpec); output: the
 * autocannon result as JSON on stdout.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import autocannon, { type AutocannonOptions } from "autocannon";
import type { LoadSpec } from "./load.ts";

// autocannon keeps every response body by appending it to a string (`req.body += chunk`), for body checks we do
// not use. On a 100 MiB download that decoding and copying caps the client near 60 MiB/s, so it would measure
// itself rather than the server: drop the bodies (bytes are still counted from the socket).
const PipelinedRequestsQueue = createRequire(import.meta.url)("autocannon/lib/pipelinedRequestsQueue.js") as {
  prototype: { addBody(data: Buffer): void };
};
PipelinedRequestsQueue.prototype.addBody = () => undefined;

const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
const opts: AutocannonOptions = {
  url: spec.url,
  method: spec.method,
  headers: spec.headers,
  connections: spec.connections,
  duration: spec.durationSeconds,
  timeout: spec.timeoutSeconds,
  ...(spec.bodyFile ? { body: readFileSync(spec.bodyFile) } : {}),
  ...(spec.maxRequests ? { maxOverallRequests: Math.max(spec.maxRequests, spec.connections) } : {}),
};
// autocannon checks its stop conditions on a one-second tick, so its own start/finish are whole seconds apart:
// useless for a phase of a few large requests. The wall time from start to the last response is exact.
const startedAt = performance.now();
let lastResponseAt = startedAt;
const instance = autocannon(opts, (err, result) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ ...result, elapsedToLastResponseMs: lastResponseAt - startedAt }));
  process.exit(0);
});
instance.on("response", () => {
  lastResponseAt = performance.now();
});
// A hard stop in case a request never finishes: the results so far are still reported.
setTimeout(() => instance.stop(), (spec.durationSeconds + spec.timeoutSeconds) * 1000).unref();
