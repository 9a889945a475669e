/**
 * Turning bytes (from a URL or an uploaded file) into a stored, recorded attachment, and every failure on the way
 * into the Graph error the spec documents for it.
 */
import { MessengerHttpError, messengerErrors } from "../edge/messenger-envelope.ts";
import type { BlobStore, BlobWriteResult } from "../storage/blob-store.ts";
import { BlobStorageUnavailableError, BlobTooLargeError } from "../storage/blob-store.ts";
import type { ExpirySweeper } from "./attachment-expiry.ts";
import type { AttachmentLimits } from "./attachment-limits.ts";
import type { AttachmentRecord, AttachmentStore, AttachmentType } from "./attachment-store.ts";
import { AttachmentTypeMismatchError, checkAttachmentHead, CorruptVideoError, HEAD_BYTES } from "./content-check.ts";
import type { SafeFetcher } from "./safe-fetcher.ts";
import { ownSamplePhoto } from "./sample-photo.ts";

class FetchTimeoutError extends Error {
  override name = "FetchTimeoutError";
}

/** A file part written before its type was known; checked once the `message` field has been read. */
export interface PendingFile {
  blobId: string;
  size: number;
  sha256: string;
  head: Uint8Array;
  /** Set when the type was known while writing (the head was checked then). */
  checkedMime?: string | undefined;
  checkedType?: AttachmentType;
}

export interface AttachmentUploadsDeps {
  store: AttachmentStore;
  blobs: BlobStore;
  fetcher: SafeFetcher;
  /** Size and time limits by type, from the spec. */
  limits: AttachmentLimits;
  /** Configured fetch time limits that replace the spec's (ATTACHMENT_FETCH_TIMEOUT_MS_VIDEO / _OTHER). */
  timeoutsMs?: { video?: number; other?: number };
  /** Told of each recorded upload, to remove expired attachments' files now and then. */
  sweeper?: ExpirySweeper;
}

/** Uploads from a URL or a stream; records them in the store. Errors come out as MessengerHttpError. */
export class AttachmentUploads {
  constructor(private readonly deps: AttachmentUploadsDeps) {}

  /** The size limit of a type. */
  maxBytesFor(type: AttachmentType): number {
    return this.deps.limits.byType[type].maxBytes;
  }

  /**
   * Fetches `url` (SSRF-safe, limited in size and time), checks its bytes against `type`, stores and records it. The
   * server's own sample image, named at `ownOrigin` (the origin the request reached), is taken without a fetch.
   */
  async fromUrl(input: {
    pageId: string;
    type: AttachmentType;
    url: string;
    ownOrigin?: string | undefined;
    isReusable: boolean;
    signal?: AbortSignal;
  }): Promise<AttachmentRecord> {
    const { type } = input;
    const maxBytes = this.maxBytesFor(type);
    const configured = type === "video" ? this.deps.timeoutsMs?.video : this.deps.timeoutsMs?.other;
    const timeoutMs = configured ?? this.deps.limits.byType[type].fetchTimeoutMs;
    const blobId = await this.deps.store.newId();
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new FetchTimeoutError(`No complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onClientGone = () => controller.abort(input.signal?.reason);
    input.signal?.addEventListener("abort", onClientGone, { once: true });
    let mimeType: string | undefined;
    let written: BlobWriteResult | undefined;
    try {
      const resource =
        ownSamplePhoto(input.url, input.ownOrigin) ??
        (await this.deps.fetcher.get(input.url, { maxBytes, signal: controller.signal }));
      try {
        written = await this.deps.blobs.write(blobId, resource.body, {
          maxBytes,
          headBytes: HEAD_BYTES,
          inspect: async (head) => {
            mimeType = await checkAttachmentHead(type, head);
          },
        });
      } finally {
        resource.discard();
      }
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (err) {
      // Written, then the time ran out or the client went away: the bytes are nobody's.
      if (written) await this.deps.blobs.delete(blobId).catch(() => undefined);
      throw this.urlError(err, type, controller.signal);
    } finally {
      clearTimeout(timer);
      input.signal?.removeEventListener("abort", onClientGone);
    }
    return this.record(blobId, input.pageId, type, input.isReusable, written, mimeType, "url");
  }

  /**
   * Writes an uploaded file part. With `type` known its head is checked while writing and its size is limited by
   * the type; without it, up to the largest limit and the caller calls `completeFile` once the type is known.
   */
  async writeFile(body: AsyncIterable<Uint8Array>, type: AttachmentType | undefined): Promise<PendingFile> {
    const blobId = await this.deps.store.newId();
    let head: Uint8Array = new Uint8Array();
    let checkedMime: string | undefined;
    try {
      const written = await this.deps.blobs.write(blobId, body, {
        maxBytes: type ? this.maxBytesFor(type) : this.deps.limits.maxBytesAny,
        headBytes: HEAD_BYTES,
        inspect: async (bytes) => {
          head = bytes.slice(0, HEAD_BYTES);
          if (type) checkedMime = await checkAttachmentHead(type, head);
        },
      });
      return {
        blobId,
        size: written.size,
        sha256: written.sha256,
        head,
        ...(type ? { checkedType: type, checkedMime } : {}),
      };
    } catch (err) {
      throw fileError(err);
    }
  }

  /** Checks a written file part against its type (if not done while writing) and records it; deletes it on failure. */
  async completeFile(
    file: PendingFile,
    input: { pageId: string; type: AttachmentType; isReusable: boolean },
  ): Promise<AttachmentRecord> {
    let mime = file.checkedMime;
    try {
      if (file.size === 0) throw messengerErrors.invalidParameter("The parameter filedata is empty");
      if (file.checkedType !== input.type) {
        if (file.size > this.maxBytesFor(input.type)) throw messengerErrors.fileTooLarge();
        mime = await checkAttachmentHead(input.type, file.head);
      }
    } catch (err) {
      await this.discard(file);
      throw fileError(err);
    }
    return this.record(file.blobId, input.pageId, input.type, input.isReusable, file, mime, "file");
  }

  /** Removes a written file part that will not be recorded. */
  async discard(file: PendingFile): Promise<void> {
    await this.deps.blobs.delete(file.blobId).catch(() => undefined);
  }

  private async record(
    blobId: string,
    pageId: string,
    type: AttachmentType,
    isReusable: boolean,
    written: { size: number; sha256: string },
    mimeType: string | undefined,
    source: "url" | "file",
  ): Promise<AttachmentRecord> {
    let rec: AttachmentRecord;
    try {
      rec = await this.deps.store.insert({
        id: blobId,
        pageId,
        type,
        isReusable,
        blobId,
        size: written.size,
        sha256: written.sha256,
        mimeType: mimeType ?? null,
        source,
      });
    } catch (err) {
      // Not recorded, so not the client's: the bytes go (a fault of the records is the server's 500, not a Graph
      // error about the upload).
      await this.deps.blobs.delete(blobId).catch(() => undefined);
      throw err;
    }
    this.deps.sweeper?.maybeSweep();
    return rec;
  }

  private urlError(err: unknown, type: AttachmentType, signal: AbortSignal): MessengerHttpError {
    if (err instanceof MessengerHttpError) return err;
    if (err instanceof AttachmentTypeMismatchError) return messengerErrors.typeMismatch();
    if (err instanceof CorruptVideoError) return messengerErrors.videoTimeout();
    if (err instanceof BlobStorageUnavailableError) return messengerErrors.serviceUnavailable();
    if (signal.aborted && signal.reason instanceof FetchTimeoutError) {
      return type === "video" ? messengerErrors.videoTimeout() : messengerErrors.fetchFailed();
    }
    // Refused address, DNS failure, refused connection, bad status, too many redirects, too large, cut-off body:
    // one answer for all, so the reply never tells a caller what lives behind an address.
    return messengerErrors.fetchFailed();
  }
}

function fileError(err: unknown): unknown {
  if (err instanceof MessengerHttpError) return err;
  if (err instanceof BlobTooLargeError) return messengerErrors.fileTooLarge();
  if (err instanceof AttachmentTypeMismatchError) return messengerErrors.typeMismatch();
  if (err instanceof CorruptVideoError) return messengerErrors.videoTimeout();
  if (err instanceof BlobStorageUnavailableError) return messengerErrors.serviceUnavailable();
  // The request stream itself failed (client went away, malformed multipart).
  return messengerErrors.invalidParameter("The parameter filedata could not be read completely");
}
