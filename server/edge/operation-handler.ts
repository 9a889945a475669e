/**
 * The contract between the registrar and a handler, typed per operationId from generated/openapi.d.ts: what a
 * handler receives (validated path parameters, query, JSON body, the family's authentication result, the request
 * for streamed bodies) and what it may return (a documented status with its documented body, a stream, or nothing).
 * Errors are thrown as the family's catalogue errors, never returned.
 */
import type { Readable } from "node:stream";
import type { operations } from "../../generated/openapi.d.ts";
import type { OperationRequest } from "./operation-request.ts";

/** Every operationId of the spec. */
export type OperationId = keyof operations;

type Operation<O extends OperationId> = operations[O];
type NoParameters = Record<string, never>;
type Present<T> = [T] extends [never] ? NoParameters : T;

/** The path parameters of an operation (validated against their schemas before the handler runs). */
export type PathParams<O extends OperationId> = Present<NonNullable<Operation<O>["parameters"]["path"]>>;

/** The query parameters the operation declares, as sent (strings; absent ones missing). */
export type QueryParams<O extends OperationId> = Partial<Present<NonNullable<Operation<O>["parameters"]["query"]>>>;

type RequestContent<O extends OperationId> =
  NonNullable<Operation<O>["requestBody"]> extends { content: infer C } ? C : never;

/**
 * The JSON request body, validated against its schema: `undefined` when the operation has no JSON body, when its
 * body is optional and was not sent, or when the request used one of its other media types (a stream the handler
 * reads from `request`).
 */
export type JsonBody<O extends OperationId> =
  RequestContent<O> extends { "application/json": infer B }
    ? [Exclude<keyof RequestContent<O>, "application/json">] extends [never]
      ? undefined extends Operation<O>["requestBody"]
        ? B | undefined
        : B
      : B | undefined
    : undefined;

/** A JSON reply: the documented status and the body the spec documents for it. */
export interface JsonReply<S, B> {
  status: S;
  body: B;
  headers?: Record<string, string>;
}

/** A reply whose body is a stream of bytes (a download), with the headers that describe it. */
export interface StreamReply<S> {
  status: S;
  stream: Readable;
  headers: Record<string, string>;
}

/** A reply without a body (documented without content). */
export interface EmptyReply<S> {
  status: S;
  headers?: Record<string, string>;
}

type ReplyFor<S, R> = R extends { content: { "application/json": infer B } }
  ? JsonReply<S, B>
  : R extends { content?: never }
    ? EmptyReply<S>
    : StreamReply<S>;

type Responses<O extends OperationId> = Operation<O>["responses"];

/** What a handler of `O` may return: one of the statuses the spec documents for `O`, with its body. */
export type OperationReply<O extends OperationId> = {
  [S in keyof Responses<O>]: ReplyFor<S, Responses<O>[S]>;
}[keyof Responses<O>];

/** What a handler of `O` receives. `Auth` is the family's authentication result. */
export interface OperationInput<O extends OperationId, Auth> {
  params: PathParams<O>;
  query: QueryParams<O>;
  body: JsonBody<O>;
  auth: Auth;
  /** The request itself: headers, signal, and the raw body of non-JSON media types. */
  request: OperationRequest;
}

/** Wording of body validation errors for fields whose rule reads better in words than as a schema keyword. */
export interface ValidationWording {
  /** Details for an unknown field (for example a read-only one). */
  unknownField?: (field: string) => string | undefined;
  /** Details for a wrong value of a field. */
  invalidValue?: (field: string) => string | undefined;
}

/** How one operation is served. */
export interface OperationEntry<O extends OperationId, Auth> {
  handle(input: OperationInput<O, Auth>): OperationReply<O> | Promise<OperationReply<O>>;
  /**
   * Checks, before the body is read, that the authenticated caller may act on what the path names (a Graph page);
   * throws a catalogue error to refuse.
   */
  authorize?(auth: Auth, params: PathParams<O>): void;
  /**
   * The reply to a path parameter its schema refuses, when the operation documents another answer than the
   * family's default (for example an empty 404 for an id that cannot exist). May throw a catalogue error instead.
   */
  invalidPathParameter?(name: string, value: string): OperationReply<O>;
  /** Runs on the parsed JSON body before its schema, to refuse a case with a more precise error (throw). */
  precheckBody?(body: unknown): void;
  /** Wording of the body's validation errors. */
  validation?: ValidationWording;
}

/** The handlers of a family's operations, keyed by operationId; checked against the spec at start-up. */
export type HandlerTable<Auth> = { [O in OperationId]?: OperationEntry<O, Auth> };
