/** Reply types of the spec's operations, from generated/openapi.d.ts, so handlers cannot drift from the spec. */
import type { operations } from "../../generated/openapi.d.ts";

/** The JSON body an operation documents for a status. */
export type JsonReply<Op extends keyof operations, Status extends keyof operations[Op]["responses"]> =
  operations[Op]["responses"][Status] extends { content: { "application/json": infer B } } ? B : never;
