/**
 * Shared pieces of the browser-side file readers (reader-*.ts): the error they throw, the
 * decoding of stored elements (any byte order, float16, 64-bit integers, bool) into the
 * viewer's dtypes, and the final DecodedVolume with its percentile window.
 * Pure functions over bytes: no DOM, so they are unit-tested in Node.
 */
import type { DecodedVolume, VoxelData } from "./decode";
import { MAX_VOXELS } from "./decode";
import { percentileWindow } from "./planes";

/** A file the viewer cannot show; the message is shown as text in the document. */
export class VolumeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VolumeFileError";
  }
}

/** Element kinds as files store them (NumPy's letters: b bool, u/i integers, f floats; size in bytes). */
export type ElemKind = "b1" | "u1" | "i1" | "u2" | "i2" | "u4" | "i4" | "u8" | "i8" | "f2" | "f4" | "f8";

type DType = DecodedVolume["dtype"];

const OUT: Record<ElemKind, DType> = {
  b1: "uint8", u1: "uint8", i1: "int8", u2: "uint16", i2: "int16", u4: "uint32", i4: "int32",
  u8: "float64", i8: "float64", f2: "float32", f4: "float32", f8: "float64",
};

const NAMES: Record<ElemKind, string> = {
  b1: "bool", u1: "uint8", i1: "int8", u2: "uint16", i2: "int16", u4: "uint32", i4: "int32",
  u8: "uint64", i8: "int64", f2: "float16", f4: "float32", f8: "float64",
};

/** Bytes per stored element. @example itemSize("f4") // 4 */
export function itemSize(kind: ElemKind): number {
  return Number(kind.slice(1));
}

/** The viewer dtype a stored kind becomes (as kernel-lib's io reads it). @example outDType("f2") // "float32" */
export function outDType(kind: ElemKind): DType {
  return OUT[kind];
}

/** The NumPy-style name of a stored kind, for messages. @example kindName("i8") // "int64" */
export function kindName(kind: ElemKind): string {
  return NAMES[kind];
}

function allocate(dtype: DType, n: number): VoxelData {
  switch (dtype) {
    case "uint8":
      return new Uint8Array(n);
    case "int8":
      return new Int8Array(n);
    case "uint16":
      return new Uint16Array(n);
    case "int16":
      return new Int16Array(n);
    case "uint32":
      return new Uint32Array(n);
    case "int32":
      return new Int32Array(n);
    case "float32":
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
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

/** Whether this platform stores typed arrays little-endian (every browser JupyterLab supports). */
const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements of `kind` from `bytes` at `offset` into a new array of the viewer's
 * dtype (bool → uint8, float16 → float32, 64-bit integers → float64). 64-bit values beyond
 * ±2^53 are refused rather than silently rounded, as kernel-lib's io does.
 * @example decodeElements(bytes, 128, "f4", true, 60) // Float32Array(60)
 */
export function decodeElements(bytes: Uint8Array, offset: number, kind: ElemKind, littleEndian: boolean, count: number): VoxelData {
  const size = itemSize(kind);
  if (offset < 0 || offset + count * size > bytes.byteLength) {
    throw new VolumeFileError(`the file holds ${bytes.byteLength - offset} data bytes but the header needs ${count * size}; it is truncated or the header is wrong`);
  }
  const out = allocate(OUT[kind], count);
  const src = bytes.subarray(offset, offset + count * size);
  if ((kind !== "b1" && kind !== "u8" && kind !== "i8" && kind !== "f2") && (size === 1 || littleEndian === NATIVE_LE)) {
    // Same layout as the typed array: one copy (also fixes alignment).
    new Uint8Array(out.buffer).set(src);
    return out;
  }
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const le = littleEndian;
  switch (kind) {
    case "b1":
      for (let i = 0; i < count; i++) out[i] = src[i] ? 1 : 0;
      break;
    case "u2":
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, le);
      break;
    case "i2":
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, le);
      break;
    case "u4":
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, le);
      break;
    case "i4":
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, le);
      break;
    case "f2":
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, le));
      break;
    case "f4":
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, le);
      break;
    case "f8":
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, le);
      break;
    case "u8":
    case "i8":
      for (let i = 0; i < count; i++) {
        const v = Number(kind === "u8" ? dv.getBigUint64(8 * i, le) : dv.getBigInt64(8 * i, le));
        if (v > TWO53 || v < -TWO53) {
          throw new VolumeFileError(`${NAMES[kind]} value ${v} at element ${i} is beyond ±2^53 and cannot be shown exactly; convert the file to a 32-bit type`);
        }
        out[i] = v;
      }
      break;
    default:
      throw new VolumeFileError(`unsupported element type ${kind}`);
  }
  return out;
}

/** Refuses shapes that are not positive integers or exceed the viewer's voxel limit (the MIME path's). */
export function checkShape(shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new VolumeFileError(`bad shape ${JSON.stringify(shape)}: three positive integers expected`);
  }
  const count = shape[0] * shape[1] * shape[2];
  if (count > MAX_VOXELS) {
    throw new VolumeFileError(
      `${shape.join(" × ")} = ${count} voxels exceed the viewer's limit of ${MAX_VOXELS}; open it in a notebook with tomolyte's read() and show() a crop or a downsampled copy`,
    );
  }
  return [shape[0], shape[1], shape[2]];
}

/** A volume read from a file: the viewer's structure plus notes on what was assumed. */
export interface VolumeFile extends DecodedVolume {
  /** The file format: "tiff", "npy", "mha" or "mhd". */
  format: string;
  /** Where the spacing came from: "file", or "default" (1 µm). */
  spacingSource: "file" | "default";
  /** What was assumed or converted while reading (shown under the viewer). */
  notes: string[];
}

/**
 * Builds the viewer's volume from decoded data: checks the length, and sets the window from
 * the 0.5 and 99.5 percentiles (as the viewer's *auto* button does).
 * @example finishVolume(data, [2, 3, 4], [1, 1, 1], "npy", "default", [], "a.npy")
 */
export function finishVolume(
  data: VoxelData,
  shape: [number, number, number],
  spacing: [number, number, number] | undefined,
  format: string,
  notes: string[],
  title?: string,
): VolumeFile {
  const count = shape[0] * shape[1] * shape[2];
  if (data.length !== count) throw new VolumeFileError(`decoded ${data.length} values, expected ${count}`);
  const dtype = dtypeOf(data);
  if (!spacing) notes.push("the file gives no voxel size: 1 µm assumed");
  return {
    shape,
    spacing: spacing ?? [1, 1, 1],
    dtype,
    data,
    window: percentileWindow(data, 0.5, 99.5),
    title,
    format,
    spacingSource: spacing ? "file" : "default",
    notes,
  };
}

function dtypeOf(data: VoxelData): DType {
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Float32Array) return "float32";
  return "float64";
}

/** Latin-1 text of some bytes (headers are ASCII; never throws on other bytes). */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  return s;
}

const UNIT_UM: Record<string, number> = {
  micron: 1, microns: 1, um: 1, "µm": 1, "μm": 1, "\\u00b5m": 1, micrometer: 1, micrometre: 1, micrometers: 1, micrometres: 1,
  nm: 1e-3, nanometer: 1e-3, nanometre: 1e-3, nanometers: 1e-3, nanometres: 1e-3,
  mm: 1e3, millimeter: 1e3, millimetre: 1e3, millimeters: 1e3, millimetres: 1e3,
  cm: 1e4, centimeter: 1e4, centimetre: 1e4, centimeters: 1e4, centimetres: 1e4,
  m: 1e6, meter: 1e6, metre: 1e6, meters: 1e6, metres: 1e6,
  inch: 25400, inches: 25400, in: 25400,
};

/** Micrometres per length unit as metadata writes it, undefined when unknown. @example micronsPerUnit("mm") // 1000 */
export function micronsPerUnit(unit: string | undefined): number | undefined {
  return unit === undefined ? undefined : UNIT_UM[unit.trim().toLowerCase()];
}
