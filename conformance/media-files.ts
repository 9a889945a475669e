/**
 * Tiny but well-formed media files built in code, enough for magic-byte sniffing (file-type) and for the checks the
 * server makes (Opus channel count, WebP animation): no binary fixtures in the repository.
 */
import { crc32, deflateSync } from "node:zlib";

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A `width` x `height` opaque RGB PNG of one colour (colour type 2: no alpha, so no transparent background). */
export function png(width = 1, height = 1, rgb: [number, number, number] = [255, 128, 0]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `png()` in a buffer of its own, as fetch and Blob types want (`Uint8Array<ArrayBuffer>`). */
export function tinyPng(width = 4, height = 4, rgb: [number, number, number] = [200, 30, 30]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(png(width, height, rgb));
}

/** JPEG start (SOI + JFIF APP0) and end markers. */
export function jpeg(): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.from([0xff, 0xd9])]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from("WEBP", "latin1"), ...chunks]);
  const header = Buffer.alloc(8);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

function webpChunk(fourcc: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourcc, 0, "latin1");
  header.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** A still WebP (one lossless VP8L chunk). */
export function webp(): Buffer {
  return riff([webpChunk("VP8L", Buffer.from([0x2f, 0x00, 0x00, 0x00, 0x00, 0x88, 0x88, 0x08, 0x00]))]);
}

/** An animated WebP: VP8X with the animation flag, ANIM, and one ANMF frame. */
export function animatedWebp(): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x02; // animation flag
  return riff([webpChunk("VP8X", vp8x), webpChunk("ANIM", Buffer.alloc(6)), webpChunk("ANMF", Buffer.alloc(16))]);
}

/** The first Ogg page of an Opus stream (RFC 7845 OpusHead) with the given channel count, CRC included. */
export function oggOpus(channels: number): Buffer {
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = channels;
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12); // input sample rate
  const page = Buffer.alloc(28);
  page.write("OggS", 0, "latin1");
  page[5] = 0x02; // beginning of stream
  page.writeUInt32LE(1, 14); // serial number
  page[26] = 1; // one segment
  page[27] = head.length;
  const whole = Buffer.concat([page, head]);
  // Ogg's CRC-32: polynomial 0x04c11db7, unreflected (not zlib's).
  let crc = 0;
  for (const byte of whole) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  whole.writeUInt32LE(crc >>> 0, 22);
  return whole;
}

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length);
  header.write(type, 4, "latin1");
  return Buffer.concat([header, payload]);
}

/**
 * An ISO base media file (ftyp + empty mdat) with the given major brand: `isom` (MP4), `M4A ` (audio), `3gp4` (3GPP).
 */
export function isoMedia(brand: "isom" | "M4A " | "3gp4"): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from(brand, "latin1"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from(`${brand}mp41`, "latin1"),
  ]);
  return Buffer.concat([box("ftyp", ftyp), box("mdat", Buffer.alloc(16))]);
}

/** An ADTS AAC frame header followed by silence. */
export function aac(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), Buffer.alloc(9)]);
}

/** The AMR-NB magic and one frame. */
export function amr(): Buffer {
  return Buffer.concat([Buffer.from("#!AMR\n", "latin1"), Buffer.from([0x3c]), Buffer.alloc(31)]);
}

/** An ID3v2 tag header followed by an MPEG audio frame header. */
export function mp3(): Buffer {
  return Buffer.concat([
    Buffer.from([0x49, 0x44, 0x33, 0x03, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
    Buffer.alloc(28),
  ]);
}

/** A minimal PDF. */
export function pdf(): Buffer {
  return Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "latin1");
}

/** A GIF header (a type the WA media node does not accept). */
export function gif(): Buffer {
  return Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.from([0x3b])]);
}
