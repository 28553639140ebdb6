/**
 * NumPy .npy files in the browser: format versions 1.0, 2.0 and 3.0, both byte orders, C and
 * Fortran order, dtypes b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8 (as kernel-lib's io reads them).
 * A 3-D array is [nz, ny, nx]; a 2-D array is one slice, a 1-D array one row; leading axes
 * of length 1 beyond three are dropped. .npy holds no voxel size: 1 µm is assumed.
 */
import { ElemKind, VolumeFile, VolumeFileError, checkShape, decodeElements, finishVolume, latin1 } from "./reader-elements";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start like a .npy file. @example isNpy(bytes) // true */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

interface NpyHeader {
  kind: ElemKind;
  littleEndian: boolean;
  fortran: boolean;
  shape: number[];
  dataOffset: number;
}

/** Parses the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 5), }. */
function parseHeader(bytes: Uint8Array): NpyHeader {
  if (!isNpy(bytes)) throw new VolumeFileError("not a .npy file (no \\x93NUMPY magic)");
  if (bytes.length < 10) throw new VolumeFileError("the .npy header is truncated");
  const major = bytes[6];
  let len: number;
  let start: number;
  if (major === 1) {
    len = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new VolumeFileError("the .npy header is truncated");
    len = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
    start = 12;
  } else {
    throw new VolumeFileError(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (start + len > bytes.length) throw new VolumeFileError(`the .npy header says ${len} bytes but the file ends before`);
  // Version 3 allows UTF-8 in the header; only the ASCII keys and values matter here.
  const text = latin1(bytes.subarray(start, start + len));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortranText = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortranText === undefined || shapeText === undefined) {
    throw new VolumeFileError(`cannot parse the .npy header ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => Number(s.replace(/L$/, "")));
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new VolumeFileError(`bad .npy shape (${shapeText})`);
  const m = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  const kind = m ? (`${m[2] === "b" ? "b" : m[2]}${m[3]}` as ElemKind) : undefined;
  const known: ElemKind[] = ["b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8"];
  if (!m || !kind || !known.includes(kind)) {
    throw new VolumeFileError(`.npy dtype ${JSON.stringify(descr)} is not supported (bool, integers up to 64 bits, float16/32/64; not complex or structured)`);
  }
  return { kind, littleEndian: m[1] !== ">", fortran: fortranText === "True", shape, dataOffset: start + len };
}

/** Fortran (first index fastest) to C order for a [a, b, c] array. */
function fortranToC<T extends { length: number; [i: number]: number }>(src: T, dst: T, a: number, b: number, c: number): T {
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const o = (i * b + j) * c;
      const f = i + a * j;
      for (let k = 0; k < c; k++) dst[o + k] = src[f + a * b * k];
    }
  }
  return dst;
}

/**
 * Reads a .npy file's bytes into the viewer's volume.
 * @example const vol = readNpy(new Uint8Array(await file.arrayBuffer()), "porosity.npy");
 */
export function readNpy(bytes: Uint8Array, title?: string): VolumeFile {
  const h = parseHeader(bytes);
  let dims = h.shape.slice();
  while (dims.length > 3 && dims[0] === 1) dims.shift();
  if (dims.length > 3) throw new VolumeFileError(`a ${h.shape.length}-D array (${h.shape.join(" × ")}) is not a volume`);
  if (dims.length === 0) throw new VolumeFileError("a 0-D array (a single number) is not a volume");
  if (dims.some((n) => n === 0)) throw new VolumeFileError(`the array is empty (shape ${h.shape.join(" × ")})`);
  const fileDims = dims.slice();
  while (dims.length < 3) dims = [1, ...dims];
  const shape = checkShape(dims);
  const count = shape[0] * shape[1] * shape[2];
  let data = decodeElements(bytes, h.dataOffset, h.kind, h.littleEndian, count);
  if (h.fortran && fileDims.length > 1) {
    // In the file's own axes: a 2-D [ny, nx] array is the 3-D case with a last axis of 1.
    const [a, b, c] = fileDims.length === 3 ? fileDims : [fileDims[0], fileDims[1], 1];
    const C = data.constructor as new (n: number) => typeof data;
    data = fortranToC(data, new C(count), a, b, c);
  }
  const notes: string[] = [];
  if (h.kind === "i8" || h.kind === "u8") notes.push(`${h.kind === "i8" ? "int64" : "uint64"} values shown as float64`);
  if (h.kind === "f2") notes.push("float16 values shown as float32");
  if (fileDims.length < 3) notes.push(`a ${fileDims.length}-D array, shown as one slice`);
  return finishVolume(data, shape, undefined, "npy", notes, title);
}
