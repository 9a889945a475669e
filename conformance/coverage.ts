/**
 * Which (operationId, status) pairs the spec documents, and which of them the suites actually saw the server answer.
 */
import { listOperations } from "../spec-model/openapi-document.ts";

/** A documented (operationId, status) pair. */
export interface CoveragePair {
  operationId: string;
  status: string;
}

/** Every pair the spec documents, in document order. */
export function documentedPairs(): CoveragePair[] {
  return listOperations().flatMap((op) =>
    Object.keys(op.operation.responses).map((status) => ({ operationId: op.operationId, status })),
  );
}

/** Counts every reply the suites see, by operation and status. */
export class CoverageRecorder {
  private readonly seen = new Map<string, number>();
  private readonly skipped = new Map<string, string>();

  record(operationId: string, status: number): void {
    const key = `${operationId} ${status}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }

  /** Notes why a pair could not be exercised on this target (shown in the table). */
  skip(operationId: string, status: number | string, reason: string): void {
    this.skipped.set(`${operationId} ${status}`, reason);
  }

  /** Adds another recorder's counts (coverage gathered in several places). */
  merge(other: CoverageRecorder): void {
    for (const [key, n] of other.seen) this.seen.set(key, (this.seen.get(key) ?? 0) + n);
    for (const [key, why] of other.skipped) if (!this.skipped.has(key)) this.skipped.set(key, why);
  }

  /** Why a pair was skipped on this target, if the suite noted a reason. */
  skipReason(operationId: string, status: number | string): string | undefined {
    return this.skipped.get(`${operationId} ${status}`);
  }

  count(operationId: string, status: number | string): number {
    return this.seen.get(`${operationId} ${status}`) ?? 0;
  }

  /** One row per documented pair: replies seen, and why it was skipped when none was. */
  rows(): Array<{ operationId: string; status: string; count: number; covered: boolean; reason?: string }> {
    return documentedPairs().map((p) => {
      const count = this.count(p.operationId, p.status);
      const reason = count === 0 ? this.skipReason(p.operationId, p.status) : undefined;
      return { ...p, count, covered: count > 0, ...(reason ? { reason } : {}) };
    });
  }

  /** Documented pairs never seen. */
  missing(): CoveragePair[] {
    return documentedPairs().filter((p) => this.count(p.operationId, p.status) === 0);
  }

  /** Statuses seen that the spec does not document for the operation. */
  undocumented(): CoveragePair[] {
    const documented = new Set(documentedPairs().map((p) => `${p.operationId} ${p.status}`));
    return [...this.seen.keys()]
      .filter((k) => !documented.has(k))
      .map((k) => {
        const [operationId = "", status = ""] = k.split(" ");
        return { operationId, status };
      });
  }

  percent(): number {
    const all = documentedPairs();
    return (100 * (all.length - this.missing().length)) / all.length;
  }

  /** The printable table: one row per documented pair, then the summary line. */
  table(): string {
    const pairs = documentedPairs();
    const width = Math.max(...pairs.map((p) => p.operationId.length), "operationId".length);
    const rows = [
      `${"operationId".padEnd(width)}  status  responses  covered`,
      `${"-".repeat(width)}  ------  ---------  -------`,
    ];
    for (const p of pairs) {
      const n = this.count(p.operationId, p.status);
      const why = this.skipped.get(`${p.operationId} ${p.status}`);
      const verdict = n > 0 ? "yes" : `NO${why ? ` (${why})` : ""}`;
      rows.push(`${p.operationId.padEnd(width)}  ${p.status.padEnd(6)}  ${String(n).padStart(9)}  ${verdict}`);
    }
    for (const u of this.undocumented()) {
      const n = this.count(u.operationId, u.status);
      rows.push(`${u.operationId.padEnd(width)}  ${u.status.padEnd(6)}  ${String(n).padStart(9)}  UNDOCUMENTED`);
    }
    const covered = pairs.length - this.missing().length;
    rows.push(
      `coverage: ${covered}/${pairs.length} documented (operationId, status) pairs exercised ` +
        `(${this.percent().toFixed(1)}%)`,
    );
    return rows.join("\n");
  }
}
