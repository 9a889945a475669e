/**
 * What scenarios use to talk to the target: a request described by its parts (credentials of a kind, a JSON or raw
 * body, path parameters) turned into a ContractRequest, sent through the right validating proxy when Prism can judge
 * the exchange (JSON in and out), and checked by the session.
 */
import type { BaseUrls, ContractRequest, ContractResponse } from "./exchange.ts";
import type { ContractSession, CredentialKind } from "./session.ts";
import { getOperation } from "../spec-model/openapi-document.ts";
import { familyOf } from "../spec-model/spec-bundles.ts";
import type { ValidatingProxy } from "./validating-proxy.ts";

/** A request described by its parts; `ScenarioContext.request` turns it into a ContractRequest. */
export interface CallSpec {
  params?: Record<string, string>;
  auth: CredentialKind;
  /** A JSON body (serialised, sent as application/json unless `contentType` says otherwise). */
  json?: unknown;
  /** A raw body. */
  raw?: string | Uint8Array | FormData;
  contentType?: string;
  query?: Record<string, string>;
  /** The request is valid per the spec (any violation the proxy names fails it) or deliberately not. */
  valid: boolean;
}

/**
 * A path parameter's name reduced to its letters and digits, lower-cased: `media-id`, `media_id` and `mediaId` are
 * one key, so that the suite's values find their parameter whatever spelling the spec uses.
 */
export function paramKey(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
}

/** Fills `{name}` path templates; `params` keys match parameter names whatever their spelling (see `paramKey`). */
export function fillPath(specPath: string, params: Record<string, string> = {}): string {
  const byKey = new Map(Object.entries(params).map(([k, v]) => [paramKey(k), v]));
  return specPath.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = byKey.get(paramKey(name));
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${specPath}`);
    return encodeURIComponent(value);
  });
}

const isJsonType = (type: string) => /^application\/([a-z0-9.+-]*\+)?json\b/i.test(type);

/**
 * Whether Prism can judge an operation's exchange: a JSON request body (or none) and JSON (or empty) replies. Raw
 * binary bodies, multipart and binary replies are judged by the suite itself.
 */
export function proxyable(operationId: string, body: ContractRequest["body"]): boolean {
  if (body instanceof FormData || body instanceof Uint8Array) return false;
  const { operation } = getOperation(operationId);
  const requestTypes = Object.keys(operation.requestBody?.content ?? {});
  if (requestTypes.length && !requestTypes.some(isJsonType)) return false;
  return Object.values(operation.responses).every((r) =>
    Object.keys((r as { content?: Record<string, unknown> }).content ?? {}).every(isJsonType),
  );
}

/** What scenarios use to talk to the target. */
export class ScenarioContext {
  constructor(
    readonly session: ContractSession,
    readonly proxy: ValidatingProxy | undefined,
  ) {}

  /** Builds the request for an operation. */
  async request(operationId: string, spec: CallSpec): Promise<ContractRequest> {
    const op = getOperation(operationId);
    const creds = await this.session.credentials(operationId, spec.auth);
    if (!creds) throw new Error(`no ${spec.auth} credentials for ${operationId}`);
    const headers: Record<string, string> = { ...creds.headers };
    let body: ContractRequest["body"];
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers["content-type"] = spec.contentType ?? "application/json";
    } else if (spec.raw !== undefined) {
      body = spec.raw;
      if (spec.contentType) headers["content-type"] = spec.contentType;
    }
    const query = { ...creds.query, ...spec.query };
    return {
      operationId,
      method: op.method.toUpperCase(),
      path: fillPath(op.path, spec.params),
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    };
  }

  /** The proxy a request goes through (judged strictly when valid), or undefined when Prism cannot judge it. */
  via(req: ContractRequest, valid: boolean): { via: BaseUrls; strictProxy: boolean } | undefined {
    if (!this.proxy?.families.includes(familyOf(req.operationId)) || !proxyable(req.operationId, req.body)) {
      return undefined;
    }
    return { via: this.proxy.baseUrls, strictProxy: valid };
  }

  /** Sends one request (through the right proxy when the operation is JSON) and checks it; returns the reply. */
  async call(
    operationId: string,
    spec: CallSpec,
    expect: number,
    check?: (res: ContractResponse) => string | undefined,
    bytes?: { expect: Uint8Array; rule: string },
  ): Promise<ContractResponse> {
    const req = await this.request(operationId, spec);
    return this.session.exchange(req, {
      ...this.via(req, spec.valid),
      expect,
      rule: `answers ${expect}`,
      // A documented 5xx is what a fault scenario asks for; any other 5xx still fails.
      allowServerError: expect >= 500,
      ...(check ? { check } : {}),
      ...(bytes ? { expectBytes: bytes.expect, bytesRule: bytes.rule } : {}),
    });
  }

  /** Sends a request built by hand (credentials of its own), through the proxy when Prism can judge it. */
  send(req: ContractRequest, valid: boolean, expect: number, rule?: string): Promise<ContractResponse> {
    return this.session.exchange(req, { ...this.via(req, valid), expect, rule: rule ?? `answers ${expect}` });
  }

  /** Runs `fn` while the target's storage fails (reference server hook), always restoring it. */
  async withStorageFault(fn: () => Promise<void>): Promise<void> {
    const hooks = this.session.target.hooks!;
    hooks.setStorageFault(true);
    try {
      await fn();
    } finally {
      hooks.setStorageFault(false);
    }
  }

  /** JSON body of a reply. */
  json<T = Record<string, unknown>>(res: ContractResponse): T {
    return JSON.parse(res.text ?? "null") as T;
  }
}
