/**
 * TIFF reading: multi-page files (pages = z) and folders of 2D TIFFs. The IFD
 * chain and tags are parsed here (bounds and cycles checked, so a corrupt file
 * gives CORRUPT_FILE and never hangs); uncompressed strips are read directly,
 * compressed or tiled pages are decoded by geotiff (deflate, LZW, PackBits, ...).
 * Spacing comes from the ImageJ description (unit=, spacing=) and the resolution
 * tags, see resolveTiffSpacing().
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import type { Triple, VoxelArray } from "../volume";
import { type ElemKind, conversionNote, decodeInto, itemSize, kindName, outDType } from "./elements";
import { InputFile, corrupt, fsError } from "./fsutil";
import type { LoadOptions, OpenedVolume } from "./header";
import { OWN_CODECS, decodeStrip } from "./tiff-codecs";
import { micronsPerUnit } from "./units";

const TAG = {
  NewSubfileType: 254, ImageWidth: 256, ImageLength: 257, BitsPerSample: 258, Compression: 259, Photometric: 262,
  ImageDescription: 270, StripOffsets: 273, SamplesPerPixel: 277, RowsPerStrip: 278, StripByteCounts: 279,
  XResolution: 282, YResolution: 283, PlanarConfiguration: 284, ResolutionUnit: 296, Predictor: 317,
  TileWidth: 322, TileLength: 323, TileOffsets: 324, TileByteCounts: 325, SampleFormat: 339,
} as const;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

interface Entry {
  type: number;
  count: number;
  /** Absolute position of the value bytes. */
  at: number;
  /** The value bytes when they sit inside the entry. */
  inline?: Uint8Array;
}

/** A TIFF file's parsed structure. */
class TiffParser {
  private constructor(readonly f: InputFile, readonly le: boolean, readonly big: boolean, readonly first: number) {}

  static async open(f: InputFile): Promise<TiffParser> {
    if (f.size < 8) throw corrupt(f.path, "too short to be a TIFF file");
    const h = await f.read(0, Math.min(16, f.size));
    const le = h[0] === 0x49 && h[1] === 0x49;
    if (!le && !(h[0] === 0x4d && h[1] === 0x4d)) throw corrupt(f.path, "not a TIFF file (no II/MM byte-order mark)");
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const magic = dv.getUint16(2, le);
    if (magic === 42) return new TiffParser(f, le, false, dv.getUint32(4, le));
    if (magic === 43) {
      if (f.size < 16) throw corrupt(f.path, "BigTIFF header truncated");
      return new TiffParser(f, le, true, Number(dv.getBigUint64(8, le)));
    }
    throw corrupt(f.path, `not a TIFF file (magic number ${magic})`);
  }

  /** Walks the IFD chain: the offsets of all IFDs, with cycle and bounds checks. */
  async ifdOffsets(): Promise<number[]> {
    const out: number[] = [];
    const seen = new Set<number>();
    let off = this.first;
    while (off !== 0) {
      if (seen.has(off)) throw corrupt(this.f.path, `IFD chain loops back to byte ${off}`);
      if (off + (this.big ? 8 : 2) > this.f.size) throw corrupt(this.f.path, `IFD at byte ${off} lies beyond the end of the file (${this.f.size} bytes); the file is truncated`);
      seen.add(off);
      out.push(off);
      const cnt = await this.f.read(off, this.big ? 8 : 2);
      const dv = new DataView(cnt.buffer);
      const n = this.big ? Number(dv.getBigUint64(0, this.le)) : dv.getUint16(0, this.le);
      const entrySize = this.big ? 20 : 12;
      const nextAt = off + (this.big ? 8 : 2) + n * entrySize;
      const next = await this.f.read(nextAt, this.big ? 8 : 4);
      const dn = new DataView(next.buffer);
      off = this.big ? Number(dn.getBigUint64(0, this.le)) : dn.getUint32(0, this.le);
      if (out.length > 10_000_000) throw corrupt(this.f.path, "implausibly many IFDs");
    }
    if (out.length === 0) throw corrupt(this.f.path, "TIFF has no image");
    return out;
  }

  async entries(off: number): Promise<Map<number, Entry>> {
    const cnt = await this.f.read(off, this.big ? 8 : 2);
    const n = this.big ? Number(new DataView(cnt.buffer).getBigUint64(0, this.le)) : new DataView(cnt.buffer).getUint16(0, this.le);
    const entrySize = this.big ? 20 : 12;
    const base = off + (this.big ? 8 : 2);
    const raw = await this.f.read(base, n * entrySize);
    const dv = new DataView(raw.buffer);
    const map = new Map<number, Entry>();
    for (let i = 0; i < n; i++) {
      const p = i * entrySize;
      const tag = dv.getUint16(p, this.le);
      const type = dv.getUint16(p + 2, this.le);
      const count = this.big ? Number(dv.getBigUint64(p + 4, this.le)) : dv.getUint32(p + 4, this.le);
      const size = TYPE_SIZE[type];
      if (size === undefined) continue; // unknown type: skip the tag, as readers should
      const bytes = size * count;
      const inlineMax = this.big ? 8 : 4;
      const valuePos = p + (this.big ? 12 : 8);
      if (bytes <= inlineMax) {
        map.set(tag, { type, count, at: base + valuePos, inline: raw.slice(valuePos, valuePos + bytes) });
      } else {
        const at = this.big ? Number(dv.getBigUint64(valuePos, this.le)) : dv.getUint32(valuePos, this.le);
        map.set(tag, { type, count, at });
      }
    }
    return map;
  }

  private async bytesOf(e: Entry): Promise<Uint8Array> {
    if (e.inline) return e.inline;
    const n = TYPE_SIZE[e.type] * e.count;
    if (e.at + n > this.f.size) throw corrupt(this.f.path, `tag value at byte ${e.at} (${n} bytes) lies beyond the end of the file; the file is truncated`);
    return this.f.read(e.at, n);
  }

  async numbers(map: Map<number, Entry>, tag: number): Promise<number[] | undefined> {
    const e = map.get(tag);
    if (!e) return undefined;
    const b = await this.bytesOf(e);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const out: number[] = new Array(e.count);
    const le = this.le;
    for (let i = 0; i < e.count; i++) {
      switch (e.type) {
        case 1: case 7: out[i] = b[i]; break;
        case 6: out[i] = dv.getInt8(i); break;
        case 3: out[i] = dv.getUint16(2 * i, le); break;
        case 8: out[i] = dv.getInt16(2 * i, le); break;
        case 4: case 13: out[i] = dv.getUint32(4 * i, le); break;
        case 9: out[i] = dv.getInt32(4 * i, le); break;
        case 5: { const d = dv.getUint32(8 * i + 4, le); out[i] = d === 0 ? NaN : dv.getUint32(8 * i, le) / d; break; }
        case 10: { const d = dv.getInt32(8 * i + 4, le); out[i] = d === 0 ? NaN : dv.getInt32(8 * i, le) / d; break; }
        case 11: out[i] = dv.getFloat32(4 * i, le); break;
        case 12: out[i] = dv.getFloat64(8 * i, le); break;
        case 16: case 18: out[i] = Number(dv.getBigUint64(8 * i, le)); break;
        case 17: out[i] = Number(dv.getBigInt64(8 * i, le)); break;
        default: out[i] = NaN;
      }
    }
    return out;
  }

  /** A RATIONAL tag as [numerator, denominator] (undefined if absent or not rational). */
  async rational(map: Map<number, Entry>, tag: number): Promise<[number, number] | undefined> {
    const e = map.get(tag);
    if (!e || e.type !== 5) return undefined;
    const b = await this.bytesOf(e);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return [dv.getUint32(0, this.le), dv.getUint32(4, this.le)];
  }

  async text(map: Map<number, Entry>, tag: number): Promise<string | undefined> {
    const e = map.get(tag);
    if (!e) return undefined;
    const b = await this.bytesOf(e);
    let end = b.indexOf(0);
    if (end < 0) end = b.length;
    return new TextDecoder("utf-8").decode(b.subarray(0, end));
  }
}

/** One image (page) of a TIFF file. */
interface Page {
  ifd: number;
  index: number;
  compression: number;
  tiled: boolean;
  /** 2: horizontal differencing. */
  predictor: number;
  /** Strip offsets and byte counts, for pages decoded here (untiled, compression in OWN_CODECS). */
  strips?: { offsets: number[]; counts: number[]; rowsPerStrip: number };
}

/** What one TIFF file holds. */
interface TiffFileInfo {
  file: string;
  width: number;
  height: number;
  kind: ElemKind;
  littleEndian: boolean;
  pages: Page[];
  /** ImageJ files over 4 GiB store only the first IFD; the other slices follow contiguously. */
  contiguousExtra: number;
  description?: string;
  xres?: number;
  yres?: number;
  /** The same as [num, den], to compute den/num exactly. */
  xrat?: [number, number];
  yrat?: [number, number];
  resUnit?: number;
  photometric?: number;
}

function sampleKind(file: string, bits: number, format: number): ElemKind {
  const k: Record<string, ElemKind> = {
    "1:8": "u1", "1:16": "u2", "1:32": "u4", "1:64": "u8", "2:8": "i1", "2:16": "i2", "2:32": "i4", "2:64": "i8",
    "3:16": "f2", "3:32": "f4", "3:64": "f8",
  };
  const kind = k[`${format}:${bits}`];
  if (!kind) {
    const what = format === 3 ? "float" : format === 2 ? "signed" : format === 1 ? "unsigned" : `sample format ${format}`;
    throw new TomolyteError(
      ERROR_CODES.UNSUPPORTED_DTYPE,
      `${file}: ${bits}-bit ${what} samples are not supported (8/16/32-bit integers, 16/32/64-bit floats are)`,
      { path: file, bitsPerSample: bits, sampleFormat: format },
    );
  }
  return kind;
}

/** ImageJ description lines key=value. */
export function parseImageJ(desc: string | undefined): Map<string, string> | undefined {
  if (!desc || !desc.startsWith("ImageJ=")) return undefined;
  const m = new Map<string, string>();
  for (const line of desc.split(/\r?\n/)) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

function parseJsonDescription(desc: string | undefined): Record<string, unknown> | undefined {
  if (!desc || !desc.trimStart().startsWith("{")) return undefined;
  try {
    const v = JSON.parse(desc) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function parseTiffFile(file: string): Promise<TiffFileInfo> {
  const f = await InputFile.open(file);
  try {
    const t = await TiffParser.open(f);
    const offsets = await t.ifdOffsets();
    const pages: Page[] = [];
    let info: Omit<TiffFileInfo, "pages" | "contiguousExtra"> | undefined;
    for (let i = 0; i < offsets.length; i++) {
      const e = await t.entries(offsets[i]);
      const one = async (tag: number) => (await t.numbers(e, tag))?.[0];
      const subfile = (await one(TAG.NewSubfileType)) ?? 0;
      // Reduced-resolution copies (thumbnails, pyramids) and masks are not slices.
      if (i > 0 && (subfile & 5) !== 0) continue;
      const width = await one(TAG.ImageWidth);
      const height = await one(TAG.ImageLength);
      if (!width || !height) throw corrupt(file, `page ${i} has no ImageWidth/ImageLength`);
      const spp = (await one(TAG.SamplesPerPixel)) ?? 1;
      if (spp !== 1) {
        throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file}: page ${i} has ${spp} samples per pixel (RGB or multi-channel); tomolyte reads one grey value per voxel: convert to greyscale first`, { path: file });
      }
      const bits = (await one(TAG.BitsPerSample)) ?? 1;
      const format = (await one(TAG.SampleFormat)) ?? 1;
      const kind = sampleKind(file, bits, format);
      const compression = (await one(TAG.Compression)) ?? 1;
      const tiled = e.has(TAG.TileWidth);
      const predictor = (await one(TAG.Predictor)) ?? 1;
      const page: Page = { ifd: offsets[i], index: i, compression, tiled, predictor };
      // Every strip/tile must lie inside the file, or the file is truncated.
      const offs = await t.numbers(e, tiled ? TAG.TileOffsets : TAG.StripOffsets);
      const counts = await t.numbers(e, tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
      if (!offs || !counts || offs.length !== counts.length) throw corrupt(file, `page ${i} has missing or inconsistent ${tiled ? "tile" : "strip"} offsets/byte counts`);
      for (let s = 0; s < offs.length; s++) {
        if (!(offs[s] + counts[s] <= f.size)) {
          throw corrupt(file, `page ${i}: data at bytes ${offs[s]}..${offs[s] + counts[s]} lies beyond the end of the file (${f.size} bytes); the file is truncated`, { fileSize: f.size });
        }
      }
      const integerDirect = ["u1", "i1", "u2", "i2", "u4", "i4"].includes(kind);
      if (!tiled && OWN_CODECS.has(compression) && (predictor === 1 || (predictor === 2 && integerDirect))) {
        const rowsPerStrip = Math.min((await one(TAG.RowsPerStrip)) ?? height, height) || height;
        if (compression === 1) {
          const need = width * height * itemSize(kind);
          const have = counts.reduce((a, b) => a + b, 0);
          if (have < need) throw corrupt(file, `page ${i}: strips hold ${have} bytes, a ${width}×${height} ${kindName(kind)} image needs ${need}`);
        } else if (offs.length < Math.ceil(height / rowsPerStrip)) {
          throw corrupt(file, `page ${i}: ${offs.length} strips cannot hold ${height} rows of ${rowsPerStrip}`);
        }
        page.strips = { offsets: offs, counts, rowsPerStrip };
      }
      if (!info) {
        info = {
          file,
          width,
          height,
          kind,
          littleEndian: t.le,
          description: await t.text(e, TAG.ImageDescription),
          xres: await one(TAG.XResolution),
          yres: await one(TAG.YResolution),
          xrat: await t.rational(e, TAG.XResolution),
          yrat: await t.rational(e, TAG.YResolution),
          resUnit: await one(TAG.ResolutionUnit),
          photometric: await one(TAG.Photometric),
        };
      } else if (width !== info.width || height !== info.height || kind !== info.kind) {
        throw new TomolyteError(
          ERROR_CODES.UNSUPPORTED_FORMAT,
          `${file}: page ${i} is ${width}×${height} ${kindName(kind)} but page 0 is ${info.width}×${info.height} ${kindName(info.kind)}; all slices must match`,
          { path: file },
        );
      }
      pages.push(page);
    }
    if (!info) throw corrupt(file, "TIFF has no image");
    let contiguousExtra = 0;
    const ij = parseImageJ(info.description);
    const images = Number(ij?.get("images") ?? 1);
    if (ij && pages.length === 1 && Number.isInteger(images) && images > 1) {
      const p = pages[0];
      if (p.strips && p.strips.offsets.length >= 1) {
        // ImageJ writes one IFD for files over 4 GiB; the slices follow the first one.
        const pageBytes = info.width * info.height * itemSize(info.kind);
        const start = p.strips.offsets[0];
        const contiguous = p.strips.offsets.every((o, s) => s === 0 || o === p.strips!.offsets[s - 1] + p.strips!.counts[s - 1]);
        if (contiguous && start + images * pageBytes <= f.size) contiguousExtra = images - 1;
        else if (contiguous) throw corrupt(file, `ImageJ description says ${images} slices but the file holds only ${Math.floor((f.size - start) / pageBytes)}; it is truncated`);
      }
    }
    return { ...info, pages, contiguousExtra };
  } finally {
    await f.close();
  }
}

/** The spacing a TIFF's metadata gives, with notes on what was assumed or ignored. */
function resolveTiffSpacing(info: TiffFileInfo, nz: number): { spacing?: Triple; notes: string[] } {
  const notes: string[] = [];
  const file = info.file;
  const ij = parseImageJ(info.description);
  const json = parseJsonDescription(info.description);
  let unitName: string | undefined;
  let unitSource = "";
  if (ij?.get("unit") !== undefined) {
    unitName = ij.get("unit");
    unitSource = "ImageJ unit";
  } else if (json && typeof json.unit === "string") {
    unitName = json.unit;
    unitSource = "description unit";
  } else if (info.resUnit === 3) {
    unitName = "cm";
    unitSource = "ResolutionUnit";
  } else if (info.resUnit === 2 || (info.resUnit === undefined && info.xres !== undefined)) {
    unitName = "inch"; // TIFF's default unit
    unitSource = "ResolutionUnit";
  }
  const um = micronsPerUnit(unitName);
  let dx: number | undefined;
  let dy: number | undefined;
  if (um !== undefined && info.xres !== undefined && info.xres > 0 && Number.isFinite(info.xres)) {
    const xres = info.xres;
    const yres = info.yres !== undefined && info.yres > 0 && Number.isFinite(info.yres) ? info.yres : xres;
    // Pixels per inch that are whole numbers up to 1200 are print/screen resolutions
    // (72, 96, 100, 300 dpi) that image writers put by default, not a CT voxel size.
    if (um === 25400 && Number.isInteger(Math.round(xres * 1e6) / 1e6) && xres <= 1200) {
      notes.push(
        `${file}: the resolution tags say ${xres} pixels per inch (${((1 / xres) * um).toPrecision(4)} µm per voxel, from the ${unitSource}); ` +
          `that is a print/screen default, not a voxel size, so it is ignored`,
      );
      return { spacing: undefined, notes };
    }
    // den/num directly: one rounding instead of two.
    const per = (rat: [number, number] | undefined, res: number) => (rat && rat[0] > 0 ? (um * rat[1]) / rat[0] : um / res);
    dx = per(info.xrat, xres);
    dy = per(info.yres === undefined ? info.xrat : info.yrat, yres);
  } else if (unitName !== undefined && um === undefined && unitName.trim() !== "" && !/^(pixels?|none)$/i.test(unitName.trim())) {
    notes.push(`${file}: unknown length unit "${unitName}"; the file's resolution is ignored`);
  }
  let dz: number | undefined;
  const zText = ij?.get("spacing") ?? (json && typeof json.spacing === "number" ? String(json.spacing) : undefined);
  if (zText !== undefined && um !== undefined) {
    const z = Number(zText);
    if (z > 0 && Number.isFinite(z)) dz = z * um;
    else notes.push(`${file}: z spacing "${zText}" is not a positive number; ignored`);
  }
  if (dx === undefined || dy === undefined) {
    if (dz !== undefined) {
      notes.push(`${file}: z spacing ${dz} µm given but no x/y resolution; assuming cubic voxels`);
      return { spacing: [dz, dz, dz], notes };
    }
    return { spacing: undefined, notes };
  }
  if (dz === undefined) {
    if (nz > 1) notes.push(`${file}: no z spacing in the file; assuming dz = dx = ${dx} µm (cubic voxels)`);
    dz = dx;
  }
  return { spacing: [dz, dy, dx], notes };
}

/** Reads all slices of one TIFF file into out[zOffset...]. */
async function loadTiffFile(
  info: TiffFileInfo,
  out: VoxelArray,
  zOffset: number,
  opts: LoadOptions,
  progress: (slicesDone: number) => void,
): Promise<void> {
  const { width, height, kind, littleEndian } = info;
  const pageVoxels = width * height;
  const pageBytes = pageVoxels * itemSize(kind);
  const f = await InputFile.open(info.file);
  // geotiff is loaded only when a page needs decoding; close its file afterwards.
  let gt: { getImage(i: number): Promise<{ readRasters(o: object): Promise<unknown> }>; close?: () => unknown } | undefined;
  try {
    let z = zOffset;
    const scratch = new Uint8Array(pageBytes);
    for (const page of info.pages) {
      throwIfAborted(opts.signal);
      if (page.strips && page.compression === 1) {
        let filled = 0;
        for (let s = 0; s < page.strips.offsets.length && filled < pageBytes; s++) {
          const n = Math.min(page.strips.counts[s], pageBytes - filled);
          await f.read(page.strips.offsets[s], n, scratch.subarray(filled, filled + n));
          filled += n;
        }
        decodeInto(scratch, kind, littleEndian, out, z * pageVoxels, info.file);
        if (page.predictor === 2) undoPredictor(out, z * pageVoxels, width, height);
      } else if (page.strips) {
        const rowBytes = width * itemSize(kind);
        const { offsets, counts, rowsPerStrip } = page.strips;
        for (let s = 0; s * rowsPerStrip < height; s++) {
          const rows = Math.min(rowsPerStrip, height - s * rowsPerStrip);
          const dst = scratch.subarray(s * rowsPerStrip * rowBytes, (s * rowsPerStrip + rows) * rowBytes);
          const src = await f.read(offsets[s], counts[s]);
          let n: number;
          try {
            n = decodeStrip(page.compression, src, dst);
          } catch (e) {
            throw corrupt(info.file, `page ${page.index}, strip ${s} cannot be decompressed (${(e as Error).message})`);
          }
          if (n < dst.length) throw corrupt(info.file, `page ${page.index}, strip ${s} decompressed to ${n} bytes, expected ${dst.length}`);
        }
        decodeInto(scratch, kind, littleEndian, out, z * pageVoxels, info.file);
        if (page.predictor === 2) undoPredictor(out, z * pageVoxels, width, height);
      } else {
        if (kind === "u8" || kind === "i8") {
          throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `${info.file}: compressed or tiled 64-bit integer TIFFs are not supported`, { path: info.file });
        }
        if (!gt) {
          const geotiff = await import("geotiff");
          try {
            gt = (await geotiff.fromFile(info.file)) as unknown as typeof gt;
          } catch (e) {
            throw corrupt(info.file, `cannot decode: ${(e as Error).message}`);
          }
        }
        let r: ArrayLike<number>;
        try {
          const img = await gt!.getImage(page.index);
          r = (await img.readRasters({ interleave: true, signal: opts.signal })) as ArrayLike<number>;
        } catch (e) {
          if ((e as Error)?.name === "AbortError") throwIfAborted(opts.signal);
          const msg = (e as Error)?.message ?? String(e);
          if (/compression|unknown.*decoder|not supported/i.test(msg)) {
            throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${info.file}: page ${page.index} uses TIFF compression ${page.compression}, which cannot be decoded (${msg})`, { path: info.file });
          }
          throw corrupt(info.file, `page ${page.index} cannot be decoded (${msg})`);
        }
        if (r.length !== pageVoxels) throw corrupt(info.file, `page ${page.index} decoded to ${r.length} values, expected ${pageVoxels}`);
        out.set(r, z * pageVoxels);
      }
      z++;
      progress(1);
    }
    // ImageJ over-4-GiB layout: further slices follow the first one contiguously.
    if (info.contiguousExtra > 0) {
      const start = info.pages[0].strips!.offsets[0];
      for (let k = 1; k <= info.contiguousExtra; k++) {
        throwIfAborted(opts.signal);
        await f.read(start + k * pageBytes, pageBytes, scratch);
        decodeInto(scratch, kind, littleEndian, out, z * pageVoxels, info.file);
        z++;
        progress(1);
      }
    }
  } finally {
    await f.close();
    try {
      await gt?.close?.();
    } catch {
      /* closing a read-only file cannot lose data */
    }
  }
}

/** Undoes horizontal differencing (TIFF predictor 2) on one page; typed arrays wrap like the encoder did. */
function undoPredictor(out: VoxelArray, start: number, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    const row = start + y * width;
    for (let x = 1; x < width; x++) out[row + x] += out[row + x - 1];
  }
}

const sliceCount = (i: TiffFileInfo) => i.pages.length + i.contiguousExtra;

function checkHyperstack(info: TiffFileInfo): void {
  const ij = parseImageJ(info.description);
  if (!ij) return;
  const dims = ["channels", "slices", "frames"].filter((k) => Number(ij.get(k) ?? 1) > 1);
  if (dims.length > 1 || dims[0] === "channels") {
    throw new TomolyteError(
      ERROR_CODES.UNSUPPORTED_FORMAT,
      `${info.file}: ImageJ hyperstack (${dims.map((k) => `${k}=${ij.get(k)}`).join(", ")}); tomolyte reads one z-stack: split it in ImageJ first`,
      { path: info.file },
    );
  }
}

function baseOpened(infos: TiffFileInfo[], format: "tiff" | "tiff-folder", nz: number, files: string[]): OpenedVolume {
  const first = infos[0];
  const { spacing, notes } = resolveTiffSpacing(first, nz);
  const warnings: string[] = [];
  const note = conversionNote(first.kind);
  if (note) warnings.push(`${first.file}: ${note}`);
  if (first.photometric === 0) warnings.push(`${first.file}: stored as WhiteIsZero (inverted grey); values are read as stored`);
  const shape: Triple = [nz, first.height, first.width];
  let done = 0;
  return {
    format,
    shape,
    dtype: outDType(first.kind),
    fileDType: kindName(first.kind) + (first.littleEndian || itemSize(first.kind) === 1 ? "" : " (big-endian)"),
    spacing,
    spacingNotes: notes,
    warnings,
    files,
    scratchBytes: first.width * first.height * 8,
    async load(out, opts) {
      let z = 0;
      for (const info of infos) {
        await loadTiffFile(info, out, z, opts, (k) => {
          done += k;
          opts.onProgress?.(done / nz);
        });
        z += sliceCount(info);
      }
    },
    close: async () => undefined,
  };
}

export async function openTiff(file: string): Promise<OpenedVolume> {
  const info = await parseTiffFile(file);
  checkHyperstack(info);
  const ij = parseImageJ(info.description);
  const nz = sliceCount(info);
  const o = baseOpened([info], "tiff", nz, [file]);
  const images = Number(ij?.get("images") ?? nz);
  if (ij && images !== nz) o.warnings.push(`${file}: ImageJ description says ${images} images but the file has ${nz} pages; reading the pages`);
  return o;
}

/** Natural order: "s2.tif" before "s10.tif". */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      if (x.length !== y.length) return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/** The TIFF files of a folder, in natural order (hidden files skipped). */
export async function tiffFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (e) {
    throw fsError(e, dir, "list");
  }
  return names.filter((n) => /\.tiff?$/i.test(n) && !n.startsWith(".")).sort(naturalCompare).map((n) => path.join(dir, n));
}

export async function openTiffFolder(dir: string): Promise<OpenedVolume> {
  const files = await tiffFilesIn(dir);
  if (files.length === 0) throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${dir} is a folder without .tif/.tiff files`, { path: dir });
  const infos: TiffFileInfo[] = [];
  let nz = 0;
  for (const file of files) {
    const info = await parseTiffFile(file);
    const first = infos[0];
    if (first && (info.width !== first.width || info.height !== first.height || info.kind !== first.kind)) {
      throw new TomolyteError(
        ERROR_CODES.SHAPE_MISMATCH,
        `${file} is ${info.width}×${info.height} ${kindName(info.kind)} but ${first.file} is ${first.width}×${first.height} ${kindName(first.kind)}; all slices of a folder must match`,
        { path: file },
      );
    }
    infos.push(info);
    nz += sliceCount(info);
  }
  return baseOpened(infos, "tiff-folder", nz, files);
}
