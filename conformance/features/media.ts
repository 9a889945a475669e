/**
 * What the suite knows about the WA media operations (`/v1/media`): upload raw bytes, download, delete. Media the
 * suite uploads is tracked by the id its reply carries (a reply without a readable id, or no reply, is "maybe
 * created" and reported), deleted at the end and confirmed gone by a download answering 404. Downloads are compared
 * with what was uploaded as they stream. Binary exchanges go straight to the target (Prism cannot judge them).
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import type { ContractRequest } from "../exchange.ts";
import type { FuzzContext } from "../fuzz-context.ts";
import { mediaSamples } from "../media-samples.ts";
import type { Feature, Mutated, OperationKnowledge, ResourceCleanup, StatefulModel } from "../operation-knowledge.ts";
import type { ScenarioContext } from "../scenario-context.ts";
import { isSuccess, jsonOf, lastSegment, mayHaveSucceeded } from "./exchange-reading.ts";
import { refusedWithoutCredentials } from "./refusals.ts";

const sample = (contentType: string) => mediaSamples().find((s) => s.contentType === contentType)!;
const png = () => sample("image/png");

/** Every valid MIME type is a document upload, so what uploadMedia refuses is a range or not a type at all. */
const NOT_A_BODY_TYPE = ["text/*", "*/*", "image/*", "video/*", "not-a-type"];

async function uploadPng(ctx: ScenarioContext): Promise<string> {
  const res = await ctx.call(
    "uploadMedia",
    { auth: "admin", raw: png().bytes, contentType: "image/png", valid: true },
    201,
  );
  return ctx.json<{ media: Array<{ id: string }> }>(res).media[0]!.id;
}

const uploadMedia: OperationKnowledge = {
  operationId: "uploadMedia",
  effect: "undoable",
  note: "the media the suite uploads is deleted at the end and confirmed gone",
  scenarios: [
    {
      status: 201,
      name: "a PNG",
      changes: ["uploadMedia"],
      run: async (ctx) => void (await uploadPng(ctx)),
    },
    {
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
    refusedWithoutCredentials("uploadMedia", () => ({ raw: png().bytes, contentType: "image/png" })),
    {
      status: 413,
      name: "a sticker over its documented x-max-bytes",
      changes: [],
      run: async (ctx) => {
        const webp = sample("image/webp");
        const body = new Uint8Array(webp.maxBytes + 1);
        body.set(webp.bytes);
        await ctx.call("uploadMedia", { auth: "admin", raw: body, contentType: webp.contentType, valid: false }, 413);
      },
    },
    {
      status: 415,
      name: "declared PNG, JPEG bytes",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadMedia",
          { auth: "admin", raw: sample("image/jpeg").bytes, contentType: "image/png", valid: false },
          415,
        )),
    },
    {
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
  ],
  accepts: () => [201],
  track(ledger, req, res) {
    if (!mayHaveSucceeded(req.operationId, res?.status)) return;
    const id = (jsonOf(res?.text) as { media?: Array<{ id?: unknown }> } | undefined)?.media?.[0]?.id;
    if (res && isSuccess(res.status) && typeof id === "string" && id) ledger.created("media", id);
    else {
      const why = !res
        ? "no reply came"
        : isSuccess(res.status)
          ? `the ${res.status} reply has no readable media id`
          : `the target answered ${res.status}`;
      ledger.maybe("media", `${req.method} ${req.path} (${String(req.headers?.["content-type"])}): ${why}`);
    }
  },
  fuzz: {
    rawBody(mediaType) {
      const s = mediaSamples().find((m) => m.documented === mediaType);
      if (!s) return undefined;
      return fc.uint8Array({ maxLength: 512 }).map((tail) => ({
        headers: { "content-type": s.contentType },
        body: new Uint8Array(Buffer.concat([s.bytes, tail])),
      }));
    },
    mutations(req, pick, pick2) {
      const samples = mediaSamples();
      const webp = sample("image/webp");
      const withHeaders = (headers: Record<string, string>, body?: ContractRequest["body"]): ContractRequest => ({
        ...req,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const options: Array<() => Mutated> = [
        () => ({
          request: withHeaders({ ...req.headers, "content-type": NOT_A_BODY_TYPE[pick2 % NOT_A_BODY_TYPE.length]! }),
          rule: "a media range or a non-type as Content-Type gets a 4xx",
        }),
        () => {
          const big = new Uint8Array(webp.maxBytes + 1 + (pick2 % 1024));
          big.set(webp.bytes);
          return {
            request: withHeaders({ ...req.headers, "content-type": webp.contentType }, big),
            rule: `oversized body (over x-max-bytes ${webp.maxBytes} of image/webp) gets a 4xx`,
          };
        },
        () => {
          const binary = samples.filter((s) => s.category !== "document");
          const declared = binary[pick2 % binary.length]!;
          // MP4 audio and MP4 video share one container (ISO BMFF, often with the generic `isom` brand): their
          // first bytes cannot tell one from the other, so that pair is no mismatch a server can see.
          const sameContainer = (a: string, b: string) => [a, b].every((t) => t === "audio/mp4" || t === "video/mp4");
          const others = binary.filter((s) => s !== declared && !sameContainer(s.contentType, declared.contentType));
          const actual = others[pick % others.length]!;
          return {
            request: withHeaders({ ...req.headers, "content-type": declared.contentType }, actual.bytes),
            rule: `declared ${declared.contentType} with ${actual.contentType} bytes gets a 4xx`,
          };
        },
      ];
      return options;
    },
  },
};

const knownMedia = {
  media_id: (ctx: FuzzContext, fromSchema: fc.Arbitrary<string>) => {
    const ids = ctx.ids("media");
    return ids.length ? fc.oneof(fc.constantFrom(...ids), fromSchema) : fromSchema;
  },
};

const downloadMedia: OperationKnowledge = {
  operationId: "downloadMedia",
  effect: "read",
  note: "reads",
  scenarios: [
    {
      status: 200,
      name: "the same bytes and type come back",
      changes: ["uploadMedia"],
      run: async (ctx) => {
        const id = await uploadPng(ctx);
        await ctx.call(
          "downloadMedia",
          { params: { media_id: id }, auth: "admin", valid: true },
          200,
          (res) =>
            res.headers.get("content-type")?.split(";")[0] !== "image/png"
              ? `Content-Type ${res.headers.get("content-type")} is not the uploaded image/png`
              : undefined,
          { expect: png().bytes, rule: "the downloaded bytes are the uploaded ones" },
        );
      },
    },
    refusedWithoutCredentials("downloadMedia", () => ({ params: { media_id: randomUUID() } })),
    {
      status: 404,
      name: "unknown id",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("downloadMedia", { params: { media_id: randomUUID() }, auth: "admin", valid: true }, 404)),
    },
  ],
  accepts: () => [200, 404],
  track(ledger, req, res) {
    const id = lastSegment(req.path);
    if (id === undefined || !res) return;
    if (res.status === 404) ledger.gone("media", id);
    else if (res.status === 200) ledger.present("media", id);
  },
  fuzz: { pathParams: knownMedia },
};

const deleteMedia: OperationKnowledge = {
  operationId: "deleteMedia",
  effect: "undoable",
  note: "only media the suite uploaded (other ids are fresh UUIDs)",
  scenarios: [
    {
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
    refusedWithoutCredentials("deleteMedia", () => ({ params: { media_id: randomUUID() } })),
    {
      status: 404,
      name: "unknown id",
      changes: [],
      run: async (ctx) =>
        void (await ctx.call("deleteMedia", { params: { media_id: randomUUID() }, auth: "admin", valid: true }, 404)),
    },
  ],
  accepts: () => [200, 404],
  track(ledger, req, res) {
    const id = lastSegment(req.path);
    if (id !== undefined && res?.status === 404) ledger.gone("media", id);
  },
  fuzz: { pathParams: knownMedia },
};

const mediaCleanup: ResourceCleanup = {
  kind: "media",
  label: "media",
  operationId: "deleteMedia",
  remove: (id) => ({ operationId: "deleteMedia", method: "DELETE", path: `/v1/media/${encodeURIComponent(id)}` }),
  confirm: (id) => ({
    request: { operationId: "downloadMedia", method: "GET", path: `/v1/media/${encodeURIComponent(id)}` },
    isGone: (res) => (res.status === 404 ? true : res.status === 200 ? false : undefined),
  }),
  confirmedBy: "a download answering 404",
};

/** upload -> download the same bytes -> delete -> 404 -> delete again 404. */
const mediaRoundTrip: StatefulModel = {
  name: "upload -> download -> delete -> 404",
  operations: ["uploadMedia", "downloadMedia", "deleteMedia"],
  async run(ctx, runs, assertProperty) {
    const s = ctx.session;
    const auth = { authorization: ctx.adminHeaders.authorization! };
    await assertProperty(
      fc.tuple(fc.constantFrom(...mediaSamples()), fc.uint8Array({ maxLength: 2048 })),
      async ([m, tail]) => {
        const bytes = new Uint8Array(Buffer.concat([m.bytes, tail]));
        const up = await s.exchange(
          {
            operationId: "uploadMedia",
            method: "POST",
            path: "/v1/media",
            headers: { ...auth, "content-type": m.contentType },
            body: bytes,
          },
          { expect: 201, rule: `a valid ${m.contentType} upload is stored` },
        );
        const id = (JSON.parse(up.text!) as { media: Array<{ id: string }> }).media[0]!.id;
        const path = `/v1/media/${encodeURIComponent(id)}`;
        await s.exchange(
          { operationId: "downloadMedia", method: "GET", path, headers: auth },
          {
            expect: 200,
            rule: "download returns the uploaded bytes and type",
            expectBytes: bytes,
            bytesRule: "download returns the uploaded bytes and type",
            check: (res) =>
              res.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() !== m.contentType.split(";")[0]
                ? `Content-Type ${res.headers.get("content-type")} is not the uploaded ${m.contentType}`
                : undefined,
          },
        );
        await s.exchange(
          { operationId: "deleteMedia", method: "DELETE", path, headers: auth },
          { expect: 200, rule: "delete of stored media" },
        );
        await s.exchange(
          { operationId: "downloadMedia", method: "GET", path, headers: auth },
          { expect: 404, rule: "deleted media is gone (use after free)" },
        );
        await s.exchange(
          { operationId: "deleteMedia", method: "DELETE", path, headers: auth },
          { expect: 404, rule: "deleting twice is 404" },
        );
      },
      runs,
    );
  },
};

/** The media feature. */
export const mediaFeature: Feature = {
  name: "media",
  operations: [uploadMedia, downloadMedia, deleteMedia],
  resources: [mediaCleanup],
  statefulModels: [mediaRoundTrip],
};
