// Type tests of the handler contract (server/edge/operation-handler.ts): the compiler, not a reviewer, keeps a
// handler's input and reply in line with the spec. `npm run typecheck` fails if any `@ts-expect-error` below stops
// being an error, that is if a wrong status or body would compile.
import { Readable } from "node:stream";
import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../../generated/openapi.d.ts";
import type {
  HandlerTable,
  JsonBody,
  OperationReply,
  PathParams,
  QueryParams,
} from "../../../server/edge/operation-handler.ts";
import type { MessengerAuth } from "../../../server/edge/messenger-security.ts";
import type { WhatsAppAuth } from "../../../server/edge/whatsapp-security.ts";

type Schemas = components["schemas"];
const meta = { api_status: "stable", version: "3.0.1" } as const;

describe("handler input", () => {
  it("is typed per operation from the spec", () => {
    expectTypeOf<PathParams<"downloadMedia">>().toEqualTypeOf<{ media_id: Schemas["MediaId"] }>();
    expectTypeOf<PathParams<"getApplicationSettings">>().toEqualTypeOf<Record<string, never>>();
    expectTypeOf<QueryParams<"sendMessage">>().toEqualTypeOf<{ appsecret_proof?: string }>();
    // Required JSON body: the schema's type; optional: may be absent; other media types beside JSON: may be absent.
    expectTypeOf<JsonBody<"createUser">>().toEqualTypeOf<Schemas["CreateUserRequest"]>();
    expectTypeOf<JsonBody<"loginUser">>().toEqualTypeOf<Schemas["LoginRequest"] | undefined>();
    expectTypeOf<JsonBody<"uploadAttachment">>().toEqualTypeOf<Schemas["AttachmentUploadRequest"] | undefined>();
    // No JSON body (raw bytes, or no body at all).
    expectTypeOf<JsonBody<"uploadMedia">>().toEqualTypeOf<undefined>();
    expectTypeOf<JsonBody<"deleteMedia">>().toEqualTypeOf<undefined>();
  });
});

describe("handler replies", () => {
  it("accept the documented statuses with their documented bodies", () => {
    expectTypeOf<{ status: 201; body: Schemas["MediaUploadResponse"] }>().toMatchTypeOf<
      OperationReply<"uploadMedia">
    >();
    expectTypeOf<{ status: 404 }>().toMatchTypeOf<OperationReply<"downloadMedia">>();
    expectTypeOf<{ status: 200; stream: Readable; headers: Record<string, string> }>().toMatchTypeOf<
      OperationReply<"downloadMedia">
    >();
  });

  it("refuse an undocumented status, a wrong body, a stream for JSON and a body where none is documented", () => {
    // @ts-expect-error uploadMedia documents 201, not 200
    const wrongStatus: OperationReply<"uploadMedia"> = { status: 200, body: { media: [{ id: "x" }], meta } };
    // @ts-expect-error the body of 201 is MediaUploadResponse: `media` is required
    const wrongBody: OperationReply<"uploadMedia"> = { status: 201, body: { meta } };
    const stream = Readable.from([]);
    // @ts-expect-error getApplicationSettings answers JSON, not a stream
    const wrongKind: OperationReply<"getApplicationSettings"> = { status: 200, stream, headers: {} };
    // @ts-expect-error downloadMedia's 404 has no body
    const bodyOnEmpty: OperationReply<"downloadMedia"> = { status: 404, body: { meta } };
    void [wrongStatus, wrongBody, wrongKind, bodyOnEmpty];
  });

  it("are checked in handler tables, per operationId", () => {
    const table: HandlerTable<WhatsAppAuth> = {
      deleteMedia: {
        handle: ({ params }) => {
          expectTypeOf(params.media_id).toEqualTypeOf<string>();
          return { status: 200, body: { meta } };
        },
      },
      // @ts-expect-error resetApplicationSettings documents no 204
      resetApplicationSettings: { handle: () => ({ status: 204 }) },
    };
    const messenger: HandlerTable<MessengerAuth> = {
      sendMessage: {
        handle: ({ auth, body }) => {
          expectTypeOf(auth.pageId).toEqualTypeOf<string>();
          expectTypeOf(body.recipient.id).toEqualTypeOf<string>();
          return { status: 200, body: { recipient_id: body.recipient.id, message_id: "m_1" } };
        },
      },
    };
    void [table, messenger];
  });
});
