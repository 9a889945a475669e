/**
 * What the suite knows about one operation, in one place (a feature module under features/ declares it for each of
 * its operations): what a successful call changes on a target, its scenarios (a way to produce each documented
 * status), the statuses a valid request may get, what an exchange may have created or removed, and the hints its
 * fuzzing needs. The engines (scenarios.ts, fuzz.ts, cleanup.ts, the session's ledger) hold no knowledge of any
 * operation: they read it from here, through operation-catalog.ts.
 */
import type fc from "fast-check";
import type { ContractRequest, ContractResponse } from "./exchange.ts";
import type { FuzzContext } from "./fuzz-context.ts";
import type { Ledger, ResourceKind } from "./ledger.ts";
import type { ScenarioContext } from "./scenario-context.ts";

/**
 * The effect of a successful call: reads and the suite's own logins always run; what the suite can undo runs and is
 * undone at the end; what cannot be undone runs only with `--destructive`.
 */
export type OperationEffect = "read" | "session" | "undoable" | "irreversible";

/** What a scenario needs from the target beyond the basics. */
export type ScenarioNeed = "user" | "fetchable" | "unfetchable" | "storageFault" | "loginThrottle";

/** A way to produce one documented status of an operation. */
export interface Scenario {
  status: number;
  name: string;
  /**
   * The operations whose success the scenario needs, i.e. what it changes on the target (reads and requests meant to
   * be refused are not listed). An irreversible one makes the scenario need `--destructive`. A request with valid
   * credentials to the scenario's own operation counts too (see `scenarioBlocker`): a target may wrongly accept it.
   */
  changes: string[];
  needs?: ScenarioNeed[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** A mutated request and the rule the mutation breaks. */
export interface Mutated {
  request: ContractRequest;
  rule: string;
}

/** A generated request body, with the headers it goes with. */
export interface GeneratedBody {
  headers: Record<string, string>;
  body?: ContractRequest["body"];
}

/** What fuzzing an operation needs to know beyond its schemas. */
export interface FuzzHints {
  /** Values for path parameters, by parameter key (`paramKey`): `fromSchema` is what the schema alone generates. */
  pathParams?: Record<string, (ctx: FuzzContext, fromSchema: fc.Arbitrary<string>) => fc.Arbitrary<string>>;
  /**
   * Makes a generated JSON body fit to send to someone's deployment (undefined: drop this one). URLs are already
   * made harmless (hosts under `.invalid`, or the target's fetchable URL).
   */
  jsonBody?(value: unknown, ctx: FuzzContext): unknown | undefined;
  /** Bodies of a request media type that is neither JSON nor multipart (a raw upload). */
  rawBody?(mediaType: string): fc.Arbitrary<GeneratedBody> | undefined;
  /** The credentials a generated request carries (default: the admin's token, or the page token). */
  credentials?(ctx: FuzzContext): Record<string, string>;
  /** Mutations of a valid request beyond the generic ones (`pick` chooses among variants). */
  mutations?(req: ContractRequest, pick: number, pick2: number): Array<() => Mutated>;
  /** Whether the mutated requests include mangled credentials (no for the login: its failures are counted). */
  mangleCredentials?: boolean;
  /** Runs before each generated request is sent (a logout gets a token of its own). */
  beforeSend?(req: ContractRequest, ctx: FuzzContext): Promise<void>;
  /** Runs after each generated request's reply. */
  afterReply?(req: ContractRequest, res: ContractResponse, ctx: FuzzContext): void;
  /** After the operation's fuzzing the non-admin token may have been revoked (a password change by a login body). */
  revokesTokens?: boolean;
  /** The credential checks send the request without its body (a login body may change a password). */
  securityWithoutBody?: boolean;
  /** The valid-credential checks use tokens of their own: the operation revokes the token it is sent with. */
  securityFreshTokens?: boolean;
  /** Extra credential checks (malformed Authorization headers), each one request. */
  securityExtras?(sample: ContractRequest): Array<{ request: ContractRequest; rule: string }>;
}

/** What the suite knows about one operation. */
export interface OperationKnowledge {
  operationId: string;
  effect: OperationEffect;
  /** How the suite leaves the target as it found it, or why it cannot. */
  note: string;
  /** Layer 1: at least one per documented status. */
  scenarios: Scenario[];
  /**
   * Positive data acceptance: the statuses a valid request the fuzzer generated may get with valid credentials (an
   * unknown id's 404, a taken name's 409...). Any other status, a 4xx that refuses valid data included, fails.
   */
  accepts(req: ContractRequest): number[];
  /** What an exchange may have created or removed, from the request sent and the reply (undefined: none came). */
  track?(ledger: Ledger, req: ContractRequest, res: ContractResponse | undefined): void;
  fuzz?: FuzzHints;
}

/** How the cleanup deletes a kind of resource the run created, and confirms it is gone. */
export interface ResourceCleanup {
  kind: ResourceKind;
  /** Plural, for messages: "media", "users", "media providers". */
  label: string;
  /** The operation named in the cleanup's check. */
  operationId: string;
  /** The documented deletion (the session adds the admin's credentials). */
  remove(id: string): Omit<ContractRequest, "headers">;
  /** A read that tells whether it is gone; `isGone` says so from its reply (undefined: the reply says neither). */
  confirm(id: string): {
    request: Omit<ContractRequest, "headers">;
    isGone(res: ContractResponse): boolean | undefined;
  };
  /** How `confirm` reads, for the report. */
  confirmedBy: string;
}

/** Talks to the target for the preflight and the cleanup: the admin's credentials, replies not judged. */
export interface AdminIo {
  send(req: Omit<ContractRequest, "headers">, expect: number[], rule: string): Promise<ContractResponse>;
}

/** State the run must read before it starts and put back at the end (the settings), or only know (provider names). */
export interface StateKeeper {
  /** The check that restores it, in the cleanup suite. */
  name: string;
  operationId: string;
  /** Reads what must be put back or left alone, into the ledger's snapshot; throws when it cannot (no run then). */
  read(io: AdminIo, ledger: Ledger): Promise<void>;
  /** Puts it back and reads it again; throws saying what still differs. */
  restore?(io: AdminIo, ledger: Ledger): Promise<void>;
}

/** A stateful model of the fuzz layer: a property over several operations. */
export interface StatefulModel {
  name: string;
  operations: string[];
  /** Operations it exercises only with `--destructive` (the settings reset). */
  destructiveOperations?: string[];
  /** Runs the model's property `runs` times (the engine gates, reports and replays it). */
  run(ctx: FuzzContext, runs: number, assertProperty: AssertProperty): Promise<void>;
}

/** Runs a fast-check property with the run's seed and replay path. */
export type AssertProperty = <T>(
  arb: fc.Arbitrary<T>,
  predicate: (v: T) => Promise<void>,
  runs: number,
) => Promise<void>;

/** A feature: its operations, the resources it can clean up, the state it keeps, and its stateful models. */
export interface Feature {
  name: string;
  operations: OperationKnowledge[];
  resources?: ResourceCleanup[];
  state?: StateKeeper;
  statefulModels?: StatefulModel[];
}
