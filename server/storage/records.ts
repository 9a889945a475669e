/**
 * The records the server keeps, one small interface per concern. Three adapters implement every one of them: SQLite
 * (`storage/sqlite/`, one server's durable storage), PostgreSQL (`storage/postgres/`, shared by several instances)
 * and plain Maps (`storage/memory/`, the emulator and tests). Every method returns a promise, since a database
 * server answers over the network. The rules (token expiry, attachment lifetimes, settings merging, login limits)
 * live in the services above them, so the adapters only store and find; test/server/storage/ holds them to one
 * contract.
 */
import type { components } from "../../generated/openapi.d.ts";

export type UserRole = components["schemas"]["UserRole"];
export type MediaProvider = components["schemas"]["MediaProvider"];

/** A user account as stored: only the password's hash. */
export interface UserRecord {
  username: string;
  role: UserRole;
  passwordHash: string;
  /** The built-in admin still has the default password and must change it at login. */
  mustChangePassword: boolean;
}

/** A bearer token as stored (its sha256 only), with what authentication needs of its user. */
export interface TokenRecord {
  tokenHash: Buffer;
  username: string;
  role: UserRole;
  mustChangePassword: boolean;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Users and their tokens. Deleting a user deletes its tokens. */
export interface UserRecords {
  find(username: string): Promise<UserRecord | undefined>;
  /** false when a user of that name exists already (also when another instance inserted it at the same time). */
  insert(user: UserRecord): Promise<boolean>;
  /**
   * Replaces the hash, clears `mustChangePassword` and deletes every token of the user, all at once: whoever held a
   * session under the old password must log in again.
   */
  setPasswordHash(username: string, passwordHash: string): Promise<void>;
  delete(username: string): Promise<boolean>;
  /** Stores a token and drops the tokens that expired at or before `now`. */
  insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): Promise<void>;
  findToken(tokenHash: Buffer): Promise<TokenRecord | undefined>;
  deleteToken(tokenHash: Buffer): Promise<void>;
}

/** One uploaded media file; its bytes are the media blob of the same id. */
export interface MediaRecord {
  id: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

export interface MediaRecords {
  /** Throws when a record of that id exists. */
  add(record: MediaRecord): Promise<void>;
  get(id: string): Promise<MediaRecord | undefined>;
  /** false when there was no such record (another request may have removed it first). */
  remove(id: string): Promise<boolean>;
  /** Those of `ids` that have a record. */
  existingIds(ids: readonly string[]): Promise<Set<string>>;
}

/** The application settings document (the service merges and validates). */
export interface SettingsRecords {
  /** The stored document, or undefined when the settings are at their defaults. */
  read(): Promise<unknown>;
  /**
   * Replaces the document with what `change` makes of the stored one (undefined when at defaults), as one
   * transaction that concurrent updates and clears wait for, on every instance: two updates never both start from
   * the same document. When `change` throws, nothing is written and the promise rejects with its error.
   */
  update(change: (stored: unknown) => unknown): Promise<void>;
  /** Back to the defaults (waits for an update in progress, like `update`). */
  clear(): Promise<void>;
}

/** Media providers by name (their secrets are needed to fetch by link, so they are stored as given). */
export interface ProviderRecords {
  /** Every provider, by name. */
  list(): Promise<MediaProvider[]>;
  /** Creates or replaces by name. */
  put(provider: MediaProvider): Promise<void>;
  remove(name: string): Promise<boolean>;
}

/** The attachment types of the spec (AttachmentType). */
export type AttachmentType = components["schemas"]["AttachmentType"];

/** One uploaded attachment; its bytes are the attachment blob `blobId`. */
export interface AttachmentRecord {
  id: string;
  pageId: string;
  type: AttachmentType;
  isReusable: boolean;
  createdAt: Date;
  expiresAt: Date;
  blobId: string;
  size: number;
  sha256: string;
  mimeType: string | null;
  source: "url" | "file";
}

/** One sent message. */
export interface MessageRecord {
  id: string;
  pageId: string;
  recipientId: string;
  attachmentId: string;
  createdAt: Date;
}

/** Attachments and the messages that carried them. */
export interface AttachmentRecords {
  exists(id: string): Promise<boolean>;
  /** Throws when a record of that id exists. */
  insert(record: AttachmentRecord): Promise<void>;
  get(id: string): Promise<AttachmentRecord | undefined>;
  /** Those of `blobIds` that some attachment record uses as its blob. */
  existingBlobIds(blobIds: readonly string[]): Promise<Set<string>>;
  /**
   * Blob ids of attachments expired at `now` that no message names and whose bytes are still kept, oldest first, at
   * most `limit` (attachments sent in a thread never expire).
   */
  expiredBlobIds(now: number, limit: number): Promise<string[]>;
  /** Notes that the bytes of the attachment stored as `blobId` are gone (the record stays). */
  markBlobRemoved(blobId: string): Promise<void>;
  /** Throws when the attachment it names has no record. */
  insertMessage(message: MessageRecord): Promise<void>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
}

/** The generated Messenger development page, as kept: its id and the sha256 of its page access token. */
export interface DevPageRecord {
  pageId: string;
  tokenSha256: Buffer;
}

/** The one development page of a storage (server/attachments/dev-page-store.ts). */
export interface DevPageRecords {
  /**
   * The recorded page; when there is none yet, `candidate` is recorded and returned. Several instances starting
   * together on an empty database all get the same page: the first insert wins, the others read it back.
   */
  recordOnce(candidate: DevPageRecord): Promise<DevPageRecord>;
}

/** One login attempt under one throttle key: in flight (`pending`) or failed, at `at` (clock ms). */
export interface LoginAttempt {
  at: number;
  pending: boolean;
}

/** A throttle key (a fixed-size hash, never the text it stands for) and how many of its failures are worth keeping. */
export interface LoginAttemptKey {
  key: Buffer;
  /** The newest this many failures are all a judgement needs (its limit); older ones may be dropped. */
  keep: number;
}

/**
 * Failed and in-flight logins per throttle key (server/users/login-throttle.ts decides; adapters store). Counted in
 * the database when several instances share it, so that they share the limits.
 */
export interface LoginAttemptRecords {
  /**
   * The attempts of each key at `since` or later, oldest first (one list per key, in the order given); at least the
   * newest `keep` of them, perhaps not the older ones.
   */
  list(keys: readonly LoginAttemptKey[], since: number): Promise<LoginAttempt[][]>;
  /**
   * Under a lock on `keys` that every instance respects: reads their attempts since `since` (as `list`), asks
   * `decide`, and when it returns undefined records attempt `attemptId` as pending at `now` under every key. Returns
   * what `decide` returned.
   */
  admit(
    attemptId: string,
    keys: readonly LoginAttemptKey[],
    since: number,
    now: number,
    decide: (attempts: LoginAttempt[][]) => number | undefined,
  ): Promise<number | undefined>;
  /** The attempt's outcome: failed (no longer pending, at `at`) or succeeded (forgotten). */
  settle(attemptId: string, failed: boolean, at: number): Promise<void>;
  /** Forgets every attempt before `before`. */
  prune(before: number): Promise<void>;
}
