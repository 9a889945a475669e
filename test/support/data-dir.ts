/**
 * What the reliability tests read from a server's data directory (with the server's own files only opened
 * read-only): media records in `server.sqlite`, committed blobs in `media/`, temporary files in `media/tmp/`.
 * Also the test bodies: random bytes behind a PDF signature, so `application/pdf` passes the magic-byte check.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** The ids in the `media` table (opened read-only, so the running server is not disturbed). */
export function mediaRecordIds(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, "server.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT id FROM media ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** Names of the committed blob files in `<dataDir>/media` (the temporary folder excluded). */
export function mediaBlobFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, "media");
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** Total size of the committed blob files. */
export function mediaBlobBytes(dataDir: string): number {
  return mediaBlobFiles(dataDir).reduce((sum, name) => sum + statSync(path.join(dataDir, "media", name)).size, 0);
}

/** Every entry under `<dataDir>/media/tmp` (where the blob store writes before the rename). */
export function mediaTempFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, "media", "tmp");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** sha256 of a committed blob file, read straight from the folder. */
export function blobFileSha256(dataDir: string, name: string): string {
  return sha256(readFileSync(path.join(dataDir, "media", name)));
}

/** Hex sha256. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `size` random bytes that sniff as a PDF document. */
export function pdfBody(size: number): Buffer {
  const body = randomBytes(size);
  Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1").copy(body);
  return body;
}
