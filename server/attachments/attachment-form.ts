/**
 * The `multipart/form-data` upload of an attachment (fields `message` and `filedata`), parsed as a stream with
 * busboy under strict limits: the file goes straight to the blob store, never into memory.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { MessengerHttpError, messengerErrors } from "../edge/messenger-envelope.ts";
import type { AttachmentType } from "./attachment-store.ts";
import type { PendingFile } from "./attachment-uploads.ts";

/** The `message` field once validated (AttachmentFileMessage). */
export interface AttachmentFileMessage {
  attachment: { type: AttachmentType; payload?: { is_reusable?: boolean } };
}

/** Limits of the form: a handful of small fields and one file. */
export const FORM_LIMITS = {
  fieldSize: 64 * 1024,
  fieldNameSize: 100,
  fields: 8,
  files: 2,
  parts: 10,
  headerPairs: 16,
} as const;

export interface ReadAttachmentFormOptions {
  body: ReadableStream<Uint8Array> | null;
  contentType: string;
  /** The largest file any attachment type may have; busboy stops reading past it. */
  maxFileBytes: number;
  /** Parses and validates the `message` text; throws a MessengerHttpError when it is not acceptable. */
  parseMessage(text: string): AttachmentFileMessage;
  /** Stores the `filedata` stream; `message` is passed when it came first. */
  writeFile(stream: Readable, message: AttachmentFileMessage | undefined): Promise<PendingFile>;
  /** Removes a stored file that will not be used. */
  discardFile(file: PendingFile): Promise<void>;
}

class PartTooLargeError extends Error {}

/** The `message` JSON is UTF-8; bytes that are not are refused, not replaced. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the form; resolves with the validated message and the stored (not yet recorded) file. */
export function readAttachmentForm(
  opts: ReadAttachmentFormOptions,
): Promise<{ message: AttachmentFileMessage; file: PendingFile }> {
  return new Promise((resolve, reject) => {
    if (!opts.body) {
      reject(messengerErrors.invalidParameter("The parameter filedata is required"));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: { "content-type": opts.contentType },
        defParamCharset: "utf8",
        limits: { ...FORM_LIMITS, fileSize: opts.maxFileBytes + 1 },
      });
    } catch {
      reject(messengerErrors.invalidParameter("The multipart/form-data body has no boundary"));
      return;
    }
    const source = Readable.fromWeb(opts.body as unknown as NodeWebReadableStream<Uint8Array>);
    let settled = false;
    let message: AttachmentFileMessage | undefined;
    let messageSeen = false;
    let fileTask: Promise<PendingFile> | undefined;
    let fileStream: Readable | undefined;
    const pending = new Set<Promise<unknown>>();

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(bb);
      source.destroy();
      // A file being written stops at once and its temporary file goes; a finished one is removed.
      fileStream?.on("error", () => undefined);
      fileStream?.destroy(new Error("form rejected"));
      fileTask?.then(
        (file) => opts.discardFile(file),
        () => undefined,
      );
      reject(
        err instanceof MessengerHttpError
          ? err
          : messengerErrors.invalidParameter("The multipart/form-data body is malformed"),
      );
    };

    const acceptMessage = (text: string) => {
      if (messageSeen) return fail(messengerErrors.invalidParameter("The parameter message is given more than once"));
      messageSeen = true;
      try {
        message = opts.parseMessage(text);
      } catch (err) {
        fail(err);
      }
    };

    bb.on("field", (name, value, info) => {
      if (name !== "message") return; // Meta's sample also sends `type`; extra fields are ignored.
      if (info.valueTruncated)
        return fail(messengerErrors.invalidParameter(`Param message is longer than ${FORM_LIMITS.fieldSize} bytes`));
      acceptMessage(value);
    });

    bb.on("file", (name, stream, _info) => {
      // busboy destroys a file stream it cannot finish ("Unexpected end of form"); whoever reads it sees that.
      stream.on("error", () => undefined);
      if (settled) return stream.resume();
      if (name === "message") {
        // Clients that send the JSON as a Blob make it a file part; read it as the field it is, within the field limit.
        const chunks: Buffer[] = [];
        let size = 0;
        const task = (async () => {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > FORM_LIMITS.fieldSize) throw new PartTooLargeError();
            chunks.push(chunk);
          }
          let text: string;
          try {
            text = UTF8.decode(Buffer.concat(chunks));
          } catch {
            throw messengerErrors.invalidParameter("Param message is not valid UTF-8");
          }
          acceptMessage(text);
        })().catch((err) => {
          stream.resume();
          fail(
            err instanceof PartTooLargeError
              ? messengerErrors.invalidParameter(`Param message is longer than ${FORM_LIMITS.fieldSize} bytes`)
              : err,
          );
        });
        pending.add(task);
        return;
      }
      if (name !== "filedata" || fileTask) {
        stream.resume();
        return fail(
          messengerErrors.invalidParameter(
            name === "filedata"
              ? "The parameter filedata is given more than once"
              : `Param ${name.slice(0, 100)} is not a recognised file parameter`,
          ),
        );
      }
      fileStream = stream;
      fileTask = opts.writeFile(stream, message);
      fileTask.catch(fail);
    });

    bb.on("partsLimit", () =>
      fail(messengerErrors.invalidParameter(`The form has more than ${FORM_LIMITS.parts} parts`)),
    );
    bb.on("fieldsLimit", () =>
      fail(messengerErrors.invalidParameter(`The form has more than ${FORM_LIMITS.fields} fields`)),
    );
    bb.on("filesLimit", () => fail(messengerErrors.invalidParameter("The form has more than one file")));
    bb.on("error", (err) => fail(err));
    source.on("error", (err) => fail(err));

    bb.on("close", () => {
      if (settled) return;
      void Promise.all(pending).then(async () => {
        if (settled) return;
        if (!fileTask) return fail(messengerErrors.invalidParameter("The parameter filedata is required"));
        let file: PendingFile;
        try {
          file = await fileTask;
        } catch (err) {
          return fail(err);
        }
        if (settled) return;
        if (!message) {
          await opts.discardFile(file);
          return fail(messengerErrors.invalidParameter("The parameter message is required"));
        }
        settled = true;
        resolve({ message, file });
      });
    });

    source.pipe(bb);
  });
}
