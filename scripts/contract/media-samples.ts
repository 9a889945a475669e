/**
 * Small, genuinely well-formed files for every media type the spec lets `uploadMedia` take, so that a server which
 * sniffs magic bytes (as the reference server does) accepts them; the fuzz layer appends random tails to them.
 */
import { deflateSync } from "node:zlib";
import { getOperation } from "../../server/validation/openapi-document.ts";

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1x1 opaque RGB PNG (colour type 2: no alpha channel, so no transparent background). */
function png(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.from([0, 0xff, 0x80, 0x00]))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** An ISO BMFF `ftyp` box with the given major brand followed by an empty `mdat`. */
function isoBmff(brand: string, compatible: string[]): Buffer {
  const ftyp = Buffer.alloc(16 + compatible.length * 4);
  ftyp.writeUInt32BE(ftyp.length, 0);
  ftyp.write("ftyp", 4, "latin1");
  ftyp.write(brand, 8, "latin1");
  compatible.forEach((c, i) => ftyp.write(c, 16 + i * 4, "latin1"));
  const mdat = Buffer.from([0, 0, 0, 8, 0x6d, 0x64, 0x61, 0x74]);
  return Buffer.concat([ftyp, mdat]);
}

/** One Ogg page holding an OpusHead with the given channel count (1 = mono, the only kind WhatsApp takes). */
export function oggOpus(channels: number): Buffer {
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(312, 10);
  head.writeUInt32LE(48000, 12);
  const page = Buffer.alloc(28);
  page.write("OggS", 0, "latin1");
  page[5] = 0x02;
  page.writeUInt32LE(0x4d4d4d4d, 14);
  page[26] = 1;
  page[27] = head.length;
  const whole = Buffer.concat([page, head]);
  // Ogg uses CRC-32 with polynomial 0x04c11db7, unreflected.
  let crc = 0;
  for (const byte of whole) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  whole.writeUInt32LE(crc >>> 0, 22);
  return whole;
}

const JPEG_1X1 =
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";
const WEBP_1X1 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

/** A concrete content type and matching bytes for each request content type `uploadMedia` documents (ranges made concrete). */
export function mediaSamples(): Array<{ documented: string; contentType: string; bytes: Buffer; category: string; maxBytes: number }> {
  const content = getOperation("uploadMedia").operation.requestBody?.content ?? {};
  const make: Record<string, () => [string, Buffer]> = {
    "audio/aac": () => ["audio/aac", Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc, 0x21, 0x00, 0x49, 0x90, 0x02, 0x19, 0x00, 0x23, 0x80])],
    "audio/mp4": () => ["audio/mp4", isoBmff("M4A ", ["M4A ", "mp42", "isom"])],
    "audio/amr": () => ["audio/amr", Buffer.from("#!AMR\n\u0004\u0000\u0000\u0000", "latin1")],
    "audio/mpeg": () => ["audio/mpeg", Buffer.concat([Buffer.from("ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000", "latin1"), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)])],
    "audio/ogg; codecs=opus": () => ["audio/ogg; codecs=opus", oggOpus(1)],
    "image/jpeg": () => ["image/jpeg", Buffer.from(JPEG_1X1, "base64")],
    "image/png": () => ["image/png", png()],
    "image/webp": () => ["image/webp", Buffer.from(WEBP_1X1, "base64")],
    "video/mp4": () => ["video/mp4", isoBmff("isom", ["isom", "iso2", "avc1", "mp41"])],
    "video/3gpp": () => ["video/3gpp", isoBmff("3gp4", ["3gp4", "isom"])],
    "application/*": () => ["application/pdf", Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1")],
    "text/*": () => ["text/plain", Buffer.from("contract suite sample document\n", "utf8")],
  };
  return Object.entries(content).map(([documented, media]) => {
    const maker = make[documented];
    if (!maker) throw new Error(`media-samples: no sample for the documented upload type ${documented}; add one`);
    const [contentType, bytes] = maker();
    return { documented, contentType, bytes, category: String(media["x-media-category"]), maxBytes: Number(media["x-max-bytes"]) };
  });
}
