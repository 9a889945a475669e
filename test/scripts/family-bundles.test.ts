/**
 * The per-family bundles (derived from the combined one by `x-api-family`) and the rules that keep the spec friendly to
 * client generators (spec/README.md lists them).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { familyDocument, multipartUploadDocument } from "../../scripts/family-bundles.ts";
import {
  httpMethods,
  listOperations,
  loadOpenApiDocument,
  type OpenApiDocument,
} from "../../spec-model/openapi-document.ts";
import { bundleFileNames, generatedDir } from "../../spec-model/spec-bundles.ts";

type Json = Record<string, unknown>;

const combined = loadOpenApiDocument();
const read = (name: string) => JSON.parse(readFileSync(path.join(generatedDir, name), "utf8")) as OpenApiDocument;
const whatsapp = read(bundleFileNames.whatsapp);
const messenger = read(bundleFileNames.messenger);
const multipart = read(bundleFileNames.messengerMultipart);
const graphServers = combined.paths["/{page_id}/messages"]!.servers;

/** `$ref`s reachable from the paths and the security requirements, following components transitively. */
function reachableComponents(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === "$ref" && typeof value === "string" && !seen.has(value)) {
        seen.add(value);
        const [, section, name] = value.split("/").slice(1);
        visit(doc.components[section!]?.[name!]);
      } else visit(value);
    }
  };
  visit(doc.paths);
  for (const op of listOperations(doc)) {
    for (const requirement of op.operation.security ?? [])
      for (const scheme of Object.keys(requirement)) seen.add(`#/components/securitySchemes/${scheme}`);
  }
  return seen;
}

function componentRefs(doc: OpenApiDocument): string[] {
  return Object.entries(doc.components).flatMap(([section, entries]) =>
    Object.keys(entries).map((name) => `#/components/${section}/${name}`),
  );
}

function operationIds(doc: OpenApiDocument): string[] {
  return listOperations(doc).map((o) => o.operationId);
}

/** Every schema object in the document (components, parameters, media types, nested), with where it is. */
function allSchemas(doc: OpenApiDocument): Array<{ at: string; schema: Json }> {
  const out: Array<{ at: string; schema: Json }> = [];
  const schemaMaps = ["properties", "patternProperties", "$defs"];
  const schemaLists = ["oneOf", "anyOf", "allOf", "prefixItems"];
  const schemaValues = ["items", "not", "additionalProperties", "contentSchema", "if", "then", "else"];
  const walkSchema = (schema: unknown, at: string): void => {
    if (!schema || typeof schema !== "object") return;
    out.push({ at, schema: schema as Json });
    for (const [key, value] of Object.entries(schema as Json)) {
      if (schemaMaps.includes(key))
        for (const [name, child] of Object.entries(value as Json)) walkSchema(child, `${at}/${key}/${name}`);
      else if (schemaLists.includes(key))
        for (const [i, child] of (value as unknown[]).entries()) walkSchema(child, `${at}/${key}/${i}`);
      else if (schemaValues.includes(key)) walkSchema(value, `${at}/${key}`);
    }
  };
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, `${at}/${i}`);
      return;
    }
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === "schema") walkSchema(value, `${at}/schema`);
      else if (at === "#/components" && key === "schemas") {
        for (const [name, child] of Object.entries(value as Json)) walkSchema(child, `${at}/schemas/${name}`);
      } else if (key !== "examples" && key !== "example") walk(value, `${at}/${key}`);
    }
  };
  walk(doc, "#");
  return out;
}

describe("per-family bundles", () => {
  it("split the operations by x-api-family, each keeping them as the combined bundle states them", () => {
    const families = { whatsapp, messenger };
    for (const [family, doc] of Object.entries(families)) {
      const ops = listOperations(doc);
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) {
        expect((op.operation as unknown as Json)["x-api-family"], op.operationId).toBe(family);
        const original = combined.paths[op.path]![op.method];
        expect(op.operation, op.operationId).toEqual(original);
      }
    }
    expect([...operationIds(whatsapp), ...operationIds(messenger)].sort()).toEqual(operationIds(combined).sort());
  });

  it("carry their family's servers at the top level, and no path-level servers", () => {
    expect(whatsapp.servers).toEqual(combined.servers);
    expect(graphServers).toBeDefined();
    expect(messenger.servers).toEqual(graphServers);
    expect(multipart.servers).toEqual(graphServers);
    for (const doc of [whatsapp, messenger, multipart]) {
      for (const [route, item] of Object.entries(doc.paths)) expect(item.servers, route).toBeUndefined();
    }
  });

  it("hold only the components and tags they use, every $ref resolving", () => {
    for (const doc of [whatsapp, messenger, multipart]) {
      const reachable = reachableComponents(doc);
      expect(componentRefs(doc).filter((ref) => !reachable.has(ref))).toEqual([]);
      expect([...reachable].filter((ref) => !componentRefs(doc).includes(ref))).toEqual([]);
      const used = new Set(listOperations(doc).flatMap((o) => o.operation.tags));
      expect(((doc.tags ?? []) as Array<{ name: string }>).map((t) => t.name).sort()).toEqual([...used].sort());
    }
    expect(Object.keys(whatsapp.components.securitySchemes!).sort()).toEqual(["waBasicAuth", "waBearerAuth"]);
    expect(Object.keys(messenger.components.securitySchemes!).sort()).toEqual(["graphAccessToken", "graphBearerAuth"]);
  });

  it("messenger.multipart: uploadAttachment takes multipart/form-data only, everything else as in messenger", () => {
    const upload = (doc: OpenApiDocument) =>
      listOperations(doc).find((o) => o.operationId === "uploadAttachment")!.operation;
    expect(Object.keys(upload(multipart).requestBody!.content)).toEqual(["multipart/form-data"]);
    expect(Object.keys(upload(messenger).requestBody!.content)).toEqual(["application/json", "multipart/form-data"]);
    expect(upload(multipart).requestBody!.content["multipart/form-data"]).toEqual(
      upload(messenger).requestBody!.content["multipart/form-data"],
    );
    expect(multipart.paths["/{page_id}/messages"]).toEqual(messenger.paths["/{page_id}/messages"]);
    expect(multipart.components.schemas!.AttachmentUploadRequest).toBeUndefined();
  });

  it("refuse an operation without a known x-api-family, and Graph paths that disagree on their servers", () => {
    const noFamily = structuredClone(combined);
    delete (noFamily.paths["/v1/media"]!.post as unknown as Json)["x-api-family"];
    expect(() => familyDocument(noFamily, "whatsapp")).toThrow(/POST \/v1\/media declares no x-api-family/);
    (noFamily.paths["/v1/media"]!.post as unknown as Json)["x-api-family"] = "telegram";
    expect(() => familyDocument(noFamily, "whatsapp")).toThrow(
      /POST \/v1\/media declares no known x-api-family \(telegram; known: whatsapp, messenger\)/,
    );

    const disagreeing = structuredClone(combined);
    disagreeing.paths["/{page_id}/messages"]!.servers = [{ url: "https://graph.example.com" }];
    expect(() => familyDocument(disagreeing, "messenger")).toThrow(/do not all declare the same servers/);
    expect(() => multipartUploadDocument(disagreeing)).toThrow(/do not all declare the same servers/);
  });
});

describe("the spec keeps to what client generators understand", () => {
  it("path parameters are named as identifiers (names never travel on the wire)", () => {
    for (const op of listOperations(combined)) {
      for (const name of op.path.match(/\{([^}]+)\}/g) ?? [])
        expect(name, op.path).toMatch(/^\{[A-Za-z_][A-Za-z0-9_]*\}$/);
      for (const p of op.parameters)
        expect(p.name, `${op.operationId} ${p.in} parameter`).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
  });

  it("no schema has a type array beyond one type and null (several types go in a oneOf)", () => {
    const offenders = allSchemas(combined)
      .filter(
        ({ schema }) => Array.isArray(schema.type) && (schema.type as string[]).filter((t) => t !== "null").length > 1,
      )
      .map(({ at }) => at);
    expect(offenders).toEqual([]);
  });

  it("no two components, and no component and operation, have names that differ only by case", () => {
    const names = [
      ...Object.values(combined.components).flatMap((entries) => Object.keys(entries)),
      ...operationIds(combined).map((id) => id[0]!.toUpperCase() + id.slice(1)),
    ];
    const byLowerCase = new Map<string, Set<string>>();
    for (const name of names)
      byLowerCase.set(name.toLowerCase(), (byLowerCase.get(name.toLowerCase()) ?? new Set()).add(name));
    expect([...byLowerCase.values()].filter((spellings) => spellings.size > 1).map((s) => [...s])).toEqual([]);
  });

  it(
    "no required property has a default (generators turn it into a wrong type): " + "defaults of replies are x-default",
    () => {
      const offenders: string[] = [];
      for (const { at, schema } of allSchemas(combined)) {
        const required = new Set((schema.required ?? []) as string[]);
        for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
          if (required.has(name) && "default" in prop) offenders.push(`${at}/properties/${name}`);
        }
      }
      expect(offenders).toEqual([]);
    },
  );

  it("binary bodies and downloads are inline `type: string, format: binary` under each media type", () => {
    let binaries = 0;
    for (const op of listOperations(combined)) {
      const bodies = [
        op.operation.requestBody?.content,
        ...Object.values(op.operation.responses).map((r) => r.content),
      ];
      for (const content of bodies) {
        for (const [type, media] of Object.entries(content ?? {})) {
          const schema = media.schema ?? {};
          if (type === "application/json" || type === "multipart/form-data") continue;
          expect(schema, `${op.operationId} ${type}`).toEqual({ type: "string", format: "binary" });
          binaries++;
        }
      }
    }
    expect(binaries).toBeGreaterThan(10);
  });

  it("servers have short names (generators name them after their description)", () => {
    const servers = [
      ...((combined.servers ?? []) as Json[]),
      ...Object.values(combined.paths).flatMap((item) => (item.servers ?? []) as Json[]),
    ];
    expect(servers.length).toBeGreaterThan(2);
    for (const server of servers) expect(String(server.description)).toMatch(/^[A-Za-z][A-Za-z ]{2,29}$/);
  });

  it("every method of every path is one operation of one family", () => {
    for (const item of Object.values(combined.paths)) {
      for (const method of httpMethods) {
        const op = item[method] as unknown as Json | undefined;
        if (op) expect(["whatsapp", "messenger"]).toContain(op["x-api-family"]);
      }
    }
  });
});
