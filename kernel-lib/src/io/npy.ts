/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0): every numeric dtype, C and Fortran
 * order, both byte orders. 1D and 2D arrays become volumes of one slice; leading
 * axes of length 1 beyond three are dropped. The format holds no voxel size.
 */
import { ERROR_CODES, TomolyteError } from "../errors";
import { type Triple, type Volume, volumeDType } from "../volume";
import { type ElemKind, allocate, conversionNote, fortranToC, itemSize, kindOf, outDType, readElements } from "./elements";
import { InputFile, LITTLE_ENDIAN, bytesOf, corrupt } from "./fsutil";
import type { OpenedVolume } from "./header";

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyHeader {
  kind: ElemKind;
  littleEndian: boolean;
  fortran: boolean;
  dims: number[];
  dataOffset: number;
  descr: string;
}

function parseDescr(file: string, descr: string): { kind: ElemKind; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `${file}: NumPy dtype ${descr} is not a plain numeric type`, { path: file });
  const [, order, kindChar, sizeText] = m;
  const code = `${kindChar}${sizeText}`;
  const known: Record<string, ElemKind> = {
    b1: "b1", "?1": "b1", u1: "u1", i1: "i1", u2: "u2", i2: "i2", u4: "u4", i4: "i4", u8: "u8", i8: "i8", f2: "f2", f4: "f4", f8: "f8",
  };
  const kind = known[code];
  if (!kind) {
    const what = kindChar === "c" ? "complex" : kindChar === "f" ? "extended-precision float" : kindChar === "M" || kindChar === "m" ? "datetime" : "non-numeric";
    throw new TomolyteError(
      ERROR_CODES.UNSUPPORTED_DTYPE,
      `${file}: NumPy dtype ${descr} (${what}) is not supported; save a real numeric array (e.g. np.abs(a).astype(np.float32))`,
      { path: file, descr },
    );
  }
  return { kind, littleEndian: order !== ">" };
}

async function parseHeader(f: InputFile): Promise<NpyHeader> {
  if (f.size < 10) throw corrupt(f.path, "too short to be a .npy file");
  const pre = await f.read(0, 10);
  for (let i = 0; i < 6; i++) if (pre[i] !== NPY_MAGIC[i]) throw corrupt(f.path, "not a .npy file (magic bytes missing)");
  const major = pre[6];
  let len: number;
  let start: number;
  if (major === 1) {
    len = pre[8] | (pre[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (f.size < 12) throw corrupt(f.path, "header truncated");
    const b = await f.read(8, 4);
    len = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 16777216;
    start = 12;
  } else {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${f.path}: .npy format version ${major}.${pre[7]} is not supported (1.0-3.0 are)`, { path: f.path });
  }
  if (start + len > f.size) throw corrupt(f.path, `header claims ${len} bytes but the file has ${f.size}`);
  if (len > 1 << 24) throw corrupt(f.path, `implausible header length ${len}`);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(await f.read(start, len));
  const descrM = /['"]descr['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|(\[))/.exec(text);
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrM || !fortranM || !shapeM) throw corrupt(f.path, `cannot parse the .npy header ${JSON.stringify(text.trim())}`);
  if (descrM[3]) {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `${f.path}: structured NumPy dtypes (record arrays) are not supported`, { path: f.path });
  }
  const descr = descrM[1] ?? descrM[2];
  const { kind, littleEndian } = parseDescr(f.path, descr);
  const dims = shapeM[1]
    .split(",")
    .map((s) => s.trim().replace(/L$/, ""))
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+$/.test(s)) throw corrupt(f.path, `bad shape entry ${JSON.stringify(s)} in the header`);
      return Number(s);
    });
  return { kind, littleEndian, fortran: fortranM[1] === "True", dims, dataOffset: start + len, descr };
}

/** Maps NumPy's shape onto [nz, ny, nx]. */
function toShape(file: string, dims: number[]): Triple {
  if (dims.some((d) => d === 0)) throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `${file}: the array is empty (shape ${JSON.stringify(dims)})`, { path: file });
  const d = dims.slice();
  while (d.length > 3 && d[0] === 1) d.shift();
  if (d.length === 0) throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `${file}: a 0-dimensional array (a scalar) is not a volume`, { path: file });
  if (d.length > 3) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `${file}: a ${dims.length}-dimensional array (shape ${JSON.stringify(dims)}) is not a volume; save one 3D array`, { path: file });
  }
  while (d.length < 3) d.unshift(1);
  return [d[0], d[1], d[2]];
}

export async function openNpy(file: string): Promise<OpenedVolume> {
  const f = await InputFile.open(file);
  try {
    const h = await parseHeader(f);
    const shape = toShape(file, h.dims);
    const n = shape[0] * shape[1] * shape[2];
    const need = n * itemSize(h.kind);
    if (h.dataOffset + need > f.size) {
      throw corrupt(file, `header says ${h.dims.join("×")} ${h.descr} (${need} bytes of data) but the file holds only ${f.size - h.dataOffset}; it is truncated or the header is wrong`, {
        expectedBytes: need,
        fileSize: f.size,
      });
    }
    const dtype = outDType(h.kind);
    const note = conversionNote(h.kind);
    return {
      format: "npy",
      shape,
      dtype,
      fileDType: h.descr,
      spacing: undefined,
      spacingNotes: [],
      warnings: note ? [`${file}: ${note}`] : [],
      files: [file],
      scratchBytes: h.fortran ? n * itemSize(kindOf(dtype)) : 0,
      async load(out, opts) {
        const target = h.fortran ? allocate(dtype, n) : out;
        await readElements(f, h.dataOffset, h.kind, h.littleEndian, target, opts);
        if (h.fortran) fortranToC(target, out, shape[0], shape[1], shape[2]);
      },
      close: () => f.close(),
    };
  } catch (e) {
    await f.close();
    throw e;
  }
}

/** The bytes of a .npy file (little-endian, C order) for a volume: header, then a view of the data. */
export function encodeNpy(volume: Volume): [Uint8Array, Uint8Array] {
  const dtype = volumeDType(volume);
  const kind = kindOf(dtype);
  const descr = itemSize(kind) === 1 ? `|${kind}` : `<${kind}`;
  const [nz, ny, nx] = volume.shape;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${nz}, ${ny}, ${nx}), }`;
  // Pad so that the data starts at a multiple of 64 bytes, as NumPy does.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict + " ".repeat(total - 10 - dict.length - 1) + "\n";
  const head = new Uint8Array(total);
  head.set(NPY_MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  head[8] = dict.length & 0xff;
  head[9] = dict.length >> 8;
  for (let i = 0; i < dict.length; i++) head[10 + i] = dict.charCodeAt(i);
  if (!LITTLE_ENDIAN) throw new TomolyteError(ERROR_CODES.INTERNAL, "big-endian hosts are not supported");
  return [head, bytesOf(volume.data)];
}
