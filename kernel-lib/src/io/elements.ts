/**
 * Element types as files store them, and their decoding into tomolyte's dtypes:
 * byte order swapped, float16 widened to float32, 64-bit integers to float64
 * (refused beyond ±2^53, where float64 would silently round), bool to uint8.
 */
import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import { type DType, type VoxelArray, ctorOf } from "../volume";
import { type InputFile, LITTLE_ENDIAN, bytesOf, swapBytes } from "./fsutil";

export type ElemKind = "b1" | "u1" | "i1" | "u2" | "i2" | "u4" | "i4" | "u8" | "i8" | "f2" | "f4" | "f8";

const OUT: Record<ElemKind, DType> = {
  b1: "uint8", u1: "uint8", i1: "int8", u2: "uint16", i2: "int16", u4: "uint32", i4: "int32",
  u8: "float64", i8: "float64", f2: "float32", f4: "float32", f8: "float64",
};

const SIZE: Record<ElemKind, number> = { b1: 1, u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, u8: 8, i8: 8, f2: 2, f4: 4, f8: 8 };

const NAMES: Record<ElemKind, string> = {
  b1: "bool", u1: "uint8", i1: "int8", u2: "uint16", i2: "int16", u4: "uint32", i4: "int32",
  u8: "uint64", i8: "int64", f2: "float16", f4: "float32", f8: "float64",
};

export const outDType = (k: ElemKind): DType => OUT[k];
export const itemSize = (k: ElemKind): number => SIZE[k];
export const kindName = (k: ElemKind): string => NAMES[k];

/** The file element kind that stores a dtype unchanged. */
export function kindOf(dtype: DType): ElemKind {
  const k: Record<DType, ElemKind> = { uint8: "u1", int8: "i1", uint16: "u2", int16: "i2", uint32: "u4", int32: "i4", float32: "f4", float64: "f8" };
  return k[dtype];
}

/** True when the file's bytes can be copied straight into the output array. */
function direct(kind: ElemKind): boolean {
  return kind !== "b1" && kind !== "u8" && kind !== "i8" && kind !== "f2";
}

/** A warning to show when the kind changes on reading, else undefined. */
export function conversionNote(kind: ElemKind): string | undefined {
  if (kind === "i8" || kind === "u8") return `${NAMES[kind]} voxels are read as float64 (exact up to ±2^53; larger values are refused)`;
  if (kind === "f2") return "float16 voxels are read as float32 (exactly)";
  if (kind === "b1") return undefined;
  return undefined;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const TWO53 = 2 ** 53;

/**
 * Decodes `count` elements of `src` (bytes of `kind`, little or big endian) into
 * out[outOffset...]. `where` names the file for error messages.
 */
export function decodeInto(src: Uint8Array, kind: ElemKind, littleEndian: boolean, out: VoxelArray, outOffset: number, where: string): void {
  const size = SIZE[kind];
  const count = Math.floor(src.length / size);
  if (direct(kind)) {
    const dst = bytesOf(out).subarray(outOffset * size, (outOffset + count) * size);
    dst.set(src.subarray(0, count * size));
    if (littleEndian !== LITTLE_ENDIAN) swapBytes(dst, size);
    return;
  }
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (kind === "b1") {
    for (let i = 0; i < count; i++) out[outOffset + i] = src[i] ? 1 : 0;
  } else if (kind === "f2") {
    for (let i = 0; i < count; i++) out[outOffset + i] = halfToFloat(dv.getUint16(2 * i, littleEndian));
  } else {
    const signed = kind === "i8";
    const hiAt = littleEndian ? 4 : 0;
    const loAt = littleEndian ? 0 : 4;
    for (let i = 0; i < count; i++) {
      const lo = dv.getUint32(8 * i + loAt, littleEndian);
      const hi = signed ? dv.getInt32(8 * i + hiAt, littleEndian) : dv.getUint32(8 * i + hiAt, littleEndian);
      let v: number;
      if (hi > -2097152 && hi < 2097152) v = hi * 4294967296 + lo; // |v| < 2^53: exact
      else {
        const b = signed ? dv.getBigInt64(8 * i, littleEndian) : dv.getBigUint64(8 * i, littleEndian);
        v = Number(b);
        if (v > TWO53 || v < -TWO53 || BigInt(v) !== b) {
          throw new TomolyteError(
            ERROR_CODES.UNSUPPORTED_DTYPE,
            `${where}: ${NAMES[kind]} value ${b} (element ${outOffset + i}) cannot be held exactly by float64; ` +
              `tomolyte reads 64-bit integers as float64 only when every value is within ±2^53. Convert it with NumPy first`,
            { path: where, index: outOffset + i },
          );
        }
      }
      out[outOffset + i] = v;
    }
  }
}

/**
 * Reads `count` elements of `kind` starting at byte `offset` of `file` into out[0..count),
 * in chunks (so conversions need little scratch memory) with progress and cancellation.
 */
export async function readElements(
  file: InputFile,
  offset: number,
  kind: ElemKind,
  littleEndian: boolean,
  out: VoxelArray,
  opts: { signal?: AbortSignal; onProgress?: (f: number) => void },
): Promise<void> {
  const size = SIZE[kind];
  const count = out.length;
  const chunkElems = Math.max(1, Math.floor((1 << 24) / size));
  const scratch = direct(kind) ? undefined : new Uint8Array(Math.min(count, chunkElems) * size);
  for (let start = 0; start < count; start += chunkElems) {
    throwIfAborted(opts.signal);
    const n = Math.min(chunkElems, count - start);
    if (scratch === undefined) {
      const dst = bytesOf(out).subarray(start * size, (start + n) * size);
      await file.read(offset + start * size, n * size, dst);
      if (littleEndian !== LITTLE_ENDIAN) swapBytes(dst, size);
    } else {
      const src = scratch.subarray(0, n * size);
      await file.read(offset + start * size, n * size, src);
      decodeInto(src, kind, littleEndian, out, start, file.path);
    }
    opts.onProgress?.((start + n) / count);
  }
}

/** A new array of the dtype. */
export function allocate(dtype: DType, n: number): VoxelArray {
  return new (ctorOf(dtype))(n);
}

/** Copies `src`, stored with the first index fastest (Fortran order, dims a×b×c), into `out` in C order. */
export function fortranToC(src: VoxelArray, out: VoxelArray, a: number, b: number, c: number): void {
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const o = (i * b + j) * c;
      const s = i + a * j;
      const stride = a * b;
      for (let k = 0; k < c; k++) out[o + k] = src[s + stride * k];
    }
  }
}
