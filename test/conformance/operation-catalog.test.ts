// What the suite knows per operation (conformance/features/, through conformance/operation-catalog.ts) agrees with
// the spec, and the names it generates for someone's deployment can always be addressed and deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleGeneratedRequests } from "../../conformance/fuzz.ts";
import { catalogProblems, effectOf, FEATURES, knowledgeOf } from "../../conformance/operation-catalog.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { ContractSession } from "../../conformance/session.ts";
import { listOperations } from "../../spec-model/openapi-document.ts";

let ref: ReferenceTarget;
beforeAll(async () => {
  ref = await startReferenceTarget();
});
afterAll(async () => {
  await ref?.close();
});

describe("the operation catalog", () => {
  it("declares every operation of the spec once, with a scenario for each documented status", () => {
    expect(catalogProblems()).toEqual([]);
    const declared = FEATURES.flatMap((f) => f.operations.map((o) => o.operationId));
    expect(new Set(declared).size).toBe(declared.length);
    for (const op of listOperations())
      expect(["read", "session", "undoable", "irreversible"]).toContain(effectOf(op.operationId));
  });

  it("refuses to guess about an operation it does not know", () => {
    expect(() => knowledgeOf("frobnicate")).toThrow(/no feature of conformance\/features\/ declares frobnicate/);
  });

  it("never generates a user or provider name that URLs resolve away (. or ..) on someone else's target", async () => {
    const session = new ContractSession({ ...ref.target, disposable: false });
    for (const operationId of ["createUser", "deleteUser", "updateMediaProviders", "deleteMediaProvider"]) {
      const requests = await sampleGeneratedRequests(session, operationId, 300, 1963682337);
      for (const req of requests) {
        const segment = req.path.split("/").pop()!;
        expect([".", ".."]).not.toContain(decodeURIComponent(segment));
        const body = typeof req.body === "string" ? (JSON.parse(req.body) as unknown) : undefined;
        const names = [body]
          .flat()
          .flatMap((b) => [(b as { username?: unknown })?.username, (b as { name?: unknown })?.name])
          .filter((n): n is string => typeof n === "string");
        for (const name of names) expect([".", ".."]).not.toContain(name);
        // On someone else's deployment a generated user name carries the run's tag: it can only name its own users.
        if (operationId === "createUser" && typeof (body as { username?: unknown })?.username === "string")
          expect((body as { username: string }).username).toMatch(/^ct-[0-9a-f]{8}-/);
      }
    }
  });
});
