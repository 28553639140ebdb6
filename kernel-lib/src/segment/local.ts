import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type LabelVolume, type Volume, DTYPE_RANGE, checkAllocation, createVolume, dtypeOf, labelVolume } from "../volume";
import { type BoundaryMode, gaussian, mean } from "../filters";
import { checkGrey, defaultPhases } from "./threshold";

export type LocalThresholdKind = "mean" | "gaussian" | "niblack" | "sauvola";

export interface LocalThresholdOptions {
  /** "mean" (default), "gaussian", "niblack" or "sauvola". */
  kind?: LocalThresholdKind;
  /** Half-width of the window: the block is 2R+1 voxels on each side (required). */
  radiusVoxels: number;
  /** mean / gaussian: subtracted from the local mean (skimage's `offset`, default 0). */
  offset?: number;
  /** niblack / sauvola: weight of the local standard deviation (default 0.2, as skimage). */
  k?: number;
  /** sauvola: dynamic range of the standard deviation (default half the dtype's range, or of the data's range for floats). */
  r?: number;
  /** mean / gaussian: boundary mode (default "reflect", as skimage). niblack / sauvola always mirror, as skimage pads. */
  mode?: BoundaryMode;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/**
 * A local threshold map, voxel by voxel, as scikit-image 0.19 defines it for
 * a block of side b = 2R+1:
 * - mean: `uniform_filter(image, b) − offset`;
 * - gaussian: `gaussian_filter(image, (b − 1) / 6) − offset`;
 * - niblack: `m − k·s`; sauvola: `m·(1 + k·(s / r − 1))`, with m and s the
 *   mean and standard deviation over the b³ window (mirror padding).
 * Computed with separable box and Gaussian filters (time independent of R).
 * Returns a float64 volume.
 *
 * @example
 * const t = localThreshold(ct, { kind: "sauvola", radiusVoxels: 7 });
 */
export function localThreshold(volume: Volume, options: LocalThresholdOptions): Volume<Float64Array> {
  checkGrey(volume, "localThreshold");
  const dtype = dtypeOf(volume.data);
  const kind = options?.kind ?? "mean";
  if (!["mean", "gaussian", "niblack", "sauvola"].includes(kind)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `kind must be mean, gaussian, niblack or sauvola, got ${String(kind)}`);
  }
  const R = checkNumber("radiusVoxels", options?.radiusVoxels, { min: 1, integer: true });
  const n = volume.data.length;
  checkAllocation(n * 8 * 3, "the local threshold maps", n);
  const progress = { signal: options.signal, onProgress: options.onProgress };
  if (kind === "mean" || kind === "gaussian") {
    const offset = checkNumber("offset", options.offset ?? 0);
    const mode = options.mode ?? "reflect";
    const f = kind === "mean"
      ? mean(volume, { radiusVoxels: R, footprint: "cube", mode, dtype: "float64", ...progress })
      : gaussian(volume, { sigmaVoxels: (2 * R) / 6, mode, dtype: "float64", ...progress });
    const out = f.data as Float64Array;
    if (offset !== 0) for (let i = 0; i < n; i++) out[i] -= offset;
    return createVolume(out, volume.shape, volume.spacing);
  }
  const k = checkNumber("k", options.k ?? 0.2);
  const x = new Float64Array(n);
  x.set(volume.data);
  const x2 = new Float64Array(n);
  for (let i = 0; i < n; i++) x2[i] = x[i] * x[i];
  const m = mean(createVolume(x, volume.shape, volume.spacing), { radiusVoxels: R, mode: "mirror", dtype: "float64", ...progress }).data as Float64Array;
  const m2 = mean(createVolume(x2, volume.shape, volume.spacing), { radiusVoxels: R, mode: "mirror", dtype: "float64", ...progress }).data as Float64Array;
  const out = x2;
  let r = 1;
  if (kind === "sauvola") {
    if (options.r !== undefined) r = checkNumber("r", options.r, { min: 0, exclusiveMin: true });
    else {
      let [lo, hi] = DTYPE_RANGE[dtype];
      // skimage uses the dtype's range; floats are taken as [-1, 1] there. Use the data's range instead: it is what a user means.
      if (!Number.isFinite(lo)) {
        lo = Infinity; hi = -Infinity;
        for (let i = 0; i < n; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
      }
      r = 0.5 * (hi - lo) || 1;
    }
  }
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(Math.max(0, m2[i] - m[i] * m[i]));
    out[i] = kind === "niblack" ? m[i] - k * s : m[i] * (1 + k * (s / r - 1));
  }
  return createVolume(out, volume.shape, volume.spacing);
}

/**
 * Two-phase labels from a local threshold: 1 where the voxel is brighter than
 * its local threshold (`value > threshold`), else 0.
 *
 * @example
 * const labels = segmentLocal(ct, { kind: "mean", radiusVoxels: 10, offset: -2 });
 */
export function segmentLocal(volume: Volume, options: LocalThresholdOptions & { names?: readonly string[] }): LabelVolume<Uint8Array> {
  const t = localThreshold(volume, options).data;
  const d = volume.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] > t[i] ? 1 : 0;
  return labelVolume(createVolume(out, volume.shape, volume.spacing), defaultPhases(2, options.names));
}
