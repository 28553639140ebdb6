/**
 * MetaImage: a text header (.mhd) with the voxels in a separate file (.raw, or
 * .zraw when zlib-compressed), or both in one file (.mha, ElementDataFile = LOCAL).
 * DimSize and ElementSpacing list x first. tomolyte reads ElementSpacing as
 * micrometres and writes it so (MetaImage has no unit field; medical tools often
 * mean millimetres: override with spacing_um then).
 */
import * as path from "node:path";
import { ERROR_CODES, TomolyteError } from "../errors";
import { type DType, type Triple, type Volume, volumeDType } from "../volume";
import { type ElemKind, allocate, conversionNote, decodeInto, itemSize, kindOf, outDType, readElements } from "./elements";
import { InputFile, bytesOf, corrupt, fsError } from "./fsutil";
import type { OpenedVolume } from "./header";
import { inflateInto } from "./inflate";

const MET_TYPES: Record<string, ElemKind> = {
  MET_UCHAR: "u1", MET_CHAR: "i1", MET_USHORT: "u2", MET_SHORT: "i2", MET_UINT: "u4", MET_INT: "i4",
  MET_ULONG: "u4", MET_LONG: "i4", MET_ULONG_LONG: "u8", MET_LONG_LONG: "i8", MET_FLOAT: "f4", MET_DOUBLE: "f8",
};

const MET_OF: Record<DType, string> = {
  uint8: "MET_UCHAR", int8: "MET_CHAR", uint16: "MET_USHORT", int16: "MET_SHORT",
  uint32: "MET_UINT", int32: "MET_INT", float32: "MET_FLOAT", float64: "MET_DOUBLE",
};

interface Parsed {
  fields: Map<string, string>;
  /** Byte offset just after the ElementDataFile line (where LOCAL data starts). */
  end: number;
  /** Lines after ElementDataFile = LIST. */
  rest: string[];
}

function parseHeaderText(file: string, bytes: Uint8Array): Parsed {
  const fields = new Map<string, string>();
  let pos = 0;
  while (pos < bytes.length) {
    let eol = bytes.indexOf(0x0a, pos);
    const lineEnd = eol < 0 ? bytes.length : eol;
    const line = new TextDecoder("latin1").decode(bytes.subarray(pos, lineEnd)).replace(/\r$/, "");
    pos = eol < 0 ? bytes.length : eol + 1;
    if (line.trim() === "") continue;
    const m = /^\s*([A-Za-z0-9_]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!m) throw corrupt(file, `cannot parse header line ${JSON.stringify(line.slice(0, 80))}`);
    // Keys are matched case-insensitively: writers differ.
    fields.set(m[1].toLowerCase(), m[2]);
    if (m[1].toLowerCase() === "elementdatafile") {
      const rest: string[] = [];
      if (m[2].toUpperCase() === "LIST" || /^LIST\b/i.test(m[2])) {
        const tail = new TextDecoder("latin1").decode(bytes.subarray(pos));
        for (const l of tail.split(/\r?\n/)) if (l.trim()) rest.push(l.trim());
      }
      return { fields, end: pos, rest };
    }
    if (eol < 0) break;
  }
  throw corrupt(file, "header has no ElementDataFile line (it must be the last line)");
}

function numbers(file: string, fields: Map<string, string>, key: string, count: number): number[] | undefined {
  const v = fields.get(key.toLowerCase());
  if (v === undefined) return undefined;
  const a = v.split(/\s+/).filter(Boolean).map(Number);
  if (a.length < count || a.slice(0, count).some((x) => !Number.isFinite(x))) throw corrupt(file, `bad ${key} "${v}"`);
  return a.slice(0, count);
}

const isTrue = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());

export async function openMetaImage(file: string): Promise<OpenedVolume> {
  const head = await InputFile.open(file);
  const toClose: InputFile[] = [head];
  const closeAll = async () => {
    for (const f of toClose) await f.close();
  };
  try {
    const text = await head.read(0, Math.min(head.size, 1 << 20));
    const { fields, end, rest } = parseHeaderText(file, text);
    const ndims = Number(fields.get("ndims") ?? NaN);
    if (!Number.isInteger(ndims) || ndims < 1) throw corrupt(file, `bad or missing NDims "${fields.get("ndims")}"`);
    const dim = numbers(file, fields, "DimSize", ndims);
    if (!dim) throw corrupt(file, "missing DimSize");
    if (dim.some((d) => !Number.isInteger(d) || d < 1)) throw corrupt(file, `bad DimSize ${dim.join(" ")}`);
    if (ndims > 3 && dim.slice(3).some((d) => d !== 1)) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file}: ${ndims}-dimensional MetaImage (DimSize ${dim.join(" ")}) is not a volume`, { path: file });
    }
    const [nx, ny = 1, nz = 1] = dim;
    const shape: Triple = [nz, ny, nx];
    const channels = Number(fields.get("elementnumberofchannels") ?? 1);
    if (channels !== 1) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file}: ${channels} channels per voxel are not supported (one grey value per voxel only)`, { path: file });
    }
    const typeName = (fields.get("elementtype") ?? "").toUpperCase();
    const kind = MET_TYPES[typeName];
    if (!kind) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `${file}: ElementType "${fields.get("elementtype")}" is not supported (use ${Object.keys(MET_TYPES).join(", ")})`, { path: file });
    }
    const littleEndian = !(isTrue(fields.get("binarydatabyteordermsb")) || isTrue(fields.get("elementbyteordermsb")));
    const compressed = isTrue(fields.get("compresseddata"));
    const headerSize = Number(fields.get("headersize") ?? 0);
    if (!Number.isInteger(headerSize) || headerSize < -1) throw corrupt(file, `bad HeaderSize "${fields.get("headersize")}"`);

    let spacing: Triple | undefined;
    const spacingNotes: string[] = [];
    const sp = numbers(file, fields, "ElementSpacing", Math.min(ndims, 3)) ?? numbers(file, fields, "ElementSize", Math.min(ndims, 3));
    if (sp) {
      if (sp.some((s) => !(s > 0))) spacingNotes.push(`${file}: ElementSpacing ${sp.join(" ")} is not positive; ignored`);
      else {
        const [sx, sy = sx, sz] = sp;
        if (sz === undefined) spacingNotes.push(`${file}: no z spacing (2D image); assuming dz = dx`);
        spacing = [sz ?? sx, sy, sx];
      }
    }
    const tm = numbers(file, fields, "TransformMatrix", 9);
    const warnings: string[] = [];
    if (tm && tm.some((v, i) => Math.abs(v - (i % 4 === 0 ? 1 : 0)) > 1e-9)) {
      warnings.push(`${file}: TransformMatrix ${tm.join(" ")} is not the identity; voxels are read in stored order, the orientation is ignored`);
    }
    const note = conversionNote(kind);
    if (note) warnings.push(`${file}: ${note}`);

    // Where the voxels are.
    const dataFileField = fields.get("elementdatafile") ?? "";
    const dir = path.dirname(file);
    let dataFiles: string[];
    if (/^LOCAL$/i.test(dataFileField)) dataFiles = [];
    else if (/^LIST\b/i.test(dataFileField)) dataFiles = rest.map((r) => path.resolve(dir, r));
    else {
      const pat = /^(\S*%\S*)\s+(-?\d+)\s+(-?\d+)(?:\s+(-?\d+))?$/.exec(dataFileField);
      if (pat) {
        const [, fmt, a, b, s] = pat;
        const step = Number(s ?? 1);
        if (step === 0) throw corrupt(file, `bad ElementDataFile pattern "${dataFileField}"`);
        dataFiles = [];
        for (let i = Number(a); step > 0 ? i <= Number(b) : i >= Number(b); i += step) {
          dataFiles.push(path.resolve(dir, fmt.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => String(i).padStart(Number(width || 0), zero ? "0" : " "))));
          if (dataFiles.length > 1e6) throw corrupt(file, "ElementDataFile pattern lists too many files");
        }
      } else dataFiles = [path.resolve(dir, dataFileField)];
    }
    if (dataFiles.length === 0 && !/^LOCAL$/i.test(dataFileField)) throw corrupt(file, "ElementDataFile names no file");

    const n = nx * ny * nz;
    const size = itemSize(kind);
    const dataBytes = n * size;
    const dtype = outDType(kind);
    // One part per data file: [file, offset, bytes (compressed size when compressed)].
    const parts: { f: InputFile; offset: number; bytes: number }[] = [];
    if (dataFiles.length === 0) {
      const offset = end + Math.max(0, headerSize);
      const bytes = compressed ? Number(fields.get("compresseddatasize") ?? head.size - offset) : dataBytes;
      parts.push({ f: head, offset, bytes });
    } else {
      if (dataFiles.length > 1 && (n % dataFiles.length !== 0 || compressed)) {
        throw corrupt(file, `${dataFiles.length} data files do not split ${n} voxels evenly${compressed ? " (or are compressed)" : ""}`);
      }
      const each = dataBytes / dataFiles.length;
      for (const df of dataFiles) {
        let f: InputFile;
        try {
          f = await InputFile.open(df);
        } catch (e) {
          throw fsError(e, df, "open the data file of");
        }
        toClose.push(f);
        let offset = headerSize === -1 ? f.size - each : headerSize;
        let bytes = each;
        if (compressed) {
          offset = Math.max(0, headerSize);
          bytes = Number(fields.get("compresseddatasize") ?? f.size - offset);
        }
        parts.push({ f, offset, bytes });
      }
    }
    for (const p of parts) {
      if (!Number.isInteger(p.bytes) || p.bytes < 0) throw corrupt(file, `bad CompressedDataSize "${fields.get("compresseddatasize")}"`);
      if (p.offset < 0 || p.offset + p.bytes > p.f.size) {
        throw corrupt(p.f.path, `holds ${p.f.size} bytes but the header (${path.basename(file)}: DimSize ${dim.join(" ")}, ${typeName}) needs ${p.offset + p.bytes}; it is truncated or the header is wrong`, {
          expectedBytes: p.offset + p.bytes,
          fileSize: p.f.size,
        });
      }
    }
    const direct = kindOf(dtype) === kind;
    return {
      format: dataFiles.length === 0 ? "mha" : "mhd",
      shape,
      dtype,
      fileDType: typeName + (littleEndian || size === 1 ? "" : " (big-endian)"),
      spacing,
      spacingNotes,
      warnings,
      files: [file, ...dataFiles],
      scratchBytes: compressed && !direct ? dataBytes : 0,
      async load(out, opts) {
        if (compressed) {
          const p = parts[0];
          const raw = direct ? bytesOf(out) : new Uint8Array(dataBytes);
          await inflateInto(p.f, p.offset, p.bytes, raw, opts);
          // In place when direct: only swaps bytes if the file is big-endian.
          decodeInto(raw, kind, littleEndian, out, 0, file);
          return;
        }
        const per = n / parts.length;
        for (let i = 0; i < parts.length; i++) {
          const p = parts[i];
          const view = out.subarray(i * per, (i + 1) * per);
          await readElements(p.f, p.offset, kind, littleEndian, view, {
            signal: opts.signal,
            onProgress: opts.onProgress ? (fr) => opts.onProgress!((i + fr) / parts.length) : undefined,
          });
        }
      },
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** The text of a MetaImage header for a volume. `dataFile` is "LOCAL" or a file name beside the header. */
export function metaImageHeader(volume: Volume, dataFile: string, compressedSize?: number): string {
  const [nz, ny, nx] = volume.shape;
  const [dz, dy, dx] = volume.spacing;
  const lines = [
    "ObjectType = Image",
    "NDims = 3",
    "BinaryData = True",
    "BinaryDataByteOrderMSB = False",
    `CompressedData = ${compressedSize !== undefined ? "True" : "False"}`,
  ];
  if (compressedSize !== undefined) lines.push(`CompressedDataSize = ${compressedSize}`);
  lines.push(
    "TransformMatrix = 1 0 0 0 1 0 0 0 1",
    "Offset = 0 0 0",
    "CenterOfRotation = 0 0 0",
    `ElementSpacing = ${dx} ${dy} ${dz}`,
    `DimSize = ${nx} ${ny} ${nz}`,
    `ElementType = ${MET_OF[volumeDType(volume)]}`,
    `ElementDataFile = ${dataFile}`,
  );
  return lines.join("\n") + "\n";
}
