/**
 * Robust display windows from percentiles of the voxel values.
 */
import { ERROR_CODES, TomolyteError } from "../errors";
import { type Volume, DTYPE_RANGE, dtypeOf } from "../volume";

export interface PercentileOptions {
  /**
   * Float and 32-bit integer volumes with more voxels than this are estimated
   * from a regular sample of this many voxels (default 2^20): a display window
   * needs no more. 8- and 16-bit volumes are always exact (counting).
   */
  maxSamples?: number;
}

/**
 * Percentiles (0–100) of a volume's values with NumPy's default "linear" rule
 * (`numpy.percentile(v, q)`; NaN voxels are skipped, as `numpy.nanpercentile`).
 * Returns NaN for each q when every voxel is NaN.
 *
 * @example
 * const [p1, p99] = percentiles(v, [1, 99]);
 */
export function percentiles(volume: Volume, qs: readonly number[], options: PercentileOptions = {}): number[] {
  for (const q of qs) {
    if (typeof q !== "number" || !(q >= 0 && q <= 100)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `percentiles must be numbers in [0, 100], got ${String(q)}`);
    }
  }
  const d = volume.data;
  const dtype = dtypeOf(d);
  if (dtype === "uint8" || dtype === "int8" || dtype === "uint16" || dtype === "int16") {
    const [lo, hi] = DTYPE_RANGE[dtype];
    const counts = new Float64Array(hi - lo + 1);
    for (let i = 0; i < d.length; i++) counts[d[i] - lo]++;
    // k-th smallest value (0-based) by walking the cumulative counts.
    const kth = (k: number): number => {
      let acc = 0;
      for (let v = 0; v < counts.length; v++) {
        acc += counts[v];
        if (acc > k) return v + lo;
      }
      return hi;
    };
    const n = d.length;
    return qs.map((q) => {
      const pos = (q / 100) * (n - 1);
      const i = Math.floor(pos);
      const a = kth(i);
      const b = i + 1 < n ? kth(i + 1) : a;
      return a + (b - a) * (pos - i);
    });
  }
  const maxSamples = options.maxSamples ?? 1 << 20;
  const step = d.length > maxSamples ? d.length / maxSamples : 1;
  const m = step === 1 ? d.length : maxSamples;
  const s = new Float64Array(m);
  let k = 0;
  for (let j = 0; j < m; j++) {
    const x = d[step === 1 ? j : Math.floor(j * step)];
    if (x === x) s[k++] = x;
  }
  const sorted = s.subarray(0, k).sort();
  return qs.map((q) => {
    if (k === 0) return NaN;
    const pos = (q / 100) * (k - 1);
    const i = Math.floor(pos);
    const a = sorted[i];
    const b = i + 1 < k ? sorted[i + 1] : a;
    return a + (b - a) * (pos - i);
  });
}

/**
 * The default display window: the [0.5, 99.5] percentiles, widened to the
 * data's min/max when they coincide (a mostly uniform volume), and to
 * [v - 0.5, v + 0.5] for a constant one.
 *
 * @example
 * const [lo, hi] = robustWindow(v); // e.g. [12, 231] on an 8-bit CT
 */
export function robustWindow(volume: Volume, options: PercentileOptions & { lower?: number; upper?: number } = {}): [number, number] {
  let [lo, hi] = percentiles(volume, [options.lower ?? 0.5, options.upper ?? 99.5], options);
  if (!(hi > lo)) {
    [lo, hi] = percentiles(volume, [0, 100], options);
  }
  if (Number.isNaN(lo) || Number.isNaN(hi)) return [0, 1];
  if (!(hi > lo)) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}
