/**
 * Byte encodings of the display contract: voxels as little-endian bytes,
 * raw deflate (no zlib header), base64. Pure TypeScript plus fflate, so the
 * same code runs in a browser.
 */
import { deflateSync, inflateSync } from "fflate";
import { ERROR_CODES, TomolyteError } from "../errors";
import { type DType, type VoxelArray, ctorOf, dtypeOf } from "../volume";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The bytes of a typed array in little-endian order (a view when the machine
 * is little-endian, which is every machine Node and browsers run on today).
 *
 * @example
 * littleEndianBytes(new Uint16Array([258])) // Uint8Array [2, 1]
 */
export function littleEndianBytes(a: VoxelArray): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const w = a.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN || w === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += w) for (let j = 0; j < w; j++) out[i + j] = bytes[i + w - 1 - j];
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

type BufferLike = { from(b: Uint8Array | string, enc?: string): { toString(enc: string): string; buffer: ArrayBufferLike; byteOffset: number; byteLength: number } };

function nodeBuffer(): BufferLike | undefined {
  const B = (globalThis as { Buffer?: BufferLike }).Buffer;
  return typeof B?.from === "function" ? B : undefined;
}

/**
 * Standard base64 (RFC 4648, with padding). Uses Node's Buffer when present
 * (faster), otherwise a plain loop, so it also runs in a browser.
 *
 * @example
 * base64Encode(new Uint8Array([1, 2, 3])) // "AQID"
 */
export function base64Encode(bytes: Uint8Array, options: { useBuffer?: boolean } = {}): string {
  const B = options.useBuffer === false ? undefined : nodeBuffer();
  if (B) return B.from(bytes).toString("base64");
  const n = bytes.length;
  const parts: string[] = [];
  const CHUNK = 3 * 16384;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    let s = "";
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    }
    if (i < end) {
      const v = (bytes[i] << 16) | (i + 1 < end ? bytes[i + 1] << 8 : 0);
      s += B64[v >> 18] + B64[(v >> 12) & 63] + (i + 1 < end ? B64[(v >> 6) & 63] : "=") + "=";
    }
    parts.push(s);
  }
  return parts.join("");
}

/**
 * Decodes standard base64 (padding optional).
 *
 * @example
 * base64Decode("AQID") // Uint8Array [1, 2, 3]
 */
export function base64Decode(text: string): Uint8Array {
  const B = nodeBuffer();
  if (B) {
    const b = B.from(text, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const c = [0, 1, 2, 3].map((j) => (i + j < clean.length ? B64.indexOf(clean[i + j]) : 0));
    const v = (c[0] << 18) | (c[1] << 12) | (c[2] << 6) | c[3];
    if (o < out.length) out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/** Raw deflate (RFC 1951, no zlib header) at a level 0–9. */
export type DeflateRaw = (bytes: Uint8Array, level: number) => Uint8Array;

const fflateDeflateRaw: DeflateRaw = (bytes, level) => deflateSync(bytes, { level: level as 1 });
let deflateRawImpl: DeflateRaw = fflateDeflateRaw;

/**
 * Replaces the raw-deflate implementation (undefined restores fflate's). Under
 * Node, display/ registers node:zlib's (native, about 4× faster than fflate on
 * a 256³ volume); a browser keeps fflate.
 *
 * @example
 * setDeflateRaw((b, level) => zlib.deflateRawSync(b, { level }));
 */
export function setDeflateRaw(impl: DeflateRaw | undefined): void {
  deflateRawImpl = impl ?? fflateDeflateRaw;
}

/**
 * Voxels -> little-endian bytes -> raw deflate -> base64: the `data` field of
 * the volume MIME bundle. Level 1 by default: label and CT data compress nearly
 * as well as at level 6 (2.8 vs 1.9 MB on the 256³ sample), 5× faster.
 *
 * @example
 * const s = encodeVoxels(volume.data);
 */
export function encodeVoxels(data: VoxelArray, options: { level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 } = {}): string {
  return base64Encode(deflateRawImpl(littleEndianBytes(data), options.level ?? 1));
}

/**
 * The inverse of encodeVoxels: base64 -> inflate -> typed array of `dtype`.
 * Throws CORRUPT_FILE when the byte count does not match `length` voxels.
 *
 * @example
 * const voxels = decodeVoxels(bundle.data, bundle.dtype, 256 ** 3);
 */
export function decodeVoxels(text: string, dtype: DType, length?: number): VoxelArray {
  let bytes: Uint8Array;
  try {
    bytes = inflateSync(base64Decode(text));
  } catch (e) {
    throw new TomolyteError(ERROR_CODES.CORRUPT_FILE, `volume data is not valid deflate-base64: ${(e as Error).message}`, undefined, { cause: e });
  }
  const Ctor = ctorOf(dtype);
  const w = Ctor.BYTES_PER_ELEMENT;
  if (bytes.length % w !== 0 || (length !== undefined && bytes.length !== length * w)) {
    throw new TomolyteError(
      ERROR_CODES.CORRUPT_FILE,
      `volume data has ${bytes.length} bytes, expected ${length === undefined ? `a multiple of ${w}` : length * w}`,
    );
  }
  const aligned = new Uint8Array(bytes.length);
  if (LITTLE_ENDIAN || w === 1) aligned.set(bytes);
  else for (let i = 0; i < bytes.length; i += w) for (let j = 0; j < w; j++) aligned[i + j] = bytes[i + w - 1 - j];
  const out = new Ctor(aligned.buffer, 0, bytes.length / w);
  dtypeOf(out);
  return out;
}
