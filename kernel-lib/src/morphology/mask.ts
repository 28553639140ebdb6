import { ERROR_CODES, TomolyteError } from "../errors";
import { type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";

/**
 * How to pick the foreground ("the phase") out of a volume. Without any of
 * these, every non-zero voxel is foreground (as SciPy treats a binary input).
 */
export interface ForegroundOptions {
  /** Foreground = voxels equal to this value (or to any of these values): one phase of a label volume. */
  phase?: number | readonly number[];
  /** Foreground = voxels for which this returns true (used when `phase` is absent). */
  where?: (value: number) => boolean;
}

/** Options every long operation takes. */
export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export type Connectivity = 6 | 18 | 26;

export function checkVolume(volume: Volume, what: string): void {
  if (
    volume === null || typeof volume !== "object" || !volume.data || !Array.isArray(volume.shape) || volume.shape.length !== 3
  ) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} must be a Volume {data, shape, spacing}; make one with createVolume()`);
  }
  dtypeOf(volume.data);
}

export function checkConnectivity(c: unknown, fallback: Connectivity = 6): Connectivity {
  const v = c === undefined ? fallback : c;
  if (v !== 6 && v !== 18 && v !== 26) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `connectivity must be 6, 18 or 26, got ${String(c)}`);
  }
  return v;
}

/**
 * The foreground of a volume as a 0/1 byte array (a fresh array: callers may
 * change it). Reuses nothing of the input, which is never modified.
 */
export function foregroundBytes(volume: Volume, options: ForegroundOptions = {}, what = "volume"): Uint8Array {
  checkVolume(volume, what);
  const d = volume.data;
  const n = d.length;
  checkAllocation(n, `the foreground mask of ${what}`, n);
  const out = new Uint8Array(n);
  const { phase, where } = options;
  if (phase !== undefined) {
    const values = typeof phase === "number" ? [phase] : [...phase];
    if (values.length === 0 || values.some((p) => typeof p !== "number" || !Number.isFinite(p))) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phase must be a finite number or a non-empty list of them, got ${JSON.stringify(phase)}`);
    }
    if (values.length === 1) {
      const p = values[0];
      for (let i = 0; i < n; i++) out[i] = d[i] === p ? 1 : 0;
    } else {
      const set = new Set(values);
      for (let i = 0; i < n; i++) out[i] = set.has(d[i]) ? 1 : 0;
    }
  } else if (where !== undefined) {
    if (typeof where !== "function") {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "where must be a function (value) => boolean");
    }
    for (let i = 0; i < n; i++) out[i] = where(d[i]) ? 1 : 0;
  } else {
    const dtype = dtypeOf(d);
    if (dtype === "float32" || dtype === "float64") {
      // A float volume with values other than 0 and 1 is a greyscale scan, not a mask:
      // "non-zero" would make nearly every voxel foreground.
      for (let i = 0; i < n; i++) {
        const x = d[i];
        if (x !== 0 && x !== 1 && x === x) {
          throw new TomolyteError(
            ERROR_CODES.INVALID_ARGUMENT,
            `${what} looks like a greyscale volume (value ${x} at voxel ${i}), not a binary mask or label volume; ` +
              "segment it first (e.g. applyThresholds) or choose the foreground with { phase } or { where }",
          );
        }
        out[i] = x === 1 ? 1 : 0;
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = d[i] !== 0 ? 1 : 0;
    }
  }
  return out;
}

/**
 * The foreground as a uint8 0/1 volume with the input's shape and spacing.
 *
 * @example
 * const pores = toMask(labels, { phase: 0 });
 */
export function toMask(volume: Volume, options: ForegroundOptions = {}): Volume<Uint8Array> {
  const m = foregroundBytes(volume, options);
  return createVolume(m, volume.shape, volume.spacing);
}

export function reportProgress(options: ProgressOptions, fraction: number): void {
  if (options.onProgress) options.onProgress(Math.min(1, Math.max(0, fraction)));
}
