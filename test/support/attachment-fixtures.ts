/** Small files whose magic numbers file-type recognises, built in code (no binary fixtures in the repo). */

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  // The CRC is not checked by the sniffer; zeros keep the fixture simple.
  return Buffer.concat([len, Buffer.from(type, "latin1"), data, Buffer.alloc(4)]);
}

/** A 1x1 PNG (signature, IHDR, IEND), padded to `size` bytes after IEND when asked. */
export function pngBytes(size = 0): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IEND", new Uint8Array()),
  ]);
  return size > png.length ? Buffer.concat([png, Buffer.alloc(size - png.length)]) : png;
}

/** A minimal PDF document. */
export function pdfBytes(): Buffer {
  return Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1");
}

/** An MP4 header (ftyp box, brand isom) followed by an empty mdat box. */
export function mp4Bytes(): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from("ftypisom", "latin1"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2", "latin1"),
  ]);
  return Buffer.concat([ftyp, Buffer.from([0, 0, 0, 8]), Buffer.from("mdat", "latin1")]);
}

/** An MP3 file: an empty ID3v2 tag and one MPEG-1 Layer III frame header padded to the frame length. */
export function mp3Bytes(): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, frame, frame]);
}

/** Bytes no sniffer recognises. */
export function textBytes(): Buffer {
  return Buffer.from("just some plain text, no magic number here\n".repeat(4), "utf8");
}
