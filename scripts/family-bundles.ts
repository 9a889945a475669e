/**
 * Derives the per-family documents from the combined bundle: the operations that declare the family in
 * `x-api-family`, the family's servers at the top level, and only the tags it uses. Components the family does not use
 * are pruned afterwards by Redocly (`bundle --remove-unused-components`, see spec-pipeline.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type { OpenApiDocument, OperationObject } from "../spec-model/openapi-document.ts";
import { httpMethods } from "../spec-model/openapi-document.ts";
import { bundleFileNames, knownFamily, type ApiFamily } from "../spec-model/spec-bundles.ts";

/** How each family is named in the derived documents' titles. */
const familyTitles: Record<ApiFamily, string> = {
  whatsapp: "WhatsApp Business On-Premises",
  messenger: "Messenger Platform",
};

interface InfoObject {
  title: string;
  description?: string;
  [key: string]: unknown;
}

type PathItem = OpenApiDocument["paths"][string];

type Method = (typeof httpMethods)[number];

function operationsOf(item: PathItem): Array<[Method, OperationObject]> {
  const present = httpMethods.filter((method) => item[method] !== undefined);
  return present.map((method): [Method, OperationObject] => [method, item[method]!]);
}

/** The operations of one family, with the family's servers at the top level and only the tags it uses. */
function familyOperations(combined: OpenApiDocument, family: ApiFamily): OpenApiDocument {
  const doc = structuredClone(combined);
  const pathServers: unknown[][] = [];
  let withoutServers = 0;
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of operationsOf(item)) {
      if (knownFamily(operation as OperationObject, `${method.toUpperCase()} ${route}`) !== family) delete item[method];
    }
    if (operationsOf(item).length === 0) {
      delete doc.paths[route];
      continue;
    }
    if (item.servers) pathServers.push(item.servers);
    else withoutServers++;
    delete item.servers;
  }
  if (pathServers.length > 0) {
    // One document can give a family's servers once at the top only when every path of the family agrees.
    if (withoutServers > 0 || pathServers.some((servers) => !isDeepStrictEqual(servers, pathServers[0]))) {
      throw new Error(`the ${family} paths do not all declare the same servers: they cannot become top-level servers`);
    }
    doc.servers = pathServers[0];
  }
  const operations = Object.values(doc.paths).flatMap((item) => operationsOf(item));
  const usedTags = new Set(operations.flatMap(([, op]) => op.tags ?? []));
  doc.tags = ((doc.tags ?? []) as Array<{ name: string }>).filter((tag) => usedTags.has(tag.name));
  return doc;
}

function retitle(doc: OpenApiDocument, title: string, intro: string): OpenApiDocument {
  const info = doc.info as InfoObject;
  info.title = `${info.title}: ${title}`;
  info.description = `${intro}\n\n${info.description ?? ""}`;
  return doc;
}

/** The document of one API family, to generate that family's client from. */
export function familyDocument(combined: OpenApiDocument, family: ApiFamily): OpenApiDocument {
  const name = familyTitles[family];
  return retitle(
    familyOperations(combined, family),
    name,
    `The ${name} operations of the combined description (\`${bundleFileNames.all}\`), with their servers at the top ` +
      `level: the document to generate a ${name} client from.`,
  );
}

/**
 * The Messenger document in which every request body that offers `multipart/form-data` offers only that (the file
 * upload of `uploadAttachment`), for generators that build one function per operation from its first media type.
 */
export function multipartUploadDocument(combined: OpenApiDocument): OpenApiDocument {
  const doc = familyOperations(combined, "messenger");
  let changed = 0;
  for (const item of Object.values(doc.paths)) {
    for (const [, operation] of operationsOf(item)) {
      const content = operation.requestBody?.content;
      if (!content?.["multipart/form-data"] || Object.keys(content).length === 1) continue;
      operation.requestBody!.content = { "multipart/form-data": content["multipart/form-data"] };
      operation.description =
        `In this document the request body is \`multipart/form-data\` only (an upload from a file); the other forms ` +
        `are in \`${bundleFileNames.messenger}\`.\n\n${operation.description}`;
      changed++;
    }
  }
  if (changed === 0) throw new Error("no Messenger operation offers multipart/form-data beside another media type");
  return retitle(
    doc,
    `${familyTitles.messenger}, file uploads`,
    `A variant of \`${bundleFileNames.messenger}\` in which \`uploadAttachment\` takes only \`multipart/form-data\` ` +
      `(an upload from a file), for client generators that pick one request media type per operation.`,
  );
}
