import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type DType, type LabelArray, type VoxelArray, DTYPE_RANGE, bytesPerVoxel, ctorOf, dtypeOf, isFloatDType } from "./dtype";
import { checkAllocation } from "./memory";

/** [nz, ny, nx] or [dz, dy, dx]: always z first. */
export type Triple = readonly [number, number, number];

/**
 * A 3D image. `data` is in C order: x fastest, then y, then z; index =
 * (z * ny + y) * nx + x. `spacing` is the voxel size in micrometres.
 * z is through the electrode thickness.
 */
export interface Volume<A extends VoxelArray = VoxelArray> {
  readonly data: A;
  readonly shape: Triple;
  readonly spacing: Triple;
}

/** One phase of a label volume, e.g. `{ value: 0, name: "pore", color: "#1f77b4" }`. */
export interface Phase {
  readonly value: number;
  readonly name: string;
  readonly color: string;
}

/** A volume of unsigned integer labels with its phase table. */
export interface LabelVolume<A extends LabelArray = LabelArray> extends Volume<A> {
  readonly phases: readonly Phase[];
}

export type Axis = "z" | "y" | "x";
export const AXES: readonly Axis[] = ["z", "y", "x"];

/** Index of an axis in shape/spacing. @example axisIndex("x") // 2 */
export function axisIndex(axis: Axis): 0 | 1 | 2 {
  if (axis === "z") return 0;
  if (axis === "y") return 1;
  if (axis === "x") return 2;
  throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `axis must be "z", "y" or "x", got ${String(axis)}`);
}

function checkShape(shape: readonly number[]): Triple {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `shape must be [nz, ny, nx], got ${JSON.stringify(shape)}`);
  }
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 1) {
      throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `shape entries must be positive integers, got ${JSON.stringify(shape)}`);
    }
  }
  return [shape[0], shape[1], shape[2]];
}

function checkSpacing(spacing: readonly number[]): Triple {
  if (!Array.isArray(spacing) || spacing.length !== 3 || spacing.some((s) => !Number.isFinite(s) || s <= 0)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `spacing must be three positive finite micrometre values [dz, dy, dx], got ${JSON.stringify(spacing)}`,
    );
  }
  return [spacing[0], spacing[1], spacing[2]];
}

/** Number of voxels of a shape. @example voxelCount([2, 3, 4]) // 24 */
export function voxelCount(shape: readonly number[]): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * Makes a Volume after checking that the data length matches the shape and
 * that the spacing is positive and finite. The data is not copied.
 *
 * @example
 * const v = createVolume(new Uint8Array(24), [2, 3, 4], [0.5, 0.5, 0.5]);
 */
export function createVolume<A extends VoxelArray>(data: A, shape: readonly number[], spacing: readonly number[] = [1, 1, 1]): Volume<A> {
  dtypeOf(data);
  const s = checkShape(shape);
  const n = voxelCount(s);
  if (data.length !== n) {
    throw new TomolyteError(
      ERROR_CODES.SHAPE_MISMATCH,
      `data has ${data.length} voxels but shape ${s.join("×")} needs ${n}`,
      { dataLength: data.length, expected: n },
    );
  }
  return Object.freeze({ data, shape: s, spacing: checkSpacing(spacing) });
}

/**
 * A new volume of zeros, after checking the memory budget.
 *
 * @example
 * const v = zeros([64, 64, 64], "float32", [0.4, 0.4, 0.4]);
 */
export function zeros(shape: readonly number[], dtype: DType = "float32", spacing: readonly number[] = [1, 1, 1]): Volume {
  const s = checkShape(shape);
  const n = voxelCount(s);
  checkAllocation(n * bytesPerVoxel(dtype), `a ${s.join("×")} ${dtype} volume`, n);
  return createVolume(new (ctorOf(dtype))(n), s, spacing);
}

/** The dtype of a volume. @example volumeDType(v) // "uint8" */
export function volumeDType(volume: Volume): DType {
  return dtypeOf(volume.data);
}

/** A copy with another spacing (µm). @example withSpacing(v, [0.39, 0.39, 0.39]) */
export function withSpacing<A extends VoxelArray>(volume: Volume<A>, spacing: readonly number[]): Volume<A> {
  return createVolume(volume.data, volume.shape, spacing);
}

/** Default colours of phases, by position (colour-blind friendly, Okabe–Ito). */
export const PHASE_COLORS = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"];

/**
 * Makes a label volume: unsigned integer data plus a phase table. Without
 * `phases`, one phase per distinct value ("phase 0", "phase 1", ...).
 *
 * @example
 * const labels = labelVolume(v, [
 *   { value: 0, name: "pore", color: "#000000" },
 *   { value: 1, name: "active material", color: "#E69F00" },
 * ]);
 */
export function labelVolume<A extends LabelArray>(volume: Volume<A>, phases?: readonly Phase[]): LabelVolume<A> {
  const dtype = volumeDType(volume);
  if (dtype !== "uint8" && dtype !== "uint16" && dtype !== "uint32") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `labels must be uint8, uint16 or uint32, got ${dtype}; convert with astype()`);
  }
  let table: Phase[];
  if (phases === undefined) {
    table = distinctValues(volume).map((value, i) => ({
      value,
      name: `phase ${value}`,
      color: PHASE_COLORS[i % PHASE_COLORS.length],
    }));
  } else {
    const seen = new Set<number>();
    for (const p of phases) {
      if (!Number.isInteger(p.value) || p.value < 0) {
        throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phase value must be a non-negative integer, got ${p.value}`);
      }
      if (seen.has(p.value)) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phase value ${p.value} appears twice`);
      seen.add(p.value);
    }
    table = phases.map((p) => ({ value: p.value, name: String(p.name), color: String(p.color) }));
  }
  return Object.freeze({ data: volume.data, shape: volume.shape, spacing: volume.spacing, phases: Object.freeze(table) });
}

/** True when `v` carries a phase table. @example if (isLabelVolume(v)) v.phases */
export function isLabelVolume(v: Volume): v is LabelVolume {
  return Array.isArray((v as LabelVolume).phases);
}

/**
 * The distinct values of a volume, ascending (integer volumes; floats too, slower).
 *
 * @example
 * distinctValues(labels) // [0, 85, 170]
 */
export function distinctValues(volume: Volume): number[] {
  const d = volume.data;
  const dtype = dtypeOf(d);
  if (dtype === "uint8" || dtype === "int8" || dtype === "uint16" || dtype === "int16") {
    const [lo] = DTYPE_RANGE[dtype];
    const seen = new Uint8Array(DTYPE_RANGE[dtype][1] - lo + 1);
    for (let i = 0; i < d.length; i++) seen[d[i] - lo] = 1;
    const out: number[] = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i + lo);
    return out;
  }
  const set = new Set<number>();
  for (let i = 0; i < d.length; i++) set.add(d[i]);
  return [...set].sort((a, b) => a - b);
}

/** A 2D image: `data` row-major, `width` columns, `height` rows. */
export interface Image2D<A extends VoxelArray = VoxelArray> {
  readonly data: A;
  readonly width: number;
  readonly height: number;
  /** [row, column] pixel size in µm. */
  readonly spacing: readonly [number, number];
}

/**
 * One plane of a volume, normal to `axis`. For axis z the image is (y rows, x
 * columns); for y it is (z rows, x columns); for x it is (z rows, y columns).
 *
 * @example
 * const mid = slice(v, "z", v.shape[0] >> 1);
 */
export function slice<A extends VoxelArray>(volume: Volume<A>, axis: Axis, index: number): Image2D<A> {
  const a = axisIndex(axis);
  const [nz, ny, nx] = volume.shape;
  const n = volume.shape[a];
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `slice index along ${axis} must be an integer in [0, ${n - 1}], got ${index}`);
  }
  const Ctor = ctorOf(dtypeOf(volume.data));
  const d = volume.data;
  const [dz, dy, dx] = volume.spacing;
  if (a === 0) {
    const out = d.slice(index * ny * nx, (index + 1) * ny * nx) as A;
    return { data: out, width: nx, height: ny, spacing: [dy, dx] };
  }
  if (a === 1) {
    const out = new Ctor(nz * nx) as A;
    for (let z = 0; z < nz; z++) out.set(d.subarray((z * ny + index) * nx, (z * ny + index + 1) * nx), z * nx);
    return { data: out, width: nx, height: nz, spacing: [dz, dx] };
  }
  const out = new Ctor(nz * ny) as A;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) out[z * ny + y] = d[(z * ny + y) * nx + index];
  return { data: out, width: ny, height: nz, spacing: [dz, dy] };
}

/** Half-open index ranges per axis; a missing axis keeps its full extent. */
export interface CropBox {
  z?: readonly [number, number];
  y?: readonly [number, number];
  x?: readonly [number, number];
}

/**
 * A copy of the box `[start, stop)` along each axis (negative indices count from the end).
 * Label volumes keep their phase table.
 *
 * @example
 * const sub = crop(v, { z: [10, 60], x: [0, 128] });
 */
export function crop<V extends Volume>(volume: V, box: CropBox): V {
  const [nz, ny, nx] = volume.shape;
  const range = (axis: Axis, n: number): [number, number] => {
    const r = box[axis];
    if (r === undefined) return [0, n];
    let [a, b] = r;
    checkNumber(`crop ${axis} start`, a, { integer: true });
    checkNumber(`crop ${axis} stop`, b, { integer: true });
    if (a < 0) a += n;
    if (b < 0) b += n;
    if (a < 0 || b > n || a >= b) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `crop ${axis} range [${r[0]}, ${r[1]}) is empty or outside [0, ${n})`);
    }
    return [a, b];
  };
  const [z0, z1] = range("z", nz);
  const [y0, y1] = range("y", ny);
  const [x0, x1] = range("x", nx);
  const shape: Triple = [z1 - z0, y1 - y0, x1 - x0];
  const Ctor = ctorOf(dtypeOf(volume.data));
  checkAllocation(voxelCount(shape) * Ctor.BYTES_PER_ELEMENT, "the cropped volume");
  const out = new Ctor(voxelCount(shape));
  const d = volume.data;
  let o = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const start = (z * ny + y) * nx;
      out.set(d.subarray(start + x0, start + x1), o);
      o += shape[2];
    }
  }
  const v = createVolume(out, shape, volume.spacing);
  return (isLabelVolume(volume) ? labelVolume(v as Volume<LabelArray>, volume.phases) : v) as V;
}

/** Summary statistics of a volume; NaN voxels are counted apart and skipped. */
export interface Statistics {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation (NumPy's default, ddof = 0). */
  readonly std: number;
  readonly count: number;
  readonly nanCount: number;
}

/**
 * min, max, mean and standard deviation (two-pass for accuracy).
 *
 * @example
 * const { mean, std } = statistics(v);
 */
export function statistics(volume: Volume): Statistics {
  const d = volume.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let nan = 0;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (x !== x) {
      nan++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const count = d.length - nan;
  const mean = count > 0 ? sum / count : NaN;
  let ss = 0;
  let comp = 0;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (x !== x) continue;
    const e = x - mean;
    ss += e * e;
    comp += e;
  }
  // Corrected two-pass formula: removes the rounding error of the mean.
  const std = count > 0 ? Math.sqrt(Math.max(0, (ss - (comp * comp) / count) / count)) : NaN;
  return { min: count ? min : NaN, max: count ? max : NaN, mean, std, count, nanCount: nan };
}

export interface HistogramOptions {
  /** Number of equal-width bins (default 256). */
  bins?: number;
  /** [lo, hi] of the bins (default: the data's min and max). Values outside are not counted. */
  range?: readonly [number, number];
}

export interface Histogram {
  /** counts[i] counts values in [edges[i], edges[i+1]); the last bin includes its right edge, as NumPy does. */
  readonly counts: Float64Array;
  readonly edges: Float64Array;
}

/**
 * A histogram with NumPy's bin rule (`numpy.histogram(data, bins, range)`).
 *
 * @example
 * const h = histogram(v, { bins: 64 });
 */
export function histogram(volume: Volume, options: HistogramOptions = {}): Histogram {
  const bins = checkNumber("bins", options.bins ?? 256, { min: 1, max: 1 << 24, integer: true });
  let lo: number;
  let hi: number;
  if (options.range) {
    [lo, hi] = options.range;
    checkNumber("range[0]", lo);
    checkNumber("range[1]", hi);
    if (hi < lo) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `histogram range must have lo <= hi, got [${lo}, ${hi}]`);
  } else {
    const s = statistics(volume);
    lo = Number.isNaN(s.min) ? 0 : s.min;
    hi = Number.isNaN(s.max) ? 1 : s.max;
  }
  if (lo === hi) {
    // NumPy widens an empty range by 0.5 on each side.
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  const d = volume.data;
  const scale = bins / (hi - lo);
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (!(x >= lo && x <= hi)) continue;
    let b = Math.floor((x - lo) * scale);
    if (b >= bins) b = bins - 1;
    // Guard the rounding at bin edges so that edges[b] <= x < edges[b+1].
    if (b > 0 && x < edges[b]) b--;
    else if (b < bins - 1 && x >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { counts, edges };
}

export interface AsTypeOptions {
  /**
   * false (default): values are rounded (to integers) and clipped to the new
   * dtype's range. true: the data's [min, max] (or `inputRange`) is mapped
   * linearly onto the full range of an integer dtype, or onto [0, 1] for floats.
   */
  rescale?: boolean;
  /** The input range to map when rescaling (default: the data's min and max). */
  inputRange?: readonly [number, number];
}

/**
 * Converts to another dtype, with or without rescaling. NaN becomes 0 in
 * integer dtypes.
 *
 * @example
 * const u8 = astype(floatVolume, "uint8", { rescale: true });
 */
export function astype(volume: Volume, dtype: DType, options: AsTypeOptions = {}): Volume {
  const Ctor = ctorOf(dtype);
  const n = volume.data.length;
  checkAllocation(n * Ctor.BYTES_PER_ELEMENT, `the ${dtype} copy`, n);
  const out = new Ctor(n);
  const d = volume.data;
  const toFloat = isFloatDType(dtype);
  const [lo, hi] = DTYPE_RANGE[dtype];
  if (options.rescale) {
    let a: number;
    let b: number;
    if (options.inputRange) [a, b] = options.inputRange;
    else {
      const s = statistics(volume);
      a = s.min;
      b = s.max;
    }
    const [oa, ob] = toFloat ? [0, 1] : [lo, hi];
    const k = b > a ? (ob - oa) / (b - a) : 0;
    for (let i = 0; i < n; i++) {
      let y = oa + (d[i] - a) * k;
      if (!toFloat) y = y !== y ? 0 : Math.round(Math.min(ob, Math.max(oa, y)));
      out[i] = y;
    }
  } else if (toFloat) {
    out.set(d);
  } else {
    for (let i = 0; i < n; i++) {
      const x = d[i];
      out[i] = x !== x ? 0 : Math.round(Math.min(hi, Math.max(lo, x)));
    }
  }
  return createVolume(out, volume.shape, volume.spacing);
}
