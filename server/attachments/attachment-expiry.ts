/**
 * Attachment ids expire 90 days after upload (spec: `#/components/schemas/AttachmentId`). An expired attachment keeps
 * its record (its id still answers 100/2018074). Attachments already sent in a thread never expire
 * (`spec/paths/{page_id}_message_attachments.yaml`): the bytes of every attachment that a recorded message names are
 * kept; only the bytes of expired attachments that were never sent are removed, as nothing can use them any more.
 */
import type { Clock } from "../clock.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { AttachmentStore } from "./attachment-store.ts";

const BATCH = 500;
/** How often (in clock time) uploads trigger a sweep. */
export const EXPIRY_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes the bytes of every expired attachment that no message names; returns how many were removed. */
export async function removeExpiredAttachmentBlobs(store: AttachmentStore, blobs: BlobStore): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await store.expiredBlobIds(BATCH);
    if (batch.length === 0) return removed;
    for (const blobId of batch) {
      // File first, then the mark: a crash in between leaves a mark-less record whose file is already gone, which
      // the next sweep settles (deleting a missing blob is not an error).
      await blobs.delete(blobId);
      await store.markBlobRemoved(blobId);
      removed++;
    }
  }
}

/** The name under which instances sharing a storage take turns at the sweep (Storage.runAlone). */
export const EXPIRY_SWEEP_TASK = "attachment-expiry-sweep";

/** How a sweep runs: at once, or only when no other instance sharing the storage is sweeping (Storage.runAlone). */
export type SweepRunner = (task: () => Promise<number>) => Promise<number | undefined>;

/** Runs `removeExpiredAttachmentBlobs` in the background at most once per interval of clock time, one run at a time. */
export class ExpirySweeper {
  private lastRun: number;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: AttachmentStore,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly intervalMs = EXPIRY_SWEEP_INTERVAL_MS,
    private readonly runner: SweepRunner = (task) => task(),
  ) {
    // The server sweeps once while starting (createAppFromConfig); the next sweep is due an interval later.
    this.lastRun = clock.now().getTime();
  }

  /** Starts a sweep when one is due; never throws, never delays the caller. */
  maybeSweep(): void {
    const now = this.clock.now().getTime();
    if (this.running || now - this.lastRun < this.intervalMs) return;
    this.lastRun = now;
    this.running = this.runner(() => removeExpiredAttachmentBlobs(this.store, this.blobs))
      .then(() => undefined)
      .catch((err: unknown) =>
        console.warn("Removing expired attachment files failed (retried at the next sweep):", err),
      )
      .finally(() => {
        this.running = undefined;
      });
  }
}
