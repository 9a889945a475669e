/**
 * The records of every concern in Maps, for the emulator and tests: the same contracts as the SQLite and PostgreSQL
 * adapters, gone with the process. Records are copied in and out, so a caller never holds stored state.
 */
import type {
  AttachmentRecord,
  AttachmentRecords,
  DevPageRecord,
  DevPageRecords,
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

  async find(username: string): Promise<UserRecord | undefined> {
    const user = this.users.get(username);
    return user && { ...user };
  }

  async insert(user: UserRecord): Promise<boolean> {
    if (this.users.has(user.username)) return false;
    this.users.set(user.username, { ...user });
    return true;
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<void> {
    const user = this.users.get(username);
    if (!user) return;
    this.users.set(username, { ...user, passwordHash, mustChangePassword: false });
    for (const [key, token] of this.tokens) if (token.username === username) this.tokens.delete(key);
  }

  async delete(username: string): Promise<boolean> {
    if (!this.users.delete(username)) return false;
    for (const [key, token] of this.tokens) if (token.username === username) this.tokens.delete(key);
    return true;
  }

  async insertToken(token: { tokenHash: Buffer; username: string; expiresAt: number }, now: number): Promise<void> {
    for (const [key, kept] of this.tokens) if (kept.expiresAt <= now) this.tokens.delete(key);
    this.tokens.set(token.tokenHash.toString("hex"), { ...token, tokenHash: Buffer.from(token.tokenHash) });
  }

  async findToken(tokenHash: Buffer): Promise<TokenRecord | undefined> {
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

  async deleteToken(tokenHash: Buffer): Promise<void> {
    this.tokens.delete(tokenHash.toString("hex"));
  }
}

/** Uploaded media. */
export class MemoryMediaRecords implements MediaRecords {
  private readonly records = new Map<string, MediaRecord>();

  async add(record: MediaRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`Media ${record.id} exists already`);
    this.records.set(record.id, { ...record });
  }

  async get(id: string): Promise<MediaRecord | undefined> {
    const record = this.records.get(id);
    return record && { ...record };
  }

  async remove(id: string): Promise<boolean> {
    return this.records.delete(id);
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.records.has(id)));
  }
}

/** The settings document, kept as the JSON text it would be stored as. */
export class MemorySettingsRecords implements SettingsRecords {
  private text: string | undefined;

  async read(): Promise<unknown> {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as unknown);
  }

  async update(change: (stored: unknown) => unknown): Promise<void> {
    // Synchronous from read to write: nothing else runs in between in this process.
    const stored = this.text === undefined ? undefined : (JSON.parse(this.text) as unknown);
    this.text = JSON.stringify(change(stored));
  }

  async clear(): Promise<void> {
    this.text = undefined;
  }
}

/** Media providers by name. */
export class MemoryProviderRecords implements ProviderRecords {
  private readonly providers = new Map<string, MediaProvider>();

  async list(): Promise<MediaProvider[]> {
    return [...this.providers.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => structuredClone(p));
  }

  async put(provider: MediaProvider): Promise<void> {
    this.providers.set(provider.name, structuredClone(provider));
  }

  async remove(name: string): Promise<boolean> {
    return this.providers.delete(name);
  }
}

/** Attachments and sent messages. */
export class MemoryAttachmentRecords implements AttachmentRecords {
  private readonly attachments = new Map<string, AttachmentRecord & { blobRemoved: boolean }>();
  private readonly messages = new Map<string, MessageRecord>();

  async exists(id: string): Promise<boolean> {
    return this.attachments.has(id);
  }

  async insert(record: AttachmentRecord): Promise<void> {
    if (this.attachments.has(record.id)) throw new Error(`Attachment ${record.id} exists already`);
    this.attachments.set(record.id, { ...record, blobRemoved: false });
  }

  async get(id: string): Promise<AttachmentRecord | undefined> {
    const found = this.attachments.get(id);
    if (!found) return undefined;
    const { blobRemoved: _removed, ...record } = found;
    return record;
  }

  async existingBlobIds(blobIds: readonly string[]): Promise<Set<string>> {
    const used = new Set([...this.attachments.values()].map((a) => a.blobId));
    return new Set(blobIds.filter((id) => used.has(id)));
  }

  async expiredBlobIds(now: number, limit: number): Promise<string[]> {
    const sent = new Set([...this.messages.values()].map((m) => m.attachmentId));
    return [...this.attachments.values()]
      .filter((a) => !a.blobRemoved && a.expiresAt.getTime() <= now && !sent.has(a.id))
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((a) => a.blobId);
  }

  async markBlobRemoved(blobId: string): Promise<void> {
    for (const attachment of this.attachments.values()) if (attachment.blobId === blobId) attachment.blobRemoved = true;
  }

  async insertMessage(message: MessageRecord): Promise<void> {
    if (!this.attachments.has(message.attachmentId)) throw new Error(`No attachment ${message.attachmentId}`);
    this.messages.set(message.id, { ...message });
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const message = this.messages.get(id);
    return message && { ...message };
  }
}

/** The development page. */
export class MemoryDevPageRecords implements DevPageRecords {
  private page: DevPageRecord | undefined;

  async recordOnce(candidate: DevPageRecord): Promise<DevPageRecord> {
    this.page ??= { pageId: candidate.pageId, tokenSha256: Buffer.from(candidate.tokenSha256) };
    return { pageId: this.page.pageId, tokenSha256: Buffer.from(this.page.tokenSha256) };
  }
}
