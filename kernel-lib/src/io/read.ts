/** read(), readWithMetadata(), readInfo(): format detection and the common reading path. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ERROR_CODES, TomolyteError, checkNumber, isTomolyteError, throwIfAborted } from "../errors";
import { type Triple, type Volume, bytesPerVoxel, checkAllocation, createVolume, formatBytes } from "../volume";
import { allocate } from "./elements";
import { InputFile, corrupt, fsError, recordSource, sourcesOf } from "./fsutil";
import type { OpenedVolume } from "./header";
import { openMetaImage } from "./mhd";
import { openNpy } from "./npy";
import { openTiff, openTiffFolder } from "./tiff-read";
import type { ReadOptions, ReadResult, SpacingSource, VolumeFormat, VolumeInfo } from "./types";

const EXT_FORMAT: Record<string, VolumeFormat> = { ".tif": "tiff", ".tiff": "tiff", ".npy": "npy", ".mhd": "mhd", ".mha": "mha" };

/** What the first bytes of a file say it is. */
function sniff(b: Uint8Array): VolumeFormat | "hdf5" | "zip" | "gzip" | undefined {
  const at = (i: number, ...v: number[]) => v.every((x, k) => b[i + k] === x);
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return "tiff";
  if (at(0, 0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)) return "npy";
  if (at(0, 0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)) return "hdf5";
  if (at(0, 0x50, 0x4b, 0x03, 0x04)) return "zip";
  if (at(0, 0x1f, 0x8b)) return "gzip";
  const text = new TextDecoder("latin1").decode(b);
  if (/^\s*(ObjectType|NDims|Comment|ObjectSubType|TransformMatrix|DimSize)\s*=/i.test(text)) return "mhd";
  return undefined;
}

/**
 * The format of a path, from its extension and its first bytes (which win when they
 * disagree, with a warning): "tiff", "tiff-folder" (a folder), "npy", "mhd" or "mha".
 *
 * @example
 * await detectFormat("scan.tif") // "tiff"
 */
export async function detectFormat(file: string, warn: (m: string) => void = () => undefined): Promise<VolumeFormat> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    // DESIGN.md's HDF5 path form "file.h5:/dataset" is not read (yet): say so rather than "not found".
    if (/\.(h5|hdf5|hdf|he5)(:.*)?$/i.test(file)) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file}: HDF5 is not supported yet; export the dataset to .npy with h5py (np.save)`, { path: file });
    }
    throw fsError(e, file, "read");
  }
  if (st.isDirectory()) {
    if (/\.zarr[\\/]?$/i.test(file) || fs.existsSync(path.join(file, ".zarray")) || fs.existsSync(path.join(file, "zarr.json"))) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file}: Zarr is not supported yet; export the array to .npy (np.save(path, zarr_array[:]))`, { path: file });
    }
    return "tiff-folder";
  }
  const ext = path.extname(file).toLowerCase();
  const byExt = EXT_FORMAT[ext];
  const f = await InputFile.open(file);
  let head: Uint8Array;
  try {
    if (f.size === 0) throw corrupt(file, "file is empty");
    head = await f.read(0, Math.min(64, f.size));
  } finally {
    await f.close();
  }
  const byMagic = sniff(head);
  if (byMagic === "hdf5" || byMagic === "zip" || byMagic === "gzip") {
    throw new TomolyteError(
      ERROR_CODES.UNSUPPORTED_FORMAT,
      `${file} is ${byMagic === "hdf5" ? "an HDF5" : `a ${byMagic}`} file; tomolyte reads TIFF, .npy and MetaImage (${byMagic === "hdf5" ? "export the dataset with h5py to .npy" : "extract it first"})`,
      { path: file },
    );
  }
  if (byMagic) {
    const same = byExt === byMagic || (byMagic === "mhd" && byExt === "mha");
    if (byExt && !same) warn(`${file}: the extension says ${byExt} but the content is ${byMagic}; reading it as ${byMagic}`);
    return byMagic === "mhd" && byExt === "mha" ? "mha" : byMagic;
  }
  if (byExt === "tiff") throw corrupt(file, "not a TIFF file (its first bytes are not a TIFF header)");
  if (byExt === "npy") throw corrupt(file, "not a .npy file (magic bytes missing)");
  // MetaImage keys may come in any order: for a .mhd/.mha any "Key = value" start will do.
  if ((byExt === "mhd" || byExt === "mha") && /^\s*[A-Za-z_]\w*\s*=/.test(new TextDecoder("latin1").decode(head))) return byExt;
  if (byExt === "mhd" || byExt === "mha") throw corrupt(file, "not a MetaImage header (it does not start with ObjectType/NDims = ...)");
  if (ext === ".raw" || ext === ".zraw") {
    throw new TomolyteError(
      ERROR_CODES.UNSUPPORTED_FORMAT,
      `${file} is raw voxels without a header; read the .mhd that describes it (or write one: see docs/io.md)`,
      { path: file },
    );
  }
  throw new TomolyteError(
    ERROR_CODES.UNSUPPORTED_FORMAT,
    `${file}: unknown format (extension "${ext}"); tomolyte reads .tif/.tiff, folders of TIFFs, .npy, .mhd/.raw and .mha`,
    { path: file },
  );
}

/** A .raw next to the .mhd that names it is read through that header. */
async function headerForRaw(file: string): Promise<string | undefined> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== ".raw" && ext !== ".zraw") return undefined;
  const stem = file.slice(0, -ext.length);
  for (const h of [`${stem}.mhd`, `${stem}.MHD`]) {
    try {
      const text = await fs.promises.readFile(h, "latin1");
      const m = /ElementDataFile\s*=\s*(.+)/i.exec(text);
      if (m && path.resolve(path.dirname(h), m[1].trim()) === path.resolve(file)) return h;
    } catch {
      /* no such header */
    }
  }
  return undefined;
}

function checkOverride(spacing: unknown): Triple | undefined {
  if (spacing === undefined) return undefined;
  if (!Array.isArray(spacing) || spacing.length !== 3) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `spacing_um must be [dz, dy, dx] in micrometres, got ${JSON.stringify(spacing)}`);
  }
  const names = ["dz", "dy", "dx"];
  return spacing.map((s, i) => checkNumber(`spacing_um ${names[i]}`, s, { min: 0, exclusiveMin: true })) as unknown as Triple;
}

interface Opened {
  o: OpenedVolume;
  path: string;
  spacing: Triple;
  spacingSource: SpacingSource;
  warnings: string[];
}

async function open(file: string, options: ReadOptions): Promise<Opened> {
  if (typeof file !== "string" || file === "") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `path must be a non-empty string, got ${String(file)}`);
  const override = checkOverride(options.spacing_um);
  const warnings: string[] = [];
  const sink = options.onWarning ?? ((m: string) => console.warn(`warning: ${m}`));
  const warn = (m: string) => {
    warnings.push(m);
    sink(m);
  };
  let abs = path.resolve(file);
  const viaHeader = await headerForRaw(abs);
  if (viaHeader) abs = viaHeader;
  const format = options.format ?? (await detectFormat(abs, warn));
  let o: OpenedVolume;
  let spacing: Triple = [1, 1, 1];
  let spacingSource: SpacingSource = "default";
  try {
    if (format === "tiff") o = await openTiff(abs);
    else if (format === "tiff-folder") o = await openTiffFolder(abs);
    else if (format === "npy") o = await openNpy(abs);
    else if (format === "mhd" || format === "mha") o = await openMetaImage(abs);
    else throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `unknown format "${String(format)}"`);
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    throw corrupt(abs, `cannot be read as ${format}: ${(e as Error)?.message ?? String(e)}`);
  }
  try {
    for (const w of o.warnings) warn(w);
    if (override) {
      spacing = override;
      spacingSource = "override";
    } else if (o.spacing) {
      spacing = o.spacing;
      spacingSource = "file";
      for (const n of o.spacingNotes) warn(n);
    } else {
      for (const n of o.spacingNotes) warn(n);
      warn(`${abs}: no voxel size in the file; using 1 µm. Pass spacing_um: [dz, dy, dx] (CLI: --spacing dz,dy,dx) to set it`);
      spacing = [1, 1, 1];
      spacingSource = "default";
    }
  } catch (e) {
    // A throwing onWarning must not leak the open file.
    await o.close();
    throw e;
  }
  return { o, path: abs, spacing, spacingSource, warnings };
}

function infoOf(x: Opened): VolumeInfo {
  return {
    path: x.path,
    format: x.o.format,
    shape: x.o.shape,
    dtype: x.o.dtype,
    fileDType: x.o.fileDType,
    spacing: x.spacing,
    spacingSource: x.spacingSource,
    files: x.o.files,
    warnings: x.warnings,
  };
}

/**
 * Reads a volume's header only: shape, dtype, spacing and where the spacing came from.
 * Cheap (no voxels are read), so it also works on volumes too big for memory.
 *
 * @example
 * const info = await readInfo("scan.tif");
 * console.log(info.shape, info.dtype, info.spacing, info.spacingSource);
 */
export async function readInfo(file: string, options: ReadOptions = {}): Promise<VolumeInfo> {
  const x = await open(file, options);
  await x.o.close();
  return infoOf(x);
}

/**
 * Reads a volume and tells where its metadata came from (for `tomolyte info`).
 * Warnings go to `onWarning` (default: stderr) and are also returned.
 *
 * @example
 * const { volume, spacingSource, format, warnings } = await readWithMetadata("scan.mhd");
 */
export async function readWithMetadata(file: string, options: ReadOptions = {}): Promise<ReadResult> {
  const x = await open(file, options);
  try {
    throwIfAborted(options.signal);
    const [nz, ny, nx] = x.o.shape;
    const n = nz * ny * nx;
    const bytes = n * bytesPerVoxel(x.o.dtype);
    checkAllocation(bytes + x.o.scratchBytes, `reading ${x.path} (${nz}×${ny}×${nx} ${x.o.dtype}, ${formatBytes(bytes)})`, n);
    const out = allocate(x.o.dtype, n);
    await x.o.load(out, {
      signal: options.signal,
      onProgress: options.onProgress,
      warn: (m) => x.warnings.push(m),
    });
    const volume = createVolume(out, x.o.shape, x.spacing);
    recordSource(out, [x.path, ...x.o.files]);
    options.onProgress?.(1);
    return { ...infoOf(x), volume };
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    if (e instanceof RangeError) {
      throw new TomolyteError(ERROR_CODES.OUT_OF_MEMORY, `cannot allocate memory to read ${x.path}: ${e.message}`, { path: x.path }, { cause: e });
    }
    throw corrupt(x.path, `cannot be read: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    await x.o.close();
  }
}

/**
 * Reads a volume: multi-page TIFF, a folder of 2D TIFFs (natural name order), .npy,
 * MetaImage .mhd (+ .raw) or .mha. The format comes from the extension and the
 * file's first bytes. Spacing is the file's (converted to µm), else 1 µm with a
 * warning; `spacing_um` overrides both.
 *
 * @example
 * const v = await read("electrode.tif", { spacing_um: [0.39, 0.39, 0.39] });
 * console.log(v.shape, v.spacing);
 */
export async function read(file: string, options: ReadOptions = {}): Promise<Volume> {
  return (await readWithMetadata(file, options)).volume;
}

/**
 * The real paths of the files a volume's data was read from (empty for computed volumes).
 * write() refuses to overwrite these.
 *
 * @example
 * const v = await read("a.tif"); sourcePathsOf(v) // ["/data/a.tif"]
 */
export function sourcePathsOf(volume: Volume): readonly string[] {
  return sourcesOf(volume.data);
}
