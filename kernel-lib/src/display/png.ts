/**
 * A minimal PNG encoder (8-bit greyscale or RGB, no interlace, filter 0),
 * enough for the image/png fallback of the display. Compression by fflate's
 * zlib; CRC-32 computed here (ISO 3309 polynomial, as the PNG spec asks).
 */
import { zlibSync } from "fflate";
import { ERROR_CODES, TomolyteError } from "../errors";

let CRC_TABLE: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (CRC_TABLE) return CRC_TABLE;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  CRC_TABLE = t;
  return t;
}

/**
 * CRC-32 of bytes (the checksum of zlib, gzip and PNG chunks).
 *
 * @example
 * crc32(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8-bit image: `channels` 1 (grey) or 3 (RGB), row-major, top row first. */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/**
 * Encodes an 8-bit grey or RGB image as PNG bytes.
 *
 * @example
 * const png = encodePNG({ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) });
 */
export function encodePNG(image: RasterImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `PNG size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `PNG channels must be 1 (grey) or 3 (RGB), got ${String(channels)}`);
  }
  const stride = width * channels;
  if (!(data instanceof Uint8Array) || data.length !== stride * height) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `PNG data must be a Uint8Array of ${stride * height} bytes, got ${data?.length}`);
  }
  // Each scanline is preceded by its filter type (0: none).
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const idat = zlibSync(raw, { level: 6 });
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // colour type: grey or truecolour
  // ihdr[10..12]: compression 0 (deflate), filter method 0, no interlace.
  const chunks: [string, Uint8Array][] = [
    ["IHDR", ihdr],
    ["IDAT", idat],
    ["IEND", new Uint8Array(0)],
  ];
  let size = 8;
  for (const [, body] of chunks) size += 12 + body.length;
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(out.buffer);
  let o = 8;
  for (const [type, body] of chunks) {
    view.setUint32(o, body.length);
    for (let i = 0; i < 4; i++) out[o + 4 + i] = type.charCodeAt(i);
    out.set(body, o + 8);
    // The CRC covers the chunk type and data, not the length.
    view.setUint32(o + 8 + body.length, crc32(out, o + 4, o + 8 + body.length));
    o += 12 + body.length;
  }
  return out;
}
