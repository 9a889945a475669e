// The Prism mock built from the bundle answers every operation, for its success and for each documented error
// status, with a response that conforms to the spec. This proves the spec is complete enough to mock.
import { describe, expect, inject, it } from "vitest";
import { deref, listOperations, loadOpenApiDocument, type SpecOperation } from "../../spec-model/openapi-document.ts";
import { specProblemsOf } from "../support/spec-response.ts";

const doc = loadOpenApiDocument();
const prismUrl = inject("prismUrl");

const pathValues: Record<string, string> = {
  media_id: "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68",
  username: "alice",
  provider_name: "my-cdn",
  page_id: "me",
};

/** A valid request for the operation, built from the spec's own parameters, security and body examples. */
function validRequest(op: SpecOperation): { url: string; init: RequestInit } {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(pathValues[name]!));
  const url = new URL(prismUrl + path);
  const headers = new Headers();
  const scheme = Object.keys(op.operation.security?.[0] ?? {})[0];
  if (scheme === "waBasicAuth")
    headers.set("authorization", `Basic ${Buffer.from("admin:S3cure-Passw0rd!").toString("base64")}`);
  if (scheme === "waBearerAuth") headers.set("authorization", "Bearer mock-token");
  if (scheme === "graphAccessToken") url.searchParams.set("access_token", "mock-page-token");
  let body: BodyInit | undefined;
  const content = op.operation.requestBody?.content;
  if (content?.["application/json"]) {
    const first = Object.values(content["application/json"].examples ?? {})[0];
    const value = first ? deref<{ value: unknown }>(doc, first as { $ref: string }).value : {};
    headers.set("content-type", "application/json");
    body = JSON.stringify(value);
  } else if (content) {
    const type = Object.keys(content)[0]!;
    headers.set("content-type", type);
    body = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  }
  return { url: url.toString(), init: { method: op.method.toUpperCase(), headers, body } };
}

const cases = listOperations(doc).flatMap((op) =>
  Object.keys(op.operation.responses).map((status) => [`${op.operationId} ${status}`, op, Number(status)] as const),
);

describe("Prism mock of the bundle", () => {
  it("covers every documented (operation, status) pair: a success and an error of each operation at least", () => {
    for (const op of listOperations(doc)) {
      const statuses = cases.filter(([, caseOp]) => caseOp === op).map(([, , status]) => status);
      expect(statuses.some((s) => s < 300) && statuses.some((s) => s >= 400), op.operationId).toBe(true);
    }
  });

  it.each(cases)("%s", async (_name, op, status) => {
    const { url, init } = validRequest(op);
    const headers = new Headers(init.headers);
    headers.set("prefer", `code=${status}`);
    const response = await fetch(url, { ...init, headers });
    expect(response.status, await response.clone().text()).toBe(status);
    expect(await specProblemsOf(op.operationId, response)).toEqual([]);
  });
});
