/**
 * What the suite knows about the Messenger attachment operations: upload (from a URL, or a file as multipart) and
 * send. Neither can be undone (the Graph API has no way to delete an attachment; a sent message reaches a person), so
 * any request that carries the page token to them runs only with `--destructive`, whatever it is meant to get: a
 * lenient target might accept even a malformed one. What such a run uploaded and sent is counted and reported.
 */
import fc from "fast-check";
import type { ContractRequest } from "../exchange.ts";
import type { FuzzContext } from "../fuzz-context.ts";
import { mediaSamples } from "../media-samples.ts";
import type { Feature, OperationKnowledge, StatefulModel } from "../operation-knowledge.ts";
import type { ScenarioContext } from "../scenario-context.ts";
import { isSuccess, jsonOf, mayHaveSucceeded } from "./exchange-reading.ts";
import { refusedWithoutCredentials } from "./refusals.ts";

const png = () => mediaSamples().find((s) => s.contentType === "image/png")!;
const unknownPsid = "1000000000000001";
const DAY = 24 * 60 * 60 * 1000;

const page = (ctx: ScenarioContext) => ({ page_id: ctx.session.target.messenger.pageId });

function multipartForm(message: unknown, file?: { bytes: Uint8Array; type: string; name: string }): FormData {
  const form = new FormData();
  form.set("message", JSON.stringify(message));
  if (file) form.set("filedata", new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  return form;
}

const pngForm = () =>
  multipartForm(
    { attachment: { type: "image", payload: { is_reusable: true } } },
    { bytes: png().bytes, type: "image/png", name: "pixel.png" },
  );

async function uploadAttachmentFile(ctx: ScenarioContext): Promise<string> {
  const res = await ctx.call(
    "uploadAttachment",
    { params: page(ctx), auth: "admin", raw: pngForm(), valid: true },
    200,
  );
  return ctx.json<{ attachment_id: string }>(res).attachment_id;
}

/** The page of the run's token most of the time, `me`, or a page id from the schema. */
const pageIds = {
  pageid: (ctx: FuzzContext, fromSchema: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(ctx.session.target.messenger.pageId) }, fc.constant("me"), fromSchema),
};

const uploadAttachment: OperationKnowledge = {
  operationId: "uploadAttachment",
  effect: "irreversible",
  note: "the Graph API has no way to delete an uploaded attachment",
  scenarios: [
    {
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
      status: 200,
      name: "from a file (multipart, checked in-process)",
      changes: ["uploadAttachment"],
      run: async (ctx) => void (await uploadAttachmentFile(ctx)),
    },
    {
      status: 400,
      name: "the URL cannot be fetched",
      changes: ["uploadAttachment"],
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
      status: 400,
      name: "payload.url missing",
      changes: ["uploadAttachment"],
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
      status: 400,
      name: "multipart without filedata (checked in-process)",
      changes: ["uploadAttachment"],
      run: async (ctx) =>
        void (await ctx.call(
          "uploadAttachment",
          { params: page(ctx), auth: "admin", raw: multipartForm({ attachment: { type: "image" } }), valid: false },
          400,
        )),
    },
    refusedWithoutCredentials(
      "uploadAttachment",
      (ctx) => ({
        params: page(ctx),
        json: { message: { attachment: { type: "image", payload: { url: "https://example.com/a.png" } } } },
      }),
      "no access token",
    ),
    {
      status: 503,
      name: "attachment storage is full (multipart, checked in-process)",
      changes: ["uploadAttachment"],
      needs: ["storageFault"],
      run: (ctx) =>
        ctx.withStorageFault(
          async () =>
            void (await ctx.call(
              "uploadAttachment",
              { params: page(ctx), auth: "admin", raw: pngForm(), valid: true },
              503,
            )),
        ),
    },
  ],
  // A generated URL never resolves (or is the fetchable one), and a generated type may not match the file: 400.
  accepts: () => [200, 400],
  track(ledger, req, res) {
    if (!mayHaveSucceeded(req.operationId, res?.status)) return;
    const id = (jsonOf(res?.text) as { attachment_id?: unknown } | undefined)?.attachment_id;
    if (res && isSuccess(res.status) && typeof id === "string") ledger.attachments.push(id);
    else {
      ledger.attachments.push("(unknown id)");
      ledger.maybe("attachments", `${req.method} ${req.path}: ${res ? `answered ${res.status}` : "no reply came"}`);
    }
  },
  fuzz: { pathParams: pageIds },
};

const sendMessage: OperationKnowledge = {
  operationId: "sendMessage",
  effect: "irreversible",
  note: "a sent message reaches a real person and cannot be taken back",
  scenarios: [
    {
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
      status: 400,
      name: "unknown attachment id",
      changes: ["sendMessage"],
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
    refusedWithoutCredentials(
      "sendMessage",
      (ctx) => ({
        params: page(ctx),
        json: {
          recipient: { id: unknownPsid },
          message: { attachment: { type: "image", payload: { attachment_id: "1" } } },
        },
      }),
      "no access token",
    ),
    {
      status: 503,
      name: "upload-and-send while attachment storage is full",
      changes: ["sendMessage"],
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
  ],
  // Generated attachment ids are unknown to the target (2018074), generated URLs cannot be fetched (2018008).
  accepts: () => [200, 400],
  track(ledger, req, res) {
    if (res && isSuccess(res.status)) ledger.messagesSent++;
    else if (mayHaveSucceeded(req.operationId, res?.status))
      ledger.maybe("messages", `${req.method} ${req.path}: ${res ? `answered ${res.status}` : "no reply came"}`);
  },
  fuzz: { pathParams: pageIds },
};

/** upload -> send -> (on the reference server) still valid after 89 days, refused after 90. */
const attachmentModel: StatefulModel = {
  name: "attachment upload -> send -> expiry",
  operations: ["uploadAttachment", "sendMessage"],
  async run(ctx, runs, assertProperty) {
    const s = ctx.session;
    const pageId = s.target.messenger.pageId;
    const q = s.messengerQuery();
    const images = mediaSamples().filter((m) => m.category === "image");
    await assertProperty(
      fc.tuple(fc.constantFrom(...images), fc.boolean(), fc.constantFrom("1234567890", "2000000000000001")),
      async ([sample, fromUrl, psid]) => {
        let body: ContractRequest["body"];
        const headers: Record<string, string> = {};
        if (fromUrl && s.target.fetchableImageUrl) {
          body = JSON.stringify({
            message: { attachment: { type: "image", payload: { url: s.target.fetchableImageUrl, is_reusable: true } } },
          });
          headers["content-type"] = "application/json";
        } else {
          const fd = new FormData();
          fd.set("message", JSON.stringify({ attachment: { type: "image", payload: { is_reusable: true } } }));
          fd.set("filedata", new Blob([new Uint8Array(sample.bytes)], { type: sample.contentType }), "image");
          body = fd;
        }
        const up = await s.exchange(
          {
            operationId: "uploadAttachment",
            method: "POST",
            path: `/${pageId}/message_attachments`,
            query: q,
            headers,
            body,
          },
          { expect: 200, rule: "attachment upload" },
        );
        const id = (JSON.parse(up.text!) as { attachment_id: string }).attachment_id;
        const send = (): ContractRequest => ({
          operationId: "sendMessage",
          method: "POST",
          path: `/${pageId}/messages`,
          query: q,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            recipient: { id: psid },
            message: { attachment: { type: "image", payload: { attachment_id: id } } },
          }),
        });
        await s.exchange(send(), { expect: 200, rule: "an uploaded attachment can be sent" });
        const hooks = s.target.hooks;
        if (!hooks) return;
        try {
          hooks.setClockOffset(89 * DAY);
          await s.exchange(send(), { expect: 200, rule: "an attachment id is still valid after 89 days" });
          hooks.setClockOffset(91 * DAY);
          await s.exchange(send(), {
            expect: 400,
            rule: "an attachment id expires after 90 days (2018074)",
            check: (res) =>
              (jsonOf(res.text) as { error?: { error_subcode?: number } } | undefined)?.error?.error_subcode === 2018074
                ? undefined
                : "error_subcode is not 2018074",
          });
        } finally {
          hooks.setClockOffset(0);
        }
      },
      Math.max(1, Math.ceil(runs / 2)),
    );
    if (!s.target.hooks) s.skip("attachment expiry (needs a movable clock: in-process reference server only)");
  },
};

/** The Messenger attachments feature. */
export const attachmentsFeature: Feature = {
  name: "attachments",
  operations: [uploadAttachment, sendMessage],
  statefulModels: [attachmentModel],
};
