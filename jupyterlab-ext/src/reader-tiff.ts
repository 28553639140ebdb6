/**
 * Multi-page greyscale TIFF in the browser (pages = z): 8/16/32-bit integers, float16/32/64,
 * any compression geotiff decodes (none, LZW, deflate, PackBits, predictors, tiles). geotiff is
 * loaded on first use (a separate chunk). The IFD chain is walked here first, with loop and
 * bounds checks, so a damaged file fails with a message instead of hanging.
 * Spacing as kernel-lib's io reads it: ImageJ description (unit=, spacing=) with X/YResolution,
 * else ResolutionUnit (inch/cm) or a JSON description's unit/spacing; whole-number pixels per
 * inch up to 1200 are print defaults, ignored.
 */
import type { VoxelData } from "./decode";
import { VolumeFile, VolumeFileError, checkShape, finishVolume, micronsPerUnit } from "./reader-elements";

/** True when the bytes start like a TIFF (II*\0, MM\0*, or BigTIFF). @example isTiff(bytes) */
export function isTiff(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const ii = bytes[0] === 0x49 && bytes[1] === 0x49 && (bytes[2] === 42 || bytes[2] === 43) && bytes[3] === 0;
  const mm = bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && (bytes[3] === 42 || bytes[3] === 43);
  return ii || mm;
}

/** Most pages the viewer walks (far beyond any volume under the voxel limit of 16-bit slices). */
const MAX_PAGES = 1 << 20;

/**
 * Counts the IFDs (pages) of a TIFF, refusing loops and offsets outside the file.
 * @example countTiffPages(bytes) // 64
 */
export function countTiffPages(bytes: Uint8Array): number {
  if (!isTiff(bytes)) throw new VolumeFileError("not a TIFF file (no II*/MM* signature)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const big = dv.getUint16(2, le) === 43;
  const u64 = (o: number) => Number(dv.getBigUint64(o, le));
  const need = (o: number, n: number, what: string) => {
    if (o < 0 || o + n > bytes.byteLength) throw new VolumeFileError(`the TIFF is truncated or damaged: ${what} at byte ${o} lies outside the file (${bytes.byteLength} bytes)`);
  };
  need(0, big ? 16 : 8, "the header");
  let off = big ? u64(8) : dv.getUint32(4, le);
  const seen = new Set<number>();
  let pages = 0;
  while (off !== 0) {
    if (seen.has(off)) throw new VolumeFileError(`the TIFF's page chain loops back to byte ${off}; the file is damaged`);
    if (pages >= MAX_PAGES) throw new VolumeFileError(`the TIFF has more than ${MAX_PAGES} pages`);
    seen.add(off);
    need(off, big ? 8 : 2, "a page directory");
    const n = big ? u64(off) : dv.getUint16(off, le);
    const entries = off + (big ? 8 : 2);
    const size = big ? 20 : 12;
    need(entries, n * size + (big ? 8 : 4), "a page directory");
    off = big ? u64(entries + n * size) : dv.getUint32(entries + n * size, le);
    pages++;
  }
  if (pages === 0) throw new VolumeFileError("the TIFF has no pages");
  return pages;
}

type GeoTiffModule = typeof import("geotiff");
type GeoImage = Awaited<ReturnType<Awaited<ReturnType<GeoTiffModule["fromArrayBuffer"]>>["getImage"]>>;

/** The tags the spacing comes from; resolutions are [numerator, denominator] pixels per unit. */
export interface TiffMeta {
  description?: string;
  xres?: [number, number];
  yres?: [number, number];
  resUnit?: number;
}

/** A RATIONAL tag as geotiff gives it ([num, den] pair, or a number) -> [num, den]. */
function rational(v: unknown): [number, number] | undefined {
  if (typeof v === "number") return [v, 1];
  const a = v as ArrayLike<number> | undefined;
  if (a && a.length >= 2 && typeof a[0] === "number" && typeof a[1] === "number" && a[0] > 0 && a[1] > 0) return [a[0], a[1]];
  return undefined;
}

/** ImageJ description key=value lines, undefined when the description is not ImageJ's. */
function parseImageJ(desc: string | undefined): Map<string, string> | undefined {
  if (!desc || !desc.startsWith("ImageJ=")) return undefined;
  const m = new Map<string, string>();
  for (const line of desc.split(/\r?\n/)) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

function parseJson(desc: string | undefined): Record<string, unknown> | undefined {
  if (!desc || !desc.trimStart().startsWith("{")) return undefined;
  try {
    const v = JSON.parse(desc) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The spacing [dz, dy, dx] in µm that a TIFF's metadata gives (undefined: none), with notes.
 * @example tiffSpacing({ description: "ImageJ=1.11a\nunit=micron\nspacing=2", xres: [2, 1], yres: [2, 1] }, 10) // [2, 0.5, 0.5]
 */
export function tiffSpacing(meta: TiffMeta, nz: number, notes: string[] = []): [number, number, number] | undefined {
  const ij = parseImageJ(meta.description);
  const json = parseJson(meta.description);
  let unit: string | undefined;
  if (ij?.get("unit") !== undefined) unit = ij.get("unit");
  else if (json && typeof json.unit === "string") unit = json.unit;
  else if (meta.resUnit === 3) unit = "cm";
  else if (meta.resUnit === 2 || (meta.resUnit === undefined && meta.xres !== undefined)) unit = "inch"; // TIFF's default unit
  const um = micronsPerUnit(unit);
  let dx: number | undefined;
  let dy: number | undefined;
  if (um !== undefined && meta.xres !== undefined) {
    const xrat = meta.xres;
    const yrat = meta.yres ?? xrat;
    const xres = xrat[0] / xrat[1];
    // Whole pixels per inch up to 1200 (72, 96, 300 dpi) are what image writers put by default, not a voxel size.
    if (um === 25400 && Math.abs(xres - Math.round(xres)) < 1e-6 && xres <= 1200) {
      notes.push(`the resolution tags say ${xres} pixels per inch, a print default, not a voxel size: ignored`);
      return undefined;
    }
    // um * den / num: one rounding, so spacings written by kernel-lib come back exactly.
    dx = (um * xrat[1]) / xrat[0];
    dy = (um * yrat[1]) / yrat[0];
  } else if (unit !== undefined && um === undefined && unit.trim() !== "" && !/^(pixels?|none)$/i.test(unit.trim())) {
    notes.push(`unknown length unit "${unit}": the resolution is ignored`);
  }
  let dz: number | undefined;
  const zText = ij?.get("spacing") ?? (json && typeof json.spacing === "number" ? String(json.spacing) : undefined);
  if (zText !== undefined && um !== undefined) {
    const z = Number(zText);
    if (z > 0 && Number.isFinite(z)) dz = z * um;
  }
  if (dx === undefined || dy === undefined) {
    if (dz !== undefined) {
      notes.push("z spacing given but no x/y resolution: cubic voxels assumed");
      return [dz, dz, dz];
    }
    return undefined;
  }
  if (dz === undefined) {
    if (nz > 1) notes.push("no z spacing in the file: dz = dx assumed");
    dz = dx;
  }
  return [dz, dy, dx];
}

function dtypeName(format: number, bits: number): "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64" | undefined {
  if (format === 1 && bits === 8) return "uint8";
  if (format === 2 && bits === 8) return "int8";
  if (format === 1 && bits === 16) return "uint16";
  if (format === 2 && bits === 16) return "int16";
  if (format === 1 && bits === 32) return "uint32";
  if (format === 2 && bits === 32) return "int32";
  if (format === 3 && (bits === 16 || bits === 32)) return "float32";
  if (format === 3 && bits === 64) return "float64";
  return undefined;
}

function allocate(dtype: NonNullable<ReturnType<typeof dtypeName>>, n: number): VoxelData {
  const C = {
    uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
    uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
  }[dtype];
  return new C(n);
}

async function tag(img: GeoImage, name: string): Promise<unknown> {
  const fd = img.getFileDirectory();
  try {
    return fd.hasTag(name as never) ? await fd.loadValue(name as never) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a TIFF file's bytes (all full-resolution pages, same size and type) into the viewer's volume.
 * @example const vol = await readTiff(new Uint8Array(await file.arrayBuffer()), "scan.tif");
 */
export async function readTiff(bytes: Uint8Array, title?: string): Promise<VolumeFile> {
  const count = countTiffPages(bytes);
  const geotiff: GeoTiffModule = await import("geotiff");
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  const fail = (e: unknown, what: string): never => {
    if (e instanceof VolumeFileError) throw e;
    throw new VolumeFileError(`${what}: ${(e as Error)?.message ?? e}`);
  };
  let tiff: Awaited<ReturnType<GeoTiffModule["fromArrayBuffer"]>>;
  try {
    tiff = await geotiff.fromArrayBuffer(buffer);
  } catch (e) {
    return fail(e, "the TIFF cannot be parsed");
  }
  // Full-resolution pages only: reduced copies (thumbnails, pyramids) and masks are not slices.
  const pages: GeoImage[] = [];
  for (let i = 0; i < count; i++) {
    let img: GeoImage;
    try {
      img = await tiff.getImage(i);
    } catch (e) {
      return fail(e, `page ${i} of the TIFF cannot be parsed`);
    }
    const sub = Number((await tag(img, "NewSubfileType")) ?? 0);
    if (sub & 5) continue;
    pages.push(img);
  }
  if (pages.length === 0) throw new VolumeFileError("the TIFF has no full-resolution page");
  const first = pages[0];
  const width = first.getWidth();
  const height = first.getHeight();
  const spp = first.getSamplesPerPixel();
  const bits = first.getBitsPerSample();
  const format = first.getSampleFormat();
  if (spp !== 1) throw new VolumeFileError(`${spp} samples per pixel (RGB or multi-channel): the viewer shows greyscale volumes only`);
  const dtype = dtypeName(format, bits);
  if (!dtype) throw new VolumeFileError(`${bits}-bit ${["", "unsigned integer", "signed integer", "floating point"][format] ?? `sample format ${format}`} pixels are not supported`);
  const description = (await tag(first, "ImageDescription")) as string | undefined;
  const ij = parseImageJ(description);
  if (ij && Number(ij.get("channels") ?? 1) > 1) throw new VolumeFileError(`an ImageJ hyperstack with ${ij.get("channels")} channels: the viewer shows one channel`);
  if (ij && Number(ij.get("images") ?? pages.length) > pages.length) {
    throw new VolumeFileError(`the ImageJ description says ${ij.get("images")} images but the TIFF has ${pages.length} pages (an ImageJ file over 4 GiB, or truncated); read it in a notebook with tomolyte`);
  }
  const shape = checkShape([pages.length, height, width]);
  const pageVoxels = width * height;
  const out = allocate(dtype, pageVoxels * pages.length);
  for (let z = 0; z < pages.length; z++) {
    const img = pages[z];
    if (img.getWidth() !== width || img.getHeight() !== height || img.getSamplesPerPixel() !== 1 || img.getBitsPerSample() !== bits || img.getSampleFormat() !== format) {
      throw new VolumeFileError(`page ${z} differs from page 0 in size or pixel type; all slices of a volume must match`);
    }
    let r: ArrayLike<number>;
    try {
      r = (await img.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
    } catch (e) {
      return fail(e, `page ${z} of the TIFF cannot be decoded`);
    }
    if (r.length !== pageVoxels) throw new VolumeFileError(`page ${z} decoded to ${r.length} values, expected ${pageVoxels}`);
    out.set(r, z * pageVoxels);
  }
  const notes: string[] = [];
  const meta: TiffMeta = {
    description,
    xres: rational(await tag(first, "XResolution")),
    yres: rational(await tag(first, "YResolution")),
    resUnit: ((await tag(first, "ResolutionUnit")) as number | undefined) ?? undefined,
  };
  const spacing = tiffSpacing(meta, pages.length, notes);
  if (bits === 16 && format === 3) notes.push("float16 values shown as float32");
  return finishVolume(out, shape, spacing, "tiff", notes, title);
}
