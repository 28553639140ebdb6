/**
 * Strip decoders for the TIFF compressions that CT stacks use (LZW, Adobe deflate,
 * PackBits) and the horizontal predictor. Written here (deflate via fflate) because
 * decoding hundreds of pages through geotiff was several times slower; geotiff
 * remains the fallback for tiles and everything else.
 */
import { inflateSync, unzlibSync } from "fflate";

/** Compressions decoded here (others go to geotiff). */
export const OWN_CODECS = new Set([1, 5, 8, 32946, 32773]);

/** TIFF LZW (MSB-first codes, 9 to 12 bits, "early change"). Returns bytes written into dst. */
export function lzwDecode(src: Uint8Array, dst: Uint8Array): number {
  const prefix = new Int16Array(4096);
  const last = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    last[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  let out = 0;
  let bitPos = 0;
  const nbits = src.length * 8;
  let width = 9;
  let next = 258;
  let prev = -1;
  while (bitPos + width <= nbits && out < dst.length) {
    // Read `width` bits MSB-first.
    const byte = bitPos >> 3;
    const v = (src[byte] << 16) | ((src[byte + 1] ?? 0) << 8) | (src[byte + 2] ?? 0);
    const code = (v >> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    let emit: number;
    if (prev === -1) {
      if (code > 255) throw new Error(`LZW code ${code} after a clear code`);
      emit = code;
    } else if (code < next) {
      emit = code;
      if (next < 4096) {
        prefix[next] = prev;
        last[next] = first[code];
        first[next] = first[prev];
        length[next] = length[prev] + 1;
        next++;
      }
    } else if (code === next && next < 4096) {
      prefix[next] = prev;
      last[next] = first[prev];
      first[next] = first[prev];
      length[next] = length[prev] + 1;
      next++;
      emit = code;
    } else {
      throw new Error(`LZW code ${code} beyond the table (${next})`);
    }
    // Write the string of `emit` backwards from its end.
    const n = length[emit];
    let c = emit;
    for (let k = n - 1; k >= 0; k--) {
      if (out + k < dst.length) dst[out + k] = last[c];
      c = prefix[c];
    }
    out = Math.min(dst.length, out + n);
    prev = emit;
    if (next >= (1 << width) - 1 && width < 12) width++;
  }
  return out;
}

/** PackBits run-length decoding. Returns bytes written. */
export function packbitsDecode(src: Uint8Array, dst: Uint8Array): number {
  let i = 0;
  let out = 0;
  while (i < src.length && out < dst.length) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const m = Math.min(n + 1, src.length - i, dst.length - out);
      dst.set(src.subarray(i, i + m), out);
      i += n + 1;
      out += m;
    } else if (n !== -128) {
      const m = Math.min(1 - n, dst.length - out);
      dst.fill(src[i++], out, out + m);
      out += m;
    }
  }
  return out;
}

/** Deflate (zlib stream, or raw as some writers do). Returns bytes written. */
export function deflateDecode(src: Uint8Array, dst: Uint8Array): number {
  let r: Uint8Array;
  try {
    r = unzlibSync(src);
  } catch {
    r = inflateSync(src);
  }
  const n = Math.min(r.length, dst.length);
  dst.set(r.subarray(0, n));
  return n;
}

/** Decodes one strip; returns the number of bytes produced. */
export function decodeStrip(compression: number, src: Uint8Array, dst: Uint8Array): number {
  switch (compression) {
    case 5:
      return lzwDecode(src, dst);
    case 8:
    case 32946:
      return deflateDecode(src, dst);
    case 32773:
      return packbitsDecode(src, dst);
    default: {
      const n = Math.min(src.length, dst.length);
      dst.set(src.subarray(0, n));
      return n;
    }
  }
}
