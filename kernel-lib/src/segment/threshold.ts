import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import {
  type LabelVolume, type Phase, type Volume, PHASE_COLORS, checkAllocation, createVolume, dtypeOf, isFloatDType, isLabelVolume, labelVolume,
} from "../volume";

/** A grey-value histogram as scikit-image builds it for thresholding. */
export interface GreyHistogram {
  /** Voxel count per bin. */
  readonly counts: Float64Array;
  /** Centre of each bin (for integer data: the integer value itself). */
  readonly centers: Float64Array;
}

export interface HistogramThresholdOptions {
  /** Equal-width bins for float data (default 256, as scikit-image). Integer data get one bin per integer value. */
  bins?: number;
}

/** Integer ranges wider than this are binned like float data (scikit-image would bincount them and run out of memory). */
const MAX_INTEGER_BINS = 1 << 20;

export function checkGrey(volume: Volume, what: string): void {
  if (volume === null || typeof volume !== "object" || !volume.data || !Array.isArray(volume.shape)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} needs a greyscale Volume {data, shape, spacing}`);
  }
  dtypeOf(volume.data);
  if (isLabelVolume(volume)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `${what} needs the greyscale scan, but this is a label volume (it has a phase table: ${volume.phases.map((p) => p.name).join(", ")}); pass the grey values instead`,
    );
  }
  if (volume.data.length === 0) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}: the volume is empty`);
  }
}

/**
 * The histogram scikit-image 0.19 thresholds on (`skimage.exposure.histogram`
 * with `source_range="image"`): integer data get one bin per integer from
 * min to max; float data get `bins` equal-width bins between min and max with
 * NumPy's edges (computed in float64, stored in the data's float type) and
 * centres (edge + next edge) / 2 in that type. NaN voxels are skipped.
 *
 * @example
 * const { counts, centers } = greyHistogram(v);
 */
export function greyHistogram(volume: Volume, options: HistogramThresholdOptions = {}): GreyHistogram {
  checkGrey(volume, "greyHistogram");
  const d = volume.data;
  const dtype = dtypeOf(d);
  // 8- and 16-bit integers: count into a table over the whole type range in one pass
  // (no separate min/max pass), then keep min..max.
  if (d instanceof Uint8Array || d instanceof Uint16Array || d instanceof Int8Array || d instanceof Int16Array) {
    const size = d instanceof Uint8Array || d instanceof Int8Array ? 256 : 65536;
    const off = d instanceof Int8Array ? 128 : d instanceof Int16Array ? 32768 : 0;
    const table = new Uint32Array(size);
    for (let i = 0; i < d.length; i++) table[d[i] + off]++;
    let a = 0;
    while (table[a] === 0) a++;
    let b = size - 1;
    while (table[b] === 0) b--;
    const nb = b - a + 1;
    const counts = new Float64Array(nb);
    const centers = new Float64Array(nb);
    for (let i = 0; i < nb; i++) {
      counts[i] = table[a + i];
      centers[i] = a + i - off;
    }
    return { counts, centers };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!(lo <= hi)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "the volume has no finite values to threshold");
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `the volume contains infinite values (range [${lo}, ${hi}]); replace them before thresholding`);
  }
  if (!isFloatDType(dtype) && hi - lo + 1 <= MAX_INTEGER_BINS) {
    const nb = hi - lo + 1;
    const counts = new Float64Array(nb);
    for (let i = 0; i < d.length; i++) counts[d[i] - lo]++;
    const centers = new Float64Array(nb);
    for (let i = 0; i < nb; i++) centers[i] = lo + i;
    return { counts, centers };
  }
  const bins = checkNumber("bins", options.bins ?? 256, { min: 2, max: 1 << 24, integer: true });
  const f32 = dtype === "float32";
  const round = f32 ? Math.fround : (x: number) => x;
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  // numpy.linspace in float64, then cast to the data's float type.
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = round(i * step + first);
  edges[bins] = round(last);
  // Integer counts (faster increments than float64), copied out at the end.
  const tally = new Uint32Array(bins);
  const scale = bins / (last - first);
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (x !== x) continue;
    // x ≥ first, so truncation is the floor.
    let b = ((x - first) * scale) | 0;
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    // NumPy's own correction: the stored edges decide, edges[b] <= x < edges[b + 1].
    while (b > 0 && x < edges[b]) b--;
    while (b < bins - 1 && x >= edges[b + 1]) b++;
    tally[b]++;
  }
  const counts = Float64Array.from(tally);
  const centers = new Float64Array(bins);
  for (let i = 0; i < bins; i++) centers[i] = round(round(edges[i] + edges[i + 1]) / 2);
  return { counts, centers };
}

function distinctCount(counts: Float64Array): number {
  let k = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) k++;
  return k;
}

/**
 * Otsu's threshold, as `skimage.filters.threshold_otsu` (0.19) computes it on
 * the same histogram: the bin centre maximising the between-class variance
 * (first maximum). Voxels `> threshold` are the bright class.
 *
 * @example
 * const t = otsuThreshold(grey);
 * const labels = applyThresholds(grey, [t]);
 */
export function otsuThreshold(volume: Volume, options: HistogramThresholdOptions = {}): number {
  const { counts, centers } = greyHistogram(volume, options);
  if (distinctCount(counts) < 2) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      "otsuThreshold: the volume has a single grey value, so there is nothing to separate; check that you passed the greyscale scan",
    );
  }
  return otsuOnHistogram(counts, centers);
}

/** Otsu on a histogram, with scikit-image's cumulative sums (float64). */
export function otsuOnHistogram(counts: Float64Array, centers: Float64Array): number {
  const nb = counts.length;
  const w1 = new Float64Array(nb);
  const m1 = new Float64Array(nb);
  let cw = 0;
  let cm = 0;
  for (let i = 0; i < nb; i++) {
    cw += counts[i];
    cm += counts[i] * centers[i];
    w1[i] = cw;
    m1[i] = cm / cw;
  }
  const w2 = new Float64Array(nb);
  const m2 = new Float64Array(nb);
  cw = 0;
  cm = 0;
  for (let i = nb - 1; i >= 0; i--) {
    cw += counts[i];
    cm += counts[i] * centers[i];
    w2[i] = cw;
    m2[i] = cm / cw;
  }
  let best = -Infinity;
  let idx = 0;
  for (let i = 0; i < nb - 1; i++) {
    const dm = m1[i] - m2[i + 1];
    const v = w1[i] * w2[i + 1] * dm * dm;
    // NaN (empty classes at the histogram's ends) never wins, as with numpy.argmax on finite values.
    if (v > best) {
      best = v;
      idx = i;
    }
  }
  return centers[idx];
}

export interface MultiOtsuOptions extends HistogramThresholdOptions {
  /** Number of classes, 2 to 5 (default 3). */
  classes?: number;
}

/**
 * Multi-level Otsu thresholds (classes − 1 of them, ascending), maximising
 * the between-class variance over the same histogram as
 * `skimage.filters.threshold_multiotsu` (0.19). scikit-image tries every
 * combination; here an exact dynamic programme over the bins (with the
 * monotone-split speed-up) finds the same optimum in O(classes · bins · log bins),
 * so 16-bit data with one bin per grey value stay fast. Exact ties go to the
 * lowest thresholds, as scikit-image's search does.
 *
 * @example
 * const [t1, t2] = multiOtsuThresholds(grey, { classes: 3 });
 */
export function multiOtsuThresholds(volume: Volume, options: MultiOtsuOptions = {}): number[] {
  const classes = checkNumber("classes", options.classes ?? 3, { min: 2, max: 5, integer: true });
  const { counts, centers } = greyHistogram(volume, options);
  const nvalues = distinctCount(counts);
  if (nvalues < classes) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `multiOtsuThresholds: the volume has only ${nvalues} distinct grey value(s), so it cannot be split into ${classes} classes; ask for fewer classes`,
      { distinctValues: nvalues, classes },
    );
  }
  if (nvalues === classes) {
    const out: number[] = [];
    for (let i = 0; i < counts.length && out.length < classes - 1; i++) if (counts[i] > 0) out.push(centers[i]);
    return out;
  }
  return multiOtsuOnHistogram(counts, classes).map((i) => centers[i]);
}

/** Indices of the multi-Otsu thresholds on a histogram (class k = bins up to and including index k). */
export function multiOtsuOnHistogram(counts: Float64Array, classes: number): number[] {
  const nb = counts.length;
  checkAllocation(nb * 8 * (2 + 2 * classes), "the multi-Otsu tables", nb);
  // Prefix sums of the zeroth and first moments (bin index as the grey value: the
  // optimum is the same for any affine grey scale).
  const cp = new Float64Array(nb + 1);
  const cs = new Float64Array(nb + 1);
  for (let i = 0; i < nb; i++) {
    cp[i + 1] = cp[i] + counts[i];
    cs[i + 1] = cs[i] + counts[i] * i;
  }
  const H = (i: number, j: number): number => {
    const p = cp[j + 1] - cp[i];
    if (p <= 0) return 0;
    const s = cs[j + 1] - cs[i];
    return (s * s) / p;
  };
  // G[m][i]: best sum for bins i..nb-1 split into m classes; A[m][i]: end of the first of them.
  const G: Float64Array[] = [];
  const A: Int32Array[] = [];
  G[1] = new Float64Array(nb);
  for (let i = 0; i < nb; i++) G[1][i] = H(i, nb - 1);
  for (let m = 2; m < classes; m++) {
    const g = new Float64Array(nb).fill(-Infinity);
    const a = new Int32Array(nb).fill(-1);
    const prev = G[m - 1];
    // Divide and conquer: the leftmost best split is non-decreasing in i.
    const solve = (iLo: number, iHi: number, tLo: number, tHi: number): void => {
      if (iLo > iHi) return;
      const mid = (iLo + iHi) >> 1;
      let best = -Infinity;
      let arg = -1;
      const t0 = Math.max(mid, tLo);
      const t1 = Math.min(nb - m, tHi);
      for (let t = t0; t <= t1; t++) {
        const v = H(mid, t) + prev[t + 1];
        if (v > best) {
          best = v;
          arg = t;
        }
      }
      g[mid] = best;
      a[mid] = arg;
      solve(iLo, mid - 1, tLo, arg < 0 ? tHi : arg);
      solve(mid + 1, iHi, arg < 0 ? tLo : arg, tHi);
    };
    solve(0, nb - m, 0, nb - m);
    G[m] = g;
    A[m] = a;
  }
  const out: number[] = [];
  // First threshold: scan all (this is also the whole answer for two classes).
  let best = -Infinity;
  let t = -1;
  for (let j = 0; j <= nb - classes; j++) {
    const v = H(0, j) + G[classes - 1][j + 1];
    if (v > best) {
      best = v;
      t = j;
    }
  }
  out.push(t);
  for (let m = classes - 1; m >= 2; m--) {
    t = A[m][t + 1];
    out.push(t);
  }
  return out;
}

export interface ApplyThresholdsOptions {
  /** Names of the classes, darkest first (default "class 0", "class 1", ...). */
  names?: readonly string[];
}

/**
 * Labels 0..N−1 from N−1 ascending thresholds, in increasing grey order:
 * a voxel's label is the number of thresholds it exceeds (`value > t`, the
 * rule under which Otsu's classes were computed; NaN voxels get 0).
 *
 * @example
 * const labels = applyThresholds(grey, multiOtsuThresholds(grey, { classes: 3 }), { names: ["pore", "carbon-binder", "NMC"] });
 */
export function applyThresholds(volume: Volume, thresholds: readonly number[], options: ApplyThresholdsOptions = {}): LabelVolume<Uint8Array> {
  checkGrey(volume, "applyThresholds");
  if (!Array.isArray(thresholds) || thresholds.length === 0 || thresholds.length > 254) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "applyThresholds needs a list of 1 to 254 thresholds");
  }
  for (let k = 0; k < thresholds.length; k++) {
    checkNumber(`thresholds[${k}]`, thresholds[k]);
    if (k > 0 && thresholds[k] < thresholds[k - 1]) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `thresholds must be ascending, got ${JSON.stringify(thresholds)}`);
    }
  }
  const d = volume.data;
  const n = d.length;
  checkAllocation(n, "the label volume", n);
  const out = new Uint8Array(n);
  const k = thresholds.length;
  if (k === 1) {
    const t = thresholds[0];
    for (let i = 0; i < n; i++) out[i] = d[i] > t ? 1 : 0;
  } else {
    const ts = Float64Array.from(thresholds);
    for (let i = 0; i < n; i++) {
      const x = d[i];
      let c = 0;
      while (c < k && x > ts[c]) c++;
      out[i] = c;
    }
  }
  return labelVolume(createVolume(out, volume.shape, volume.spacing), defaultPhases(k + 1, options.names));
}

/** A phase table 0..n-1 with the given names (or "class i") and the default colours. */
export function defaultPhases(n: number, names?: readonly string[]): Phase[] {
  if (names !== undefined && names.length !== n) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `names must have ${n} entries (one per class), got ${names.length}`);
  }
  const out: Phase[] = [];
  for (let i = 0; i < n; i++) out.push({ value: i, name: names ? String(names[i]) : `class ${i}`, color: PHASE_COLORS[i % PHASE_COLORS.length] });
  return out;
}
