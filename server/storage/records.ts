/**
 * The records the server keeps, one small interface per concern. Two adapters implement every one of them: SQLite
 * (`storage/sqlite/`, the reference server's durable storage) and plain Maps (`storage/memory/`, the emulator and
 * tests). The rules (token expiry, attachment lifetimes, settings merging) live in the services above them, so both
 * adapters only store and find.
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
  find(username: string): UserRecord | undefined;
  /** false when a user of that name exists already. */
  insert(user: UserRecord): boolean;
  /**
   * Replaces the hash, clears `mustChangePassword` and deletes every token of the user, all at once: whoever held a
   * session under the old password must log in again.
   */
  setPasswordHash(username: string, passwordHash: string): void;
  delete(username: string): boolean;
  /** Stores a token and drops the tokens that expired at or before `now`. */
  insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): void;
  findToken(tokenHash: Buffer): TokenRecord | undefined;
  deleteToken(tokenHash: Buffer): void;
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
  add(record: MediaRecord): void;
  get(id: string): MediaRecord | undefined;
  remove(id: string): boolean;
  /** Those of `ids` that have a record. */
  existingIds(ids: readonly string[]): Set<string>;
}

/** The application settings document, written whole (the service merges and validates). */
export interface SettingsRecords {
  /** The stored document, or undefined when the settings are at their defaults. */
  read(): unknown;
  write(document: unknown): void;
  clear(): void;
}

/** Media providers by name (their secrets are needed to fetch by link, so they are stored as given). */
export interface ProviderRecords {
  /** Every provider, by name. */
  list(): MediaProvider[];
  /** Creates or replaces by name. */
  put(provider: MediaProvider): void;
  remove(name: string): boolean;
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
  exists(id: string): boolean;
  insert(record: AttachmentRecord): void;
  get(id: string): AttachmentRecord | undefined;
  /** Those of `blobIds` that some attachment record uses as its blob. */
  existingBlobIds(blobIds: readonly string[]): Set<string>;
  /**
   * Blob ids of attachments expired at `now` that no message names and whose bytes are still kept, oldest first, at
   * most `limit` (attachments sent in a thread never expire).
   */
  expiredBlobIds(now: number, limit: number): string[];
  /** Notes that the bytes of the attachment stored as `blobId` are gone (the record stays). */
  markBlobRemoved(blobId: string): void;
  insertMessage(message: MessageRecord): void;
  getMessage(id: string): MessageRecord | undefined;
}
