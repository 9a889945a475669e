/**
 * Runs the reference server (the `referenceTarget` of the client suite) in its own process and prints its target as
 * one JSON line, so a test can measure the memory of the client process alone. Stops on SIGTERM or stdin close.
 */
import { referenceTarget } from "./client-target.ts";

const target = await referenceTarget();
const { close, forceStatus: _forceStatus, ...description } = target;
process.stdout.write(`${JSON.stringify(description)}\n`);
let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.stdin.on("close", stop);
process.stdin.resume();
