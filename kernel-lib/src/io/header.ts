/** The common shape of an opened file: its header facts, and a loader for the voxels. */
import type { DType, Triple, VoxelArray } from "../volume";
import type { VolumeFormat } from "./types";

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
  warn: (message: string) => void;
}

export interface OpenedVolume {
  readonly format: VolumeFormat;
  readonly shape: Triple;
  readonly dtype: DType;
  readonly fileDType: string;
  /** Spacing [dz, dy, dx] in µm found in the file, if any. */
  readonly spacing?: Triple;
  /** Why the file's spacing was not used or was completed by assumptions. */
  readonly spacingNotes: string[];
  /** Warnings about the content (dtype conversions). */
  readonly warnings: string[];
  readonly files: string[];
  /** Bytes of temporary buffers the loader needs besides the output array. */
  readonly scratchBytes: number;
  /** Fills `out` (length = voxel count, dtype as above) with the voxels in C order. */
  load(out: VoxelArray, options: LoadOptions): Promise<void>;
  close(): Promise<void>;
}
