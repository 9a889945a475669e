/**
 * Attachments and sent messages over `AttachmentRecords`: Graph-shaped ids, the 90-day lifetime of an attachment id,
 * and which attachments a page may send.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { AttachmentRecord, AttachmentRecords, AttachmentType, MessageRecord } from "../storage/records.ts";

export type { AttachmentRecord, AttachmentType, MessageRecord };

/** Attachment ids stop working this long after upload (spec: `#/components/schemas/AttachmentId`). */
export const ATTACHMENT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** A random numeric id of 16 digits, like Graph's (no leading zero, so it survives a trip through a number parser). */
function numericId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 15; i++) id += String(randomInt(0, 10));
  return id;
}

/** The form of the blob ids this store hands out (`newId()`). */
export const ATTACHMENT_BLOB_ID = /^[1-9][0-9]{15}$/;

/** Attachment and message records with their lifetimes. */
export class AttachmentStore {
  constructor(
    readonly records: AttachmentRecords,
    private readonly clock: Clock,
  ) {}

  /** A fresh attachment id, not used by any record yet. */
  async newId(): Promise<string> {
    for (;;) {
      const id = numericId();
      if (!(await this.records.exists(id))) return id;
    }
  }

  /** Records an uploaded attachment, stamped now and expiring after ATTACHMENT_TTL_MS. */
  async insert(rec: Omit<AttachmentRecord, "createdAt" | "expiresAt">): Promise<AttachmentRecord> {
    const now = this.clock.now().getTime();
    const record = { ...rec, createdAt: new Date(now), expiresAt: new Date(now + ATTACHMENT_TTL_MS) };
    await this.records.insert(record);
    return record;
  }

  /** Those of `ids` that some attachment record uses as its blob. */
  existingBlobIds(ids: readonly string[]): Promise<Set<string>> {
    return this.records.existingBlobIds(ids);
  }

  /** Blob ids of expired attachments that no message sent and whose bytes are still kept, oldest first. */
  expiredBlobIds(limit: number): Promise<string[]> {
    return this.records.expiredBlobIds(this.clock.now().getTime(), limit);
  }

  /** Notes that the bytes of the attachment stored as `blobId` are gone (the record stays). */
  markBlobRemoved(blobId: string): Promise<void> {
    return this.records.markBlobRemoved(blobId);
  }

  /** The record, whatever its state. */
  get(id: string): Promise<AttachmentRecord | undefined> {
    return this.records.get(id);
  }

  /** The attachment when `pageId` may send it by id: its own, reusable and not expired. */
  async findSendable(id: string, pageId: string): Promise<AttachmentRecord | undefined> {
    const rec = await this.get(id);
    if (!rec || rec.pageId !== pageId || !rec.isReusable) return undefined;
    if (this.clock.now().getTime() >= rec.expiresAt.getTime()) return undefined;
    return rec;
  }

  /** Records a sent message and returns it with its new id. */
  async recordMessage(msg: { pageId: string; recipientId: string; attachmentId: string }): Promise<MessageRecord> {
    const message = { id: `m_${randomBytes(32).toString("base64url")}`, ...msg, createdAt: this.clock.now() };
    await this.records.insertMessage(message);
    return message;
  }

  /** A recorded message. */
  getMessage(id: string): Promise<MessageRecord | undefined> {
    return this.records.getMessage(id);
  }
}
