/**
 * MetaImage in the browser: .mha (header and data in one file, ElementDataFile = LOCAL) and
 * .mhd (header only; the data file it names, .raw or zlib-compressed .zraw, is fetched
 * beside it). DimSize and ElementSpacing list x first; ElementSpacing is read as micrometres,
 * as kernel-lib's io reads and writes it. One data file only (no LIST or %d patterns).
 */
import { unzlibSync } from "fflate";
import { ElemKind, VolumeFile, VolumeFileError, checkShape, decodeElements, finishVolume, itemSize, latin1 } from "./reader-elements";

const MET_TYPES: Record<string, ElemKind> = {
  MET_UCHAR: "u1", MET_CHAR: "i1", MET_USHORT: "u2", MET_SHORT: "i2", MET_UINT: "u4", MET_INT: "i4",
  MET_ULONG: "u4", MET_LONG: "i4", MET_ULONG_LONG: "u8", MET_LONG_LONG: "i8", MET_FLOAT: "f4", MET_DOUBLE: "f8",
};

/** A parsed MetaImage header: what the data needs, before the data is read. */
export interface MetaHeader {
  shape: [number, number, number];
  spacing?: [number, number, number];
  kind: ElemKind;
  littleEndian: boolean;
  compressed: boolean;
  compressedSize?: number;
  /** Bytes to skip before the data; -1: the data is at the end of the data file. */
  headerSize: number;
  /** "LOCAL" (data after the header, in the same file) or the data file's name, relative to the header. */
  dataFile: string;
  /** Byte offset just after the ElementDataFile line (where LOCAL data starts). */
  end: number;
  notes: string[];
}

/** True when the bytes start like a MetaImage header (Key = value lines). @example isMetaImage(bytes) */
export function isMetaImage(bytes: Uint8Array): boolean {
  return /^\s*(ObjectType|NDims|ObjectSubType|Comment|DimSize)\s*[=:]/i.test(latin1(bytes.subarray(0, 64)));
}

const isTrue = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());

/**
 * Parses a MetaImage header (the whole .mhd file, or the start of an .mha).
 * @example parseMetaHeader(bytes).dataFile // "scan.raw"
 */
export function parseMetaHeader(bytes: Uint8Array): MetaHeader {
  const fields = new Map<string, string>();
  let pos = 0;
  let end = -1;
  // Headers are small; the limit keeps a binary file from being scanned as text.
  const limit = Math.min(bytes.length, 1 << 20);
  while (pos < limit) {
    const eol = bytes.indexOf(0x0a, pos);
    const lineEnd = eol < 0 ? bytes.length : eol;
    const line = latin1(bytes.subarray(pos, lineEnd)).replace(/\r$/, "");
    pos = eol < 0 ? bytes.length : eol + 1;
    if (line.trim() === "") continue;
    const m = /^\s*([A-Za-z0-9_]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!m) throw new VolumeFileError(`cannot parse the MetaImage header line ${JSON.stringify(line.slice(0, 80))}`);
    fields.set(m[1].toLowerCase(), m[2]);
    if (m[1].toLowerCase() === "elementdatafile") {
      end = pos;
      break;
    }
  }
  if (end < 0) throw new VolumeFileError("the MetaImage header has no ElementDataFile line (it must be the last line)");
  const nums = (key: string, count: number): number[] | undefined => {
    const v = fields.get(key.toLowerCase());
    if (v === undefined) return undefined;
    const a = v.split(/\s+/).filter(Boolean).map(Number);
    if (a.length < count || a.slice(0, count).some((x) => !Number.isFinite(x))) throw new VolumeFileError(`bad ${key} "${v}"`);
    return a.slice(0, count);
  };
  const ndims = Number(fields.get("ndims") ?? NaN);
  if (!Number.isInteger(ndims) || ndims < 1) throw new VolumeFileError(`bad or missing NDims "${fields.get("ndims") ?? ""}"`);
  const dim = nums("DimSize", ndims);
  if (!dim) throw new VolumeFileError("the MetaImage header has no DimSize");
  if (dim.some((d) => !Number.isInteger(d) || d < 1)) throw new VolumeFileError(`bad DimSize ${dim.join(" ")}`);
  if (ndims > 3 && dim.slice(3).some((d) => d !== 1)) throw new VolumeFileError(`a ${ndims}-dimensional MetaImage (DimSize ${dim.join(" ")}) is not a volume`);
  const [nx, ny = 1, nz = 1] = dim;
  const channels = Number(fields.get("elementnumberofchannels") ?? 1);
  if (channels !== 1) throw new VolumeFileError(`${channels} channels per voxel are not supported (one grey value per voxel only)`);
  const typeName = (fields.get("elementtype") ?? "").toUpperCase();
  const kind = MET_TYPES[typeName];
  if (!kind) throw new VolumeFileError(`ElementType "${fields.get("elementtype") ?? ""}" is not supported (use ${Object.keys(MET_TYPES).join(", ")})`);
  const headerSize = Number(fields.get("headersize") ?? 0);
  if (!Number.isInteger(headerSize) || headerSize < -1) throw new VolumeFileError(`bad HeaderSize "${fields.get("headersize")}"`);
  const compressed = isTrue(fields.get("compresseddata"));
  const cs = fields.get("compresseddatasize");
  const compressedSize = cs === undefined ? undefined : Number(cs);
  if (compressedSize !== undefined && !(Number.isInteger(compressedSize) && compressedSize >= 0)) throw new VolumeFileError(`bad CompressedDataSize "${cs}"`);
  const notes: string[] = [];
  let spacing: [number, number, number] | undefined;
  const sp = nums("ElementSpacing", Math.min(ndims, 3)) ?? nums("ElementSize", Math.min(ndims, 3));
  if (sp) {
    if (sp.some((s) => !(s > 0))) notes.push(`ElementSpacing ${sp.join(" ")} is not positive; ignored`);
    else {
      const [sx, sy = sx, sz] = sp;
      if (sz === undefined && nz === 1) notes.push("a 2-D image: dz = dx assumed");
      spacing = [sz ?? sx, sy, sx];
    }
  }
  const dataFile = fields.get("elementdatafile") ?? "";
  if (/^LIST\b/i.test(dataFile) || /%\S*d/.test(dataFile)) {
    throw new VolumeFileError(`ElementDataFile "${dataFile}" lists several files, which the viewer does not read; convert with 'tomolyte convert'`);
  }
  if (dataFile === "") throw new VolumeFileError("ElementDataFile names no file");
  return {
    shape: checkShape([nz, ny, nx]),
    spacing,
    kind,
    littleEndian: !(isTrue(fields.get("binarydatabyteordermsb")) || isTrue(fields.get("elementbyteordermsb"))),
    compressed,
    compressedSize,
    headerSize,
    dataFile,
    end,
    notes,
  };
}

/**
 * Decodes the data of a parsed header from `bytes` (the .mha itself for LOCAL data, else the
 * data file's bytes).
 * @example readMetaData(parseMetaHeader(mha), mha, "scan.mha")
 */
export function readMetaData(h: MetaHeader, bytes: Uint8Array, title?: string): VolumeFile {
  const local = /^LOCAL$/i.test(h.dataFile);
  const count = h.shape[0] * h.shape[1] * h.shape[2];
  const dataBytes = count * itemSize(h.kind);
  const where = local ? "the .mha file" : `the data file ${h.dataFile}`;
  let offset: number;
  if (local) offset = h.end + Math.max(0, h.headerSize);
  else offset = h.headerSize === -1 && !h.compressed ? bytes.length - dataBytes : Math.max(0, h.headerSize);
  let src = bytes;
  if (h.compressed) {
    const n = h.compressedSize ?? bytes.length - offset;
    if (offset + n > bytes.length) throw new VolumeFileError(`${where} holds ${bytes.length - offset} compressed bytes, the header says ${n}; it is truncated`);
    const out = new Uint8Array(dataBytes);
    let got: Uint8Array;
    try {
      got = unzlibSync(bytes.subarray(offset, offset + n), { out });
    } catch (e) {
      throw new VolumeFileError(`${where}: the zlib stream is corrupt (${(e as Error).message})`);
    }
    // fflate returns a shorter view when the stream holds fewer bytes than expected.
    if (got.byteLength !== dataBytes || got.buffer !== out.buffer) {
      throw new VolumeFileError(`${where}: ${got.byteLength} bytes after decompression, expected ${dataBytes}`);
    }
    src = out;
    offset = 0;
  } else if (offset < 0 || offset + dataBytes > bytes.length) {
    throw new VolumeFileError(
      `${where} holds ${bytes.length} bytes but the header (DimSize ${[...h.shape].reverse().join(" ")}, ${itemSize(h.kind)}-byte elements) needs ${Math.max(0, offset) + dataBytes}; it is truncated or the header is wrong`,
    );
  }
  const data = decodeElements(src, offset, h.kind, h.littleEndian, count);
  const notes = h.notes.slice();
  if (h.kind === "i8" || h.kind === "u8") notes.push("64-bit integers shown as float64");
  return finishVolume(data, h.shape, h.spacing, local ? "mha" : "mhd", notes, title);
}

/**
 * Reads a MetaImage: an .mha directly, an .mhd through `fetchSibling`, which returns the
 * bytes of a file named relative to the header's folder.
 * @example await readMetaImage(bytes, "scan.mhd", (name) => fetchBytes(dir + "/" + name))
 */
export async function readMetaImage(bytes: Uint8Array, title: string | undefined, fetchSibling?: (name: string) => Promise<Uint8Array>): Promise<VolumeFile> {
  const h = parseMetaHeader(bytes);
  if (/^LOCAL$/i.test(h.dataFile)) return readMetaData(h, bytes, title);
  if (!fetchSibling) throw new VolumeFileError(`the header names the data file ${h.dataFile}, which cannot be read here`);
  if (/^[\\/]|^[a-z]+:/i.test(h.dataFile)) {
    // An absolute path or URL has no meaning on the Jupyter server: paths are relative to its root.
    throw new VolumeFileError(`ElementDataFile "${h.dataFile}" is an absolute path; the viewer reads data files relative to the header`);
  }
  let data: Uint8Array;
  try {
    data = await fetchSibling(h.dataFile);
  } catch (e) {
    throw new VolumeFileError(`cannot read the data file ${h.dataFile} named by the header: ${(e as Error)?.message ?? e}`);
  }
  return readMetaData(h, data, title);
}
