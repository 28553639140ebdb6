import type { DType, Triple, Volume } from "../volume";

/** File formats tomolyte reads and writes. */
export type VolumeFormat = "tiff" | "tiff-folder" | "npy" | "mhd" | "mha";

/** Where a volume's spacing came from: the file's metadata, the 1 µm default, or the caller. */
export type SpacingSource = "file" | "default" | "override";

/** Options of read(), readWithMetadata() and readInfo(). */
export interface ReadOptions {
  /** Voxel size [dz, dy, dx] in µm; overrides whatever the file says. */
  spacing_um?: readonly [number, number, number];
  /** Force a format instead of detecting it from the extension and magic bytes. */
  format?: VolumeFormat;
  /** Receives each warning (missing spacing, dtype conversions). Default: console.warn (stderr). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/** What readInfo() learns from a header, without reading the voxels. */
export interface VolumeInfo {
  /** Absolute path that was read (the .mhd for MetaImage, the folder for a TIFF folder). */
  readonly path: string;
  readonly format: VolumeFormat;
  readonly shape: Triple;
  /** The dtype the volume has once read (int64 → float64, float16 → float32, bool → uint8). */
  readonly dtype: DType;
  /** The element type as the file stores it, e.g. "uint16", ">i8", "float16", "MET_SHORT". */
  readonly fileDType: string;
  /** [dz, dy, dx] in µm. */
  readonly spacing: Triple;
  readonly spacingSource: SpacingSource;
  /** Every file that holds part of the volume (e.g. the .mhd and its .raw, or each slice of a folder). */
  readonly files: readonly string[];
  /** Warnings raised while reading the header (also sent to onWarning). */
  readonly warnings: readonly string[];
}

/** A volume together with where its metadata came from. */
export interface ReadResult extends VolumeInfo {
  readonly volume: Volume;
}

/** Compression of written files: "none" (default) or "deflate" (zlib; TIFF Adobe deflate, .mhd → .zraw). */
export type Compression = "none" | "deflate";

/** Options of write(). */
export interface WriteOptions {
  /** Replace an existing file (never the file the volume was read from). Default false. */
  overwrite?: boolean;
  /** Default "none". */
  compression?: Compression;
  /** Force a format instead of taking it from the extension ("tiff-folder" also when the path ends with "/"). */
  format?: VolumeFormat;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/** What write() produced. */
export interface WriteResult {
  /** Absolute path of the main file (the .mhd, or the folder). */
  readonly path: string;
  readonly format: VolumeFormat;
  /** Every file written. */
  readonly files: readonly string[];
  /** Total bytes written. */
  readonly bytes: number;
}
