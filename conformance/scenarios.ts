/**
 * Layer 1: a scenario for every documented (operationId, status) pair. JSON operations go through the validating
 * proxy (strict for valid requests, lenient for deliberately invalid ones); the binary and multipart operations,
 * which Prism cannot validate, go straight to the server and are checked here (status, content type, ajv, bytes).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { BaseUrls, ContractRequest, ContractResponse } from "./exchange.ts";
import { mediaSamples } from "./media-samples.ts";
import { isIrreversible } from "./operation-effects.ts";
import { CheckSkipped, RunInterrupted, type RunReport } from "./run-report.ts";
import { basic, type ContractSession, type CredentialKind } from "./session.ts";
import { familyOf, getOperation, listOperations, paramKey } from "./spec.ts";
import type { ValidatingProxies } from "./validating-proxy.ts";

/** What a scenario needs from the target beyond the basics. */
export type ScenarioNeed = "user" | "fetchable" | "unfetchable" | "storageFault" | "loginThrottle";

export interface Scenario {
  operationId: string;
  status: number;
  name: string;
  /**
   * The operations whose success the scenario needs, i.e. what it changes on the target (reads and requests meant to
   * be refused are not listed). An irreversible one makes the scenario need `--destructive`.
   */
  changes: string[];
  needs?: ScenarioNeed[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** A request described by its parts; `call` turns it into a ContractRequest. */
export interface CallSpec {
  params?: Record<string, string>;
  auth: CredentialKind;
  /** A JSON body (serialised, sent as application/json unless `contentType` says otherwise). */
  json?: unknown;
  /** A raw body. */
  raw?: string | Uint8Array | FormData;
  contentType?: string;
  query?: Record<string, string>;
  /** The request is valid per the spec (strict proxy) or deliberately not (lenient proxy). */
  valid: boolean;
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

/** Whether Prism can validate an operation's exchange (JSON only: no raw binary, no multipart). */
function proxyable(operationId: string, spec: CallSpec): boolean {
  if (spec.raw instanceof FormData || spec.raw instanceof Uint8Array) return false;
  return operationId !== "uploadMedia" && operationId !== "downloadMedia";
}

/** What scenarios use to talk to the target. */
export class ScenarioContext {
  constructor(
    readonly session: ContractSession,
    readonly proxies: ValidatingProxies | undefined,
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

  /** Sends one request (through the right proxy when the operation is JSON) and checks it; returns the reply. */
  async call(
    operationId: string,
    spec: CallSpec,
    expect: number,
    check?: (res: ContractResponse) => string | undefined,
  ): Promise<ContractResponse> {
    const req = await this.request(operationId, spec);
    const via: BaseUrls | undefined =
      this.proxies && proxyable(operationId, spec)
        ? spec.valid
          ? this.proxies.strict
          : this.proxies.lenient
        : undefined;
    return this.session.exchange(req, {
      ...(via ? { via, strictProxy: spec.valid } : {}),
      expect,
      rule: `answers ${expect}`,
      // A documented 5xx is what a fault scenario asks for; any other 5xx still fails.
      allowServerError: expect >= 500,
      ...(check ? { check } : {}),
    });
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

const png = () => mediaSamples().find((s) => s.contentType === "image/png")!;
const jpeg = () => mediaSamples().find((s) => s.contentType === "image/jpeg")!;
const webp = () => mediaSamples().find((s) => s.contentType === "image/webp")!;
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(5).toString("hex")}`;
const strongPassword = () => `Ct-${randomBytes(8).toString("base64url")}7x!`;
const unknownPsid = "1000000000000001";
/** Bigger than any JSON body these APIs take (the reference server's limit is 256 KiB). */
export const OVERSIZED_JSON_BYTES = 1024 * 1024 + 1;

async function uploadPng(ctx: ScenarioContext): Promise<string> {
  const res = await ctx.call(
    "uploadMedia",
    { auth: "admin", raw: png().bytes, contentType: "image/png", valid: true },
    201,
  );
  return ctx.json<{ media: Array<{ id: string }> }>(res).media[0]!.id;
}

async function createUser(ctx: ScenarioContext): Promise<string> {
  const username = uniqueName("contract");
  await ctx.call("createUser", { auth: "admin", json: { username, password: strongPassword() }, valid: true }, 201);
  return username;
}

async function createProvider(ctx: ScenarioContext): Promise<string> {
  const name = uniqueName("contract-cdn");
  await ctx.call(
    "updateMediaProviders",
    { auth: "admin", json: [{ name, type: "www", config: { bearer: "contract-secret" } }], valid: true },
    200,
  );
  return name;
}

function multipartForm(message: unknown, file?: { bytes: Uint8Array; type: string; name: string }): FormData {
  const form = new FormData();
  form.set("message", JSON.stringify(message));
  if (file) form.set("filedata", new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  return form;
}

async function uploadAttachmentFile(ctx: ScenarioContext): Promise<string> {
  const form = multipartForm(
    { attachment: { type: "image", payload: { is_reusable: true } } },
    { bytes: png().bytes, type: "image/png", name: "pixel.png" },
  );
  const res = await ctx.call(
    "uploadAttachment",
    { params: { page_id: ctx.session.target.graph.pageId }, auth: "admin", raw: form, valid: true },
    200,
  );
  return ctx.json<{ attachment_id: string }>(res).attachment_id;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The scenario list: at least one per documented (operationId, status) pair. */
export function scenarios(): Scenario[] {
  const page = (ctx: ScenarioContext) => ({ page_id: ctx.session.target.graph.pageId });
  const list: Scenario[] = [
    // loginUser
    {
      operationId: "loginUser",
      status: 200,
      name: "admin logs in with Basic credentials",
      changes: [],
      run: async (ctx) => void (await ctx.call("loginUser", { auth: "admin", valid: true }, 200)),
    },
    {
      operationId: "loginUser",
      status: 400,
      name: "new_password that breaks the password rule",
      changes: [],
      // With the suite's own account: a target that wrongly accepted the weak password changes no one else's.
      run: async (ctx) => {
        const req = await ctx.request("loginUser", { auth: "none", json: { new_password: "weak" }, valid: false });
        req.headers = { ...req.headers, authorization: basic(await ctx.session.ownAccountCreated()) };
        await ctx.session.exchange(req, {
          ...(ctx.proxies ? { via: ctx.proxies.lenient } : {}),
          expect: 400,
          rule: "answers 400",
        });
      },
    },
    {
      operationId: "loginUser",
      status: 401,
      name: "wrong password",
      changes: [],
      run: async (ctx) => void (await ctx.call("loginUser", { auth: "invalid", valid: true }, 401)),
    },
    {
      operationId: "loginUser",
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("loginUser", { auth: "admin", raw: "{}", contentType: "text/plain", valid: false }, 415)),
    },
    {
      operationId: "loginUser",
      status: 429,
      name: "a user name past its failed-login limit",
      changes: [],
      needs: ["loginThrottle"],
      run: async (ctx) => {
        // A user name of the suite's own, so that no real account is locked out; the limit is the target's.
        const ghost = { username: uniqueName("contract-ghost"), password: strongPassword() };
        const req = await ctx.request("loginUser", { auth: "none", valid: true });
        req.headers = { authorization: basic(ghost) };
        const via = ctx.proxies ? { via: ctx.proxies.strict, strictProxy: true } : {};
        for (let i = 0; i < ctx.session.target.loginFailureLimitPerUser!; i++) {
          await ctx.session.exchange(
            { ...req },
            { ...via, expect: 401, rule: "a wrong password within the limit gets 401" },
          );
        }
        await ctx.session.exchange(
          { ...req },
          {
            ...via,
            expect: 429,
            rule: "past the limit, 429 with Retry-After",
            check: (res) => {
              const retryAfter = res.headers.get("retry-after");
              return /^[1-9][0-9]*$/.test(retryAfter ?? "")
                ? undefined
                : `Retry-After must be a whole number of seconds, got ${JSON.stringify(retryAfter)}`;
            },
          },
        );
      },
    },
    // logoutUser
    {
      operationId: "logoutUser",
      status: 200,
      name: "a fresh token is revoked, then refused",
      changes: [],
      run: async (ctx) => {
        const token = await ctx.session.login(ctx.session.target.admin);
        const req = await ctx.request("logoutUser", { auth: "none", valid: true });
        req.headers = { authorization: `Bearer ${token}` };
        await ctx.session.exchange(req, {
          ...(ctx.proxies ? { via: ctx.proxies.strict, strictProxy: true } : {}),
          expect: 200,
        });
        await ctx.session.exchange(
          { ...req },
          {
            ...(ctx.proxies ? { via: ctx.proxies.strict, strictProxy: true } : {}),
            expect: 401,
            rule: "a revoked token is refused",
          },
        );
      },
    },
    {
      operationId: "logoutUser",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) => void (await ctx.call("logoutUser", { auth: "none", valid: false }, 401)),
    },
    // createUser
    {
      operationId: "createUser",
      status: 201,
      name: "admin creates a user",
      changes: ["createUser"],
      run: async (ctx) => void (await createUser(ctx)),
    },
    {
      operationId: "createUser",
      status: 400,
      name: "password missing",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          { auth: "admin", json: { username: uniqueName("contract") }, valid: false },
          400,
        )),
    },
    {
      operationId: "createUser",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          { auth: "none", json: { username: uniqueName("contract"), password: strongPassword() }, valid: false },
          401,
        )),
    },
    {
      operationId: "createUser",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          { auth: "user", json: { username: uniqueName("contract"), password: strongPassword() }, valid: true },
          403,
        )),
    },
    {
      operationId: "createUser",
      status: 409,
      name: "the name is taken",
      changes: ["createUser"],
      run: async (ctx) => {
        const username = await createUser(ctx);
        await ctx.call(
          "createUser",
          { auth: "admin", json: { username, password: strongPassword() }, valid: true },
          409,
        );
      },
    },
    {
      operationId: "createUser",
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "createUser",
          {
            auth: "admin",
            raw: JSON.stringify({ username: uniqueName("c"), password: strongPassword() }),
            contentType: "text/plain",
            valid: false,
          },
          415,
        )),
    },
    // deleteUser
    {
      operationId: "deleteUser",
      status: 200,
      name: "admin deletes a user",
      changes: ["createUser", "deleteUser"],
      run: async (ctx) => {
        const username = await createUser(ctx);
        await ctx.call("deleteUser", { params: { username }, auth: "admin", valid: true }, 200);
        await ctx.call("deleteUser", { params: { username }, auth: "admin", valid: true }, 404);
      },
    },
    {
      operationId: "deleteUser",
      status: 400,
      name: "the built-in admin",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("deleteUser", { params: { username: "admin" }, auth: "admin", valid: true }, 400)),
    },
    {
      operationId: "deleteUser",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteUser",
          { params: { username: uniqueName("nobody") }, auth: "none", valid: false },
          401,
        )),
    },
    {
      operationId: "deleteUser",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteUser",
          { params: { username: uniqueName("nobody") }, auth: "user", valid: true },
          403,
        )),
    },
    {
      operationId: "deleteUser",
      status: 404,
      name: "unknown user",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteUser",
          { params: { username: uniqueName("nobody") }, auth: "admin", valid: true },
          404,
        )),
    },
    // uploadMedia (binary: checked in-process)
    {
      operationId: "uploadMedia",
      status: 201,
      name: "a PNG",
      changes: ["uploadMedia"],
      run: async (ctx) => void (await uploadPng(ctx)),
    },
    {
      operationId: "uploadMedia",
      status: 400,
      name: "empty body",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadMedia",
          { auth: "admin", raw: new Uint8Array(0), contentType: "image/png", valid: false },
          400,
        )),
    },
    {
      operationId: "uploadMedia",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadMedia",
          { auth: "none", raw: png().bytes, contentType: "image/png", valid: false },
          401,
        )),
    },
    {
      operationId: "uploadMedia",
      status: 413,
      name: "a sticker over its documented x-max-bytes",
      changes: [],
      run: async (ctx) => {
        const sample = webp();
        const body = new Uint8Array(sample.maxBytes + 1);
        body.set(sample.bytes);
        await ctx.call("uploadMedia", { auth: "admin", raw: body, contentType: sample.contentType, valid: false }, 413);
      },
    },
    {
      operationId: "uploadMedia",
      status: 415,
      name: "declared PNG, JPEG bytes",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadMedia",
          { auth: "admin", raw: jpeg().bytes, contentType: "image/png", valid: false },
          415,
        )),
    },
    {
      operationId: "uploadMedia",
      status: 503,
      name: "the media volume is full",
      changes: [],
      needs: ["storageFault"],
      run: (ctx) =>
        ctx.withStorageFault(
          async () =>
            void (await ctx.call(
              "uploadMedia",
              { auth: "admin", raw: png().bytes, contentType: "image/png", valid: true },
              503,
            )),
        ),
    },
    // downloadMedia (binary: checked in-process, bytes compared)
    {
      operationId: "downloadMedia",
      status: 200,
      name: "the same bytes and type come back",
      changes: ["uploadMedia"],
      run: async (ctx) => {
        const id = await uploadPng(ctx);
        await ctx.call("downloadMedia", { params: { media_id: id }, auth: "admin", valid: true }, 200, (res) =>
          res.headers.get("content-type")?.split(";")[0] !== "image/png"
            ? `Content-Type ${res.headers.get("content-type")} is not the uploaded image/png`
            : bytesEqual(res.bytes, png().bytes)
              ? undefined
              : "the downloaded bytes differ from the uploaded ones",
        );
      },
    },
    {
      operationId: "downloadMedia",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("downloadMedia", { params: { media_id: randomUUID() }, auth: "none", valid: false }, 401)),
    },
    {
      operationId: "downloadMedia",
      status: 404,
      name: "unknown id",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("downloadMedia", { params: { media_id: randomUUID() }, auth: "admin", valid: true }, 404)),
    },
    // deleteMedia
    {
      operationId: "deleteMedia",
      status: 200,
      name: "delete, then it is gone",
      changes: ["uploadMedia", "deleteMedia"],
      run: async (ctx) => {
        const id = await uploadPng(ctx);
        await ctx.call("deleteMedia", { params: { media_id: id }, auth: "admin", valid: true }, 200);
        await ctx.call("downloadMedia", { params: { media_id: id }, auth: "admin", valid: true }, 404);
      },
    },
    {
      operationId: "deleteMedia",
      status: 503,
      name: "the media volume is read-only; the media stays",
      changes: ["uploadMedia", "deleteMedia"],
      needs: ["storageFault"],
      run: async (ctx) => {
        const id = await uploadPng(ctx);
        await ctx.withStorageFault(
          async () =>
            void (await ctx.call("deleteMedia", { params: { media_id: id }, auth: "admin", valid: true }, 503)),
        );
        await ctx.call("downloadMedia", { params: { media_id: id }, auth: "admin", valid: true }, 200);
        await ctx.call("deleteMedia", { params: { media_id: id }, auth: "admin", valid: true }, 200);
      },
    },
    {
      operationId: "deleteMedia",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("deleteMedia", { params: { media_id: randomUUID() }, auth: "none", valid: false }, 401)),
    },
    {
      operationId: "deleteMedia",
      status: 404,
      name: "unknown id",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("deleteMedia", { params: { media_id: randomUUID() }, auth: "admin", valid: true }, 404)),
    },
    // application settings
    {
      operationId: "getApplicationSettings",
      status: 200,
      name: "admin reads",
      changes: [],
      run: async (ctx) => void (await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200)),
    },
    {
      operationId: "getApplicationSettings",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) => void (await ctx.call("getApplicationSettings", { auth: "none", valid: false }, 401)),
    },
    {
      operationId: "getApplicationSettings",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) => void (await ctx.call("getApplicationSettings", { auth: "user", valid: true }, 403)),
    },
    {
      operationId: "updateApplicationSettings",
      status: 200,
      name: "a partial patch shows in GET",
      changes: ["updateApplicationSettings"],
      run: async (ctx) => {
        const before = ctx.json<{ settings: { application: { sent_status: boolean } } }>(
          await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200),
        );
        const sent = !before.settings.application.sent_status;
        await ctx.call("updateApplicationSettings", { auth: "admin", json: { sent_status: sent }, valid: true }, 200);
        await ctx.call("getApplicationSettings", { auth: "admin", valid: true }, 200, (res) =>
          ctx.json<{ settings: { application: { sent_status: boolean } } }>(res).settings.application.sent_status ===
          sent
            ? undefined
            : "the patched sent_status is not what GET returns",
        );
      },
    },
    {
      operationId: "updateApplicationSettings",
      status: 400,
      name: "pass_through cannot be turned on",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "admin", json: { pass_through: true }, valid: false },
          400,
        )),
    },
    {
      operationId: "updateApplicationSettings",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "none", json: { sent_status: true }, valid: false },
          401,
        )),
    },
    {
      operationId: "updateApplicationSettings",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "user", json: { sent_status: true }, valid: true },
          403,
        )),
    },
    {
      operationId: "updateApplicationSettings",
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateApplicationSettings",
          { auth: "admin", raw: '{"sent_status":true}', contentType: "text/plain", valid: false },
          415,
        )),
    },
    {
      operationId: "resetApplicationSettings",
      status: 200,
      name: "admin resets",
      changes: ["resetApplicationSettings"],
      run: async (ctx) => void (await ctx.call("resetApplicationSettings", { auth: "admin", valid: true }, 200)),
    },
    {
      operationId: "resetApplicationSettings",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) => void (await ctx.call("resetApplicationSettings", { auth: "none", valid: false }, 401)),
    },
    {
      operationId: "resetApplicationSettings",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) => void (await ctx.call("resetApplicationSettings", { auth: "user", valid: true }, 403)),
    },
    // media providers
    {
      operationId: "getMediaProviders",
      status: 200,
      name: "secrets come back masked",
      changes: [],
      run: async (ctx) => void (await ctx.call("getMediaProviders", { auth: "admin", valid: true }, 200)),
    },
    {
      operationId: "getMediaProviders",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) => void (await ctx.call("getMediaProviders", { auth: "none", valid: false }, 401)),
    },
    {
      operationId: "getMediaProviders",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) => void (await ctx.call("getMediaProviders", { auth: "user", valid: true }, 403)),
    },
    {
      operationId: "updateMediaProviders",
      status: 200,
      name: "a bearer provider is listed, masked",
      changes: ["updateMediaProviders"],
      run: async (ctx) => {
        const name = await createProvider(ctx);
        await ctx.call("getMediaProviders", { auth: "admin", valid: true }, 200, (res) => {
          const list = ctx.json<{ settings: { application: { media: { providers: Array<{ name: string }> } } } }>(res)
            .settings.application.media.providers;
          return list.some((p) => p.name === name) ? undefined : `provider ${name} is not listed after it was created`;
        });
      },
    },
    {
      operationId: "updateMediaProviders",
      status: 400,
      name: "config with both basic and bearer",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          {
            auth: "admin",
            json: [
              {
                name: uniqueName("cdn"),
                type: "www",
                config: { bearer: "x", basic: { username: "u", password: "p" } },
              },
            ],
            valid: false,
          },
          400,
        )),
    },
    {
      operationId: "updateMediaProviders",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          {
            auth: "none",
            json: [{ name: uniqueName("contract-cdn"), type: "www", config: { bearer: "x" } }],
            valid: false,
          },
          401,
        )),
    },
    {
      operationId: "updateMediaProviders",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          {
            auth: "user",
            json: [{ name: uniqueName("contract-cdn"), type: "www", config: { bearer: "x" } }],
            valid: true,
          },
          403,
        )),
    },
    {
      operationId: "updateMediaProviders",
      status: 415,
      name: "body sent as text/plain",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "updateMediaProviders",
          { auth: "admin", raw: "[]", contentType: "text/plain", valid: false },
          415,
        )),
    },
    {
      operationId: "deleteMediaProvider",
      status: 200,
      name: "delete, then 404",
      changes: ["updateMediaProviders", "deleteMediaProvider"],
      run: async (ctx) => {
        const name = await createProvider(ctx);
        await ctx.call("deleteMediaProvider", { params: { provider_name: name }, auth: "admin", valid: true }, 200);
        await ctx.call("deleteMediaProvider", { params: { provider_name: name }, auth: "admin", valid: true }, 404);
      },
    },
    {
      operationId: "deleteMediaProvider",
      status: 401,
      name: "no token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteMediaProvider",
          { params: { provider_name: uniqueName("contract-none") }, auth: "none", valid: false },
          401,
        )),
    },
    {
      operationId: "deleteMediaProvider",
      status: 403,
      name: "a non-admin user",
      changes: [],
      needs: ["user"],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteMediaProvider",
          { params: { provider_name: uniqueName("contract-none") }, auth: "user", valid: true },
          403,
        )),
    },
    {
      operationId: "deleteMediaProvider",
      status: 404,
      name: "unknown provider",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "deleteMediaProvider",
          { params: { provider_name: uniqueName("none") }, auth: "admin", valid: true },
          404,
        )),
    },
    // uploadAttachment
    {
      operationId: "uploadAttachment",
      status: 200,
      name: "from a URL (JSON)",
      changes: ["uploadAttachment"],
      needs: ["fetchable"],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          {
            params: page(ctx),
            auth: "admin",
            json: {
              message: {
                attachment: {
                  type: "image",
                  payload: { url: ctx.session.target.fetchableImageUrl, is_reusable: true },
                },
              },
            },
            valid: true,
          },
          200,
        )),
    },
    {
      operationId: "uploadAttachment",
      status: 200,
      name: "from a file (multipart, checked in-process)",
      changes: ["uploadAttachment"],
      run: async (ctx) => void (await uploadAttachmentFile(ctx)),
    },
    {
      operationId: "uploadAttachment",
      status: 400,
      name: "the URL cannot be fetched",
      changes: [],
      needs: ["unfetchable"],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          {
            params: page(ctx),
            auth: "admin",
            json: { message: { attachment: { type: "image", payload: { url: ctx.session.target.unfetchableUrl } } } },
            valid: true,
          },
          400,
        )),
    },
    {
      operationId: "uploadAttachment",
      status: 400,
      name: "payload.url missing",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          {
            params: page(ctx),
            auth: "admin",
            json: { message: { attachment: { type: "image", payload: {} } } },
            valid: false,
          },
          400,
        )),
    },
    {
      operationId: "uploadAttachment",
      status: 400,
      name: "multipart without filedata (checked in-process)",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          { params: page(ctx), auth: "admin", raw: multipartForm({ attachment: { type: "image" } }), valid: false },
          400,
        )),
    },
    {
      operationId: "uploadAttachment",
      status: 401,
      name: "no access token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          {
            params: page(ctx),
            auth: "none",
            json: { message: { attachment: { type: "image", payload: { url: "https://example.com/a.png" } } } },
            valid: false,
          },
          401,
        )),
    },
    {
      operationId: "uploadAttachment",
      status: 503,
      name: "attachment storage is full (multipart, checked in-process)",
      changes: [],
      needs: ["storageFault"],
      run: (ctx) =>
        ctx.withStorageFault(async () => {
          const form = multipartForm(
            { attachment: { type: "image", payload: { is_reusable: true } } },
            { bytes: png().bytes, type: "image/png", name: "pixel.png" },
          );
          await ctx.call("uploadAttachment", { params: page(ctx), auth: "admin", raw: form, valid: true }, 503);
        }),
    },
    // sendMessage
    {
      operationId: "sendMessage",
      status: 200,
      name: "send an uploaded attachment by id",
      changes: ["uploadAttachment", "sendMessage"],
      run: async (ctx) => {
        const id = await uploadAttachmentFile(ctx);
        await ctx.call(
          "sendMessage",
          {
            params: page(ctx),
            auth: "admin",
            json: {
              recipient: { id: unknownPsid },
              message: { attachment: { type: "image", payload: { attachment_id: id } } },
            },
            valid: true,
          },
          200,
        );
      },
    },
    {
      operationId: "sendMessage",
      status: 400,
      name: "unknown attachment id",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "sendMessage",
          {
            params: page(ctx),
            auth: "admin",
            json: {
              recipient: { id: unknownPsid },
              message: { attachment: { type: "image", payload: { attachment_id: "99999999999999999" } } },
            },
            valid: true,
          },
          400,
        )),
    },
    {
      operationId: "sendMessage",
      status: 401,
      name: "no access token",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "sendMessage",
          {
            params: page(ctx),
            auth: "none",
            json: {
              recipient: { id: unknownPsid },
              message: { attachment: { type: "image", payload: { attachment_id: "1" } } },
            },
            valid: false,
          },
          401,
        )),
    },
    {
      operationId: "sendMessage",
      status: 503,
      name: "upload-and-send while attachment storage is full",
      changes: [],
      needs: ["storageFault", "fetchable"],
      run: (ctx) =>
        ctx.withStorageFault(
          async () =>
            void (await ctx.call(
              "sendMessage",
              {
                params: page(ctx),
                auth: "admin",
                json: {
                  recipient: { id: unknownPsid },
                  message: { attachment: { type: "image", payload: { url: ctx.session.target.fetchableImageUrl } } },
                },
                valid: true,
              },
              503,
            )),
        ),
    },
  ];
  // Every operation that documents 413 for a JSON body: a body past any JSON limit.
  for (const op of listOperations()) {
    if (!("413" in op.operation.responses) || !op.operation.requestBody?.content["application/json"]) continue;
    list.push({
      operationId: op.operationId,
      status: 413,
      name: "a JSON body over the size limit",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          op.operationId,
          {
            params: { page_id: ctx.session.target.graph.pageId },
            auth: "admin",
            json: { contract_padding: "x".repeat(OVERSIZED_JSON_BYTES) },
            valid: false,
          },
          413,
        )),
    });
  }
  return list;
}

/** Why a scenario cannot run on this target, or undefined when it can. */
export function scenarioBlocker(session: ContractSession, scenario: Scenario): string | undefined {
  const families = [...new Set([scenario.operationId, ...scenario.changes].map(familyOf))];
  const missing = families.filter((f) => !session.target.families.includes(f));
  if (missing.length) return `the ${missing.join(" and ")} family is not under test`;
  const irreversible = [...new Set(scenario.changes.filter(isIrreversible))];
  if (irreversible.length && !session.target.destructive)
    return `cannot be undone (${irreversible.join(", ")}): runs only with --destructive`;
  for (const need of scenario.needs ?? []) {
    if (need === "fetchable" && !session.target.fetchableImageUrl)
      return "needs --fetchable-url (an image URL the target can fetch)";
    if (need === "unfetchable" && !session.target.unfetchableUrl)
      return "needs --unfetchable-url (a URL the target can reach that answers 404)";
    if (need === "storageFault" && !session.target.hooks)
      return "needs a storage fault (only the in-process reference server can be given one)";
    if (need === "loginThrottle" && session.target.loginFailureLimitPerUser === undefined) {
      return "needs --wa-login-failure-limit (the target's failed-login limit per user name)";
    }
  }
  return undefined;
}

/** Result of layer 1. */
export interface ScenarioLayerResult {
  ran: number;
  failures: Error[];
  skipped: Array<{ scenario: string; reason: string }>;
}

/** Options of layer 1. */
export interface ScenarioLayerOptions {
  /** Only the scenarios of these operations. */
  operations?: string[];
  /** Where each scenario is recorded as a check. */
  report?: RunReport;
  /** One progress line per operation. */
  log?: (line: string) => void;
}

/** Runs every scenario (optionally only those of some operations), collecting failures instead of stopping. */
export async function runScenarioLayer(
  session: ContractSession,
  proxies: ValidatingProxies | undefined,
  opts: ScenarioLayerOptions = {},
): Promise<ScenarioLayerResult> {
  const ctx = new ScenarioContext(session, proxies);
  const result: ScenarioLayerResult = { ran: 0, failures: [], skipped: [] };
  // Grouped by operation in the spec's order, so that progress reads one line per operation.
  const order = listOperations().map((o) => o.operationId);
  const all = scenarios().filter((s) => !opts.operations || opts.operations.includes(s.operationId));
  for (const operationId of order) {
    const own = all.filter((s) => s.operationId === operationId);
    if (own.length === 0) continue;
    const tally = { passed: 0, failed: 0, skipped: 0 };
    for (const scenario of own) {
      const label = `${scenario.operationId} ${scenario.status} (${scenario.name})`;
      const record = async (fn: () => Promise<void>) => {
        if (opts.report) return (await opts.report.run("scenarios", scenario.operationId, label, fn)).status;
        try {
          await fn();
          return "passed" as const;
        } catch (err) {
          if (err instanceof CheckSkipped) return "skipped" as const;
          throw err;
        }
      };
      let outcome: "passed" | "failed" | "skipped";
      try {
        outcome = await record(async () => {
          let blocker = scenarioBlocker(session, scenario);
          if (!blocker && session.interrupted) blocker = "interrupted (Ctrl-C)";
          if (
            !blocker &&
            scenario.needs?.includes("user") &&
            (await session.userToken().catch(() => undefined)) === undefined
          )
            blocker = "needs a non-admin account";
          if (blocker) {
            result.skipped.push({ scenario: label, reason: blocker });
            session.coverage.skip(scenario.operationId, scenario.status, blocker);
            throw new CheckSkipped(blocker);
          }
          result.ran++;
          try {
            await scenario.run(ctx);
          } catch (err) {
            const e = err as Error;
            // After Ctrl-C a failure may be the interruption's doing (the terminal's SIGINT also stops Prism).
            if (e.name === "RunInterrupted" || session.interrupted) throw new RunInterrupted();
            result.failures.push(new Error(`scenario ${label}:\n${e.message}`));
            // The check is named after the scenario already: its message starts with the broken rule.
            throw e;
          }
        });
      } catch {
        outcome = "failed";
      }
      tally[outcome]++;
    }
    opts.log?.(
      `  scenarios  ${operationId.padEnd(26)} ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`,
    );
  }
  return result;
}
