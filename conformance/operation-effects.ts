/**
 * What each operation does to the target when it succeeds, which decides whether the suite may run it on someone's
 * deployment: reads and the suite's own logins always run; what the suite can undo runs and is undone at the end;
 * what cannot be undone runs only with `--destructive` (and always against the in-process reference server).
 */
import { listOperations } from "./spec.ts";

/** The effect of a successful call. */
export type OperationEffect = "read" | "session" | "undoable" | "irreversible";

interface EffectEntry {
  effect: OperationEffect;
  /** How the suite leaves the target as it found it, or why it cannot. */
  note: string;
}

const EFFECTS: Record<string, EffectEntry> = {
  loginUser: {
    effect: "session",
    note: "the suite's own tokens; it never changes the password of an account it did not create",
  },
  logoutUser: { effect: "session", note: "revokes only tokens the suite obtained" },
  createUser: { effect: "undoable", note: "the users the suite creates are deleted at the end" },
  deleteUser: { effect: "undoable", note: "only users the suite created (other names are fresh, unknown ones)" },
  uploadMedia: { effect: "undoable", note: "the media the suite uploads is deleted at the end" },
  downloadMedia: { effect: "read", note: "reads" },
  deleteMedia: { effect: "undoable", note: "only media the suite uploaded (other ids are fresh UUIDs)" },
  getApplicationSettings: { effect: "read", note: "reads" },
  updateApplicationSettings: {
    effect: "undoable",
    note: "the settings are read first and the values the suite changed are restored with one PATCH at the end",
  },
  resetApplicationSettings: {
    effect: "irreversible",
    note: "resets every setting to its default; a PATCH cannot set pass_through back to true",
  },
  getMediaProviders: { effect: "read", note: "reads" },
  updateMediaProviders: {
    effect: "undoable",
    note: "only providers under fresh names, deleted at the end (POST overwrites by name and GET masks secrets)",
  },
  deleteMediaProvider: { effect: "undoable", note: "only providers the suite created (other names are fresh)" },
  uploadAttachment: { effect: "irreversible", note: "the Graph API has no way to delete an uploaded attachment" },
  sendMessage: { effect: "irreversible", note: "a sent message reaches a real person and cannot be taken back" },
};

/** The effect entry of an operation; throws for an operation this table does not know (the spec gained one). */
function entryOf(operationId: string): EffectEntry {
  const entry = EFFECTS[operationId];
  if (!entry)
    throw new Error(`conformance/operation-effects.ts does not say what ${operationId} changes on a target; add it`);
  return entry;
}

/** What a successful call of the operation changes on the target. */
export function effectOf(operationId: string): OperationEffect {
  return entryOf(operationId).effect;
}

/** How the suite undoes the operation, or why it cannot. */
export function effectNote(operationId: string): string {
  return entryOf(operationId).note;
}

/** Whether a successful call cannot be undone, so that only `--destructive` runs it. */
export function isIrreversible(operationId: string): boolean {
  return effectOf(operationId) === "irreversible";
}

/** The operations only `--destructive` runs, as printed before a run. */
export function irreversibleOperationsNotice(): string[] {
  return listOperations()
    .filter((op) => isIrreversible(op.operationId))
    .map(
      (op) => `  ${op.method.toUpperCase().padEnd(6)} ${op.path}  (${op.operationId}): ${effectNote(op.operationId)}`,
    );
}
