/**
 * What the run may have created or changed on the target, written down from the requests it sent (the names it
 * chose) and the replies it got (the ids they carry), whatever layer sent them and even when the target wrongly
 * accepted a request that should have been refused. Nothing here talks to the target: the features say what each
 * exchange means (`track` in features/), cleanup.ts puts the target back and confirms it, and the report's
 * `leftBehind` is read from here. A resource counts as gone only once a read of it answered not-found; a creation
 * whose reply carried no readable id (or that got no reply) is "maybe created", and stays reported.
 */

/** Resources the run can create and delete. */
export type ResourceKind = "media" | "users" | "providers";

/** The state read before the run (each part by the feature that keeps it). */
export interface TargetSnapshot {
  settings?: Record<string, unknown>;
  providerNames?: Set<string>;
}

/** A creation the run cannot account for by id. */
export interface MaybeCreated {
  kind: ResourceKind | "attachments" | "messages";
  /** What happened, with the request (method, path, number of the exchange). */
  what: string;
}

interface Tracked {
  kind: ResourceKind;
  id: string;
  /** `gone`: a read answered not-found after the run's last write of it. */
  gone: boolean;
}

/** The run's record of its own effects on the target. */
export class Ledger {
  private readonly tracked = new Map<string, Tracked>();
  readonly maybeCreated: MaybeCreated[] = [];
  /** Attachment ids uploaded (the Graph API cannot delete them); `(unknown id)` when the reply had none. */
  readonly attachments: string[] = [];
  messagesSent = 0;
  /** A request that may have changed the settings was answered (the cleanup compares them with the snapshot). */
  settingsTouched = false;
  /** A reset may have run (a PATCH cannot set everything back). */
  settingsReset = false;
  /** Bearer tokens the run obtained and has not seen revoked (never written to a report). */
  readonly tokens = new Set<string>();
  /** Accounts whose password a login of the run changed. */
  readonly passwordsChanged = new Set<string>();
  /** User names the run created (or may have), whether deleted since or not. */
  readonly usersCreated = new Set<string>();
  readonly snapshot: TargetSnapshot = {};
  /** The state keepers (by name) whose state was read before the run: only those are put back. */
  readonly statesRead = new Set<string>();

  private key(kind: ResourceKind, id: string): string {
    return `${kind}\u0000${id}`;
  }

  /** A resource the run created, or may have (no reply, a 5xx): it must be confirmed gone at the end. */
  created(kind: ResourceKind, id: string): void {
    this.tracked.set(this.key(kind, id), { kind, id, gone: false });
    if (kind === "users") this.usersCreated.add(id);
  }

  /** A read of a tracked resource answered not-found: it is gone (until the run writes it again). */
  gone(kind: ResourceKind, id: string): void {
    const entry = this.tracked.get(this.key(kind, id));
    if (entry) entry.gone = true;
  }

  /** A tracked resource answered a read again (found): not gone. */
  present(kind: ResourceKind, id: string): void {
    const entry = this.tracked.get(this.key(kind, id));
    if (entry) entry.gone = false;
  }

  /** Whether the run tracks this resource (created it, or may have). */
  has(kind: ResourceKind, id: string): boolean {
    return this.tracked.has(this.key(kind, id));
  }

  /** Ids of a kind the run created and that were not confirmed gone. */
  remaining(kind: ResourceKind): string[] {
    return [...this.tracked.values()].filter((t) => t.kind === kind && !t.gone).map((t) => t.id);
  }

  /** Ids of a kind the run created, gone or not (generators pick among them). */
  ids(kind: ResourceKind): string[] {
    return [...this.tracked.values()].filter((t) => t.kind === kind).map((t) => t.id);
  }

  /** A creation without an id the run could read. */
  maybe(kind: MaybeCreated["kind"], what: string): void {
    this.maybeCreated.push({ kind, what });
  }

  /** Whether a provider name existed before the run (the run must never write or delete it). */
  existedBefore(providerName: string): boolean {
    return this.snapshot.providerNames?.has(providerName) ?? false;
  }

  /** What the run left that cannot be undone, as sentences (empty when nothing). */
  irreversible(): string[] {
    const out: string[] = [];
    if (this.attachments.length) {
      const ids = this.attachments.slice(0, 10).join(", ");
      out.push(`${this.attachments.length} attachment(s) uploaded (the Graph API cannot delete them): ${ids}`);
    }
    if (this.messagesSent) out.push(`${this.messagesSent} message(s) sent`);
    const foreign = [...this.passwordsChanged].filter((name) => !this.usersCreated.has(name));
    if (foreign.length) out.push(`the password of ${foreign.join(", ")} was changed by a login`);
    if (this.settingsReset)
      out.push(
        "the application settings were reset to their defaults at least once (then restored by PATCH where possible)",
      );
    return out;
  }
}
