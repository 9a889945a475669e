/**
 * The records of every concern in Maps, for the emulator and tests: the same contracts as the SQLite adapter
 * (storage/sqlite/), gone with the process. Records are copied in and out, so a caller never holds stored state.
 */
import type {
  AttachmentRecord,
  AttachmentRecords,
  MediaProvider,
  MediaRecord,
  MediaRecords,
  MessageRecord,
  ProviderRecords,
  SettingsRecords,
  TokenRecord,
  UserRecord,
  UserRecords,
} from "../records.ts";

/** Users and their tokens. */
export class MemoryUserRecords implements UserRecords {
  private readonly users = new Map<string, UserRecord>();
  /** By hex of the token hash. */
  private readonly tokens = new Map<string, { tokenHash: Buffer; username: string; expiresAt: number }>();

  find(username: string): UserRecord | undefined {
    const user = this.users.get(username);
    return user && { ...user };
  }

  insert(user: UserRecord): boolean {
    if (this.users.has(user.username)) return false;
    this.users.set(user.username, { ...user });
    return true;
  }

  setPasswordHash(username: string, passwordHash: string): void {
    const user = this.users.get(username);
    if (!user) return;
    this.users.set(username, { ...user, passwordHash, mustChangePassword: false });
    for (const [key, token] of this.tokens) if (token.username === username) this.tokens.delete(key);
  }

  delete(username: string): boolean {
    if (!this.users.delete(username)) return false;
    for (const [key, token] of this.tokens) if (token.username === username) this.tokens.delete(key);
    return true;
  }

  insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): void {
    for (const [key, kept] of this.tokens) if (kept.expiresAt <= now) this.tokens.delete(key);
    this.tokens.set(token.tokenHash.toString("hex"), { ...token, tokenHash: Buffer.from(token.tokenHash) });
  }

  findToken(tokenHash: Buffer): TokenRecord | undefined {
    const token = this.tokens.get(tokenHash.toString("hex"));
    const user = token && this.users.get(token.username);
    if (!token || !user) return undefined;
    return {
      tokenHash: Buffer.from(token.tokenHash),
      username: user.username,
      role: user.role,
      mustChangePassword: user.mustChangePassword,
      expiresAt: token.expiresAt,
    };
  }

  deleteToken(tokenHash: Buffer): void {
    this.tokens.delete(tokenHash.toString("hex"));
  }
}

/** Uploaded media. */
export class MemoryMediaRecords implements MediaRecords {
  private readonly records = new Map<string, MediaRecord>();

  add(record: MediaRecord): void {
    if (this.records.has(record.id)) throw new Error(`Media ${record.id} exists already`);
    this.records.set(record.id, { ...record });
  }

  get(id: string): MediaRecord | undefined {
    const record = this.records.get(id);
    return record && { ...record };
  }

  remove(id: string): boolean {
    return this.records.delete(id);
  }

  existingIds(ids: readonly string[]): Set<string> {
    return new Set(ids.filter((id) => this.records.has(id)));
  }
}

/** The settings document, kept as the JSON text it would be stored as. */
export class MemorySettingsRecords implements SettingsRecords {
  private text: string | undefined;

  read(): unknown {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as unknown);
  }

  write(document: unknown): void {
    this.text = JSON.stringify(document);
  }

  clear(): void {
    this.text = undefined;
  }
}

/** Media providers by name. */
export class MemoryProviderRecords implements ProviderRecords {
  private readonly providers = new Map<string, MediaProvider>();

  list(): MediaProvider[] {
    return [...this.providers.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => structuredClone(p));
  }

  put(provider: MediaProvider): void {
    this.providers.set(provider.name, structuredClone(provider));
  }

  remove(name: string): boolean {
    return this.providers.delete(name);
  }
}

/** Attachments and sent messages. */
export class MemoryAttachmentRecords implements AttachmentRecords {
  private readonly attachments = new Map<string, AttachmentRecord & { blobRemoved: boolean }>();
  private readonly messages = new Map<string, MessageRecord>();

  exists(id: string): boolean {
    return this.attachments.has(id);
  }

  insert(record: AttachmentRecord): void {
    if (this.attachments.has(record.id)) throw new Error(`Attachment ${record.id} exists already`);
    this.attachments.set(record.id, { ...record, blobRemoved: false });
  }

  get(id: string): AttachmentRecord | undefined {
    const found = this.attachments.get(id);
    if (!found) return undefined;
    const { blobRemoved: _removed, ...record } = found;
    return record;
  }

  existingBlobIds(blobIds: readonly string[]): Set<string> {
    const used = new Set([...this.attachments.values()].map((a) => a.blobId));
    return new Set(blobIds.filter((id) => used.has(id)));
  }

  expiredBlobIds(now: number, limit: number): string[] {
    const sent = new Set([...this.messages.values()].map((m) => m.attachmentId));
    return [...this.attachments.values()]
      .filter((a) => !a.blobRemoved && a.expiresAt.getTime() <= now && !sent.has(a.id))
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((a) => a.blobId);
  }

  markBlobRemoved(blobId: string): void {
    for (const attachment of this.attachments.values()) if (attachment.blobId === blobId) attachment.blobRemoved = true;
  }

  insertMessage(message: MessageRecord): void {
    if (!this.attachments.has(message.attachmentId)) throw new Error(`No attachment ${message.attachmentId}`);
    this.messages.set(message.id, { ...message });
  }

  getMessage(id: string): MessageRecord | undefined {
    const message = this.messages.get(id);
    return message && { ...message };
  }
}
