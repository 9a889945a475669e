/** No input reaches a 500: random JSON bodies, random multipart bytes, random page ids, against both operations. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectResponseMatchesSpec } from "../../support/spec-response.ts";
import { createMessengerTestApp, type MessengerTestApp, TOKEN } from "../../support/messenger-app.ts";

let t: MessengerTestApp;

beforeAll(async () => {
  // No host name resolves and nothing is allowed: whatever URL a generated body holds, nothing leaves this process.
  t = await createMessengerTestApp({ ATTACHMENT_FETCH_ALLOW: "" }, (async () => {
    throw Object.assign(new Error("stub DNS"), { code: "ENOTFOUND" });
  }) as never);
});
afterAll(() => t.close());

// Bodies shaped like the real ones with random leaves, plus arbitrary JSON; IP-literal URLs are kept out so that no
// generated case could point the fetcher at a public address.
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("image", "video", "audio", "file", "1234", "https://example.invalid/a.png"),
);
const shaped = fc.record(
  {
    recipient: fc.oneof(fc.record({ id: leaf }, { requiredKeys: [] }), leaf),
    message: fc.oneof(
      fc.record(
        {
          attachment: fc.oneof(
            fc.record(
              {
                type: leaf,
                payload: fc.oneof(
                  fc.record({ url: leaf, attachment_id: leaf, is_reusable: leaf }, { requiredKeys: [] }),
                  leaf,
                ),
              },
              { requiredKeys: [] },
            ),
            leaf,
          ),
        },
        { requiredKeys: [] },
      ),
      leaf,
    ),
    access_token: fc.oneof(leaf, fc.constant(TOKEN)),
  },
  { requiredKeys: [] },
);
const body = fc
  .oneof(shaped, fc.jsonValue({ maxDepth: 3 }))
  .filter((v) => !/:\/\/\[|:\/\/[0-9]/.test(JSON.stringify(v) ?? ""));

describe("robustness", () => {
  it("answers every random JSON body with a documented status and a Graph envelope", async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom("message_attachments", "messages"),
        fc.boolean(),
        async (value, edge, withToken) => {
          const res = await t.request(`/v21.0/me/${edge}${withToken ? `?access_token=${TOKEN}` : ""}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(value),
          });
          expect([200, 400, 401]).toContain(res.status);
          await expectResponseMatchesSpec(edge === "messages" ? "sendMessage" : "uploadAttachment", res);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("answers random multipart bodies and page ids without a 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom("zzz", "", "a b", "x".repeat(80)),
        fc.oneof(
          fc.constant("me"),
          fc.stringMatching(/^[0-9a-z%.-]{1,20}$/).filter((p) => !/^\.+$/.test(p)),
        ),
        async (bytes, boundary, page) => {
          const prefix = Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n` +
              `{"attachment":{"type":"image"}}\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="f"\r\n\r\n`,
          );
          const res = await t.request(`/v21.0/${page}/message_attachments?access_token=${TOKEN}`, {
            method: "POST",
            headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
            body: Buffer.concat([prefix, bytes]),
          });
          expect(res.status).toBeLessThan(500);
          const text = await res.text();
          expect(JSON.parse(text)).toHaveProperty(res.status === 200 ? "attachment_id" : "error.fbtrace_id");
        },
      ),
      { numRuns: 100 },
    );
  });
});
