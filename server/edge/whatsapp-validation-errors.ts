/**
 * The WA wording of failed validations: ajv's errors mapped to WA error codes (1010 for an unknown field, 1008 for a
 * missing one, 1009 for a wrong type or value), each naming the field as a dotted path.
 */
import type { ErrorObject } from "ajv";
import type { ValidationWording } from "./operation-handler.ts";
import { whatsAppErrors, type WhatsAppHttpError } from "./whatsapp-envelope.ts";

/** `/webhooks/url` -> `webhooks.url`, `/0/config` -> `[0].config`. */
export function dottedPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) segments.push(child);
  let out = "";
  for (const segment of segments) {
    if (/^[0-9]+$/.test(segment)) out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

function describeValueError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return e.message ?? "is not valid";
  }
}

/** How to word a validation error: the family-independent wording plus what the value is. */
export interface ValidationMappingOptions extends ValidationWording {
  /** What the value is, for the root: "request body", "path parameter media_id"... */
  subject?: string;
}

/** Drops the per-branch noise of failed `oneOf`s, keeping the errors of the one branch whose shape fits, if any. */
function resolveOneOf(errors: ErrorObject[]): ErrorObject[] {
  const oneOf = errors.find((e) => e.keyword === "oneOf");
  if (!oneOf) return errors;
  const at = oneOf.instancePath;
  const prefix = `${oneOf.schemaPath}/`;
  const branches = new Map<string, ErrorObject[]>();
  const rest: ErrorObject[] = [];
  for (const e of errors) {
    if (e === oneOf) continue;
    if (e.schemaPath.startsWith(prefix)) {
      const branch = e.schemaPath.slice(prefix.length).split("/")[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    } else if (!(e.instancePath === at || e.instancePath.startsWith(`${at}/`))) {
      rest.push(e);
    }
  }
  const shapeErrors = (list: ErrorObject[]) =>
    list.filter((e) => e.instancePath === at && (e.keyword === "required" || e.keyword === "additionalProperties"));
  const fitting = [...branches.values()].filter((list) => shapeErrors(list).length === 0);
  if (fitting.length === 1) return [...resolveOneOf(fitting[0]!), ...resolveOneOf(rest)];
  const names = new Set<string>();
  for (const list of branches.values()) {
    for (const e of shapeErrors(list)) {
      const p = e.params as { missingProperty?: string; additionalProperty?: string };
      names.add(p.missingProperty ?? p.additionalProperty ?? "");
    }
  }
  names.delete("");
  const summary: ErrorObject = {
    ...oneOf,
    message:
      names.size > 0
        ? `must hold exactly one of ${[...names].join(" or ")}`
        : "must match exactly one of the allowed forms",
  };
  return [summary, ...resolveOneOf(rest)];
}

/** The WA error for a failed validation: unknown field first (1010), then missing (1008), then invalid (1009). */
export function validationError(
  errors: ErrorObject[] | null | undefined,
  opts: ValidationMappingOptions = {},
): WhatsAppHttpError {
  const list = resolveOneOf(errors ?? []);
  const subject = opts.subject ?? "request body";
  const unknown = list.find((e) => e.keyword === "additionalProperties");
  if (unknown) {
    const name = String((unknown.params as { additionalProperty: string }).additionalProperty);
    const field = dottedPath(unknown.instancePath, name);
    return whatsAppErrors.unknownParameter(opts.unknownField?.(field) ?? `Unknown parameter: ${field}`);
  }
  const missing = list.find((e) => e.keyword === "required");
  if (missing) {
    const name = String((missing.params as { missingProperty: string }).missingProperty);
    return whatsAppErrors.missingParameter(`Missing required parameter: ${dottedPath(missing.instancePath, name)}`);
  }
  const invalid = list[0];
  if (!invalid) return whatsAppErrors.invalidParameter(`Invalid ${subject}`);
  const field = dottedPath(invalid.instancePath);
  const custom = field === "" ? undefined : opts.invalidValue?.(field);
  if (custom !== undefined) return whatsAppErrors.invalidParameter(custom);
  return whatsAppErrors.invalidParameter(
    field === ""
      ? `Invalid ${subject}: ${describeValueError(invalid)}`
      : `Invalid value for ${field}: ${describeValueError(invalid)}`,
  );
}
