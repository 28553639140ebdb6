/**
 * Downsampling by integer factors: block mean for grey volumes, block mode (or
 * nearest voxel) for label volumes. Used by the display (volumes past the size
 * cap) and by anyone who wants a coarser volume ("block-mean downsampling").
 *
 * Blocks start at voxel 0 along each axis. When an axis is not a multiple of
 * its factor, the last block is partial: with `edge: "partial"` (default) it
 * still becomes one output voxel (mean / mode of the voxels it has), so no data
 * is dropped; with `edge: "trim"` it is dropped, which is exactly NumPy's
 * `v[:nz//fz*fz, ...].reshape(nz//fz, fz, ny//fy, fy, nx//fx, fx).mean(axis=(1, 3, 5))`.
 * The output spacing is the input spacing times the factor along each axis.
 */
import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import { type DType, type LabelArray, type VoxelArray, DTYPE_RANGE, ctorOf, dtypeOf, isFloatDType } from "./dtype";
import { checkAllocation } from "./memory";
import { type LabelVolume, type Triple, type Volume, createVolume, distinctValues, isLabelVolume, labelVolume, voxelCount } from "./volume";

/** A factor per axis [fz, fy, fx] (positive integers), or one factor for all three. */
export type DownsampleFactor = number | readonly [number, number, number];

export interface DownsampleOptions {
  /** Block size per axis [fz, fy, fx], or one integer for all axes. 1 = keep the axis. */
  factor: DownsampleFactor;
  /** What to do with the partial last block of an axis not divisible by its factor (default "partial"). */
  edge?: "partial" | "trim";
  /**
   * Output dtype of `downsample`. Default: "float64" for float64 input, "float32"
   * for every other dtype (block means are fractional). "same" keeps the input dtype,
   * rounding means to the nearest integer (halves away from zero) and clipping to its range.
   */
  dtype?: "float32" | "float64" | "same";
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface DownsampleLabelsOptions extends Omit<DownsampleOptions, "dtype"> {
  /**
   * "mode" (default): the most frequent value of each block, ties to the smallest value
   * (as `scipy.stats.mode`). "nearest": the voxel nearest the block's centre, i.e. at
   * offset floor(blockSize / 2) inside the block (NumPy `v[fz//2::fz, fy//2::fy, fx//2::fx]`
   * for full blocks); much faster, and it keeps thin features less well.
   */
  method?: "mode" | "nearest";
}

/** Normalises a factor to [fz, fy, fx] of positive integers. */
function parseFactor(factor: unknown): [number, number, number] {
  const f = typeof factor === "number" ? [factor, factor, factor] : factor;
  if (!Array.isArray(f) || f.length !== 3 || f.some((x) => typeof x !== "number" || !Number.isInteger(x) || x < 1)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `downsample factor must be a positive integer or [fz, fy, fx] of positive integers, got ${JSON.stringify(factor)}`,
    );
  }
  return [f[0], f[1], f[2]];
}

function parseOptions<O extends { factor: DownsampleFactor }>(arg: DownsampleFactor | O): O {
  if (typeof arg === "number" || Array.isArray(arg)) return { factor: arg } as O;
  if (typeof arg !== "object" || arg === null) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `downsample needs a factor or { factor }, got ${String(arg)}`);
  }
  return arg as O;
}

interface Plan {
  factor: [number, number, number];
  shape: [number, number, number];
  /** Input voxels used per axis (all of them for "partial", whole blocks only for "trim"). */
  used: [number, number, number];
}

function plan(volume: Volume, factorArg: unknown, edge: unknown): Plan {
  const factor = parseFactor(factorArg);
  if (edge !== undefined && edge !== "partial" && edge !== "trim") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `edge must be "partial" or "trim", got ${String(edge)}`);
  }
  const shape = [0, 0, 0] as [number, number, number];
  const used = [0, 0, 0] as [number, number, number];
  for (let a = 0; a < 3; a++) {
    const n = volume.shape[a];
    const f = factor[a];
    if (edge === "trim") {
      shape[a] = Math.floor(n / f);
      used[a] = shape[a] * f;
      if (shape[a] === 0) {
        throw new TomolyteError(
          ERROR_CODES.INVALID_ARGUMENT,
          `downsample factor ${f} along ${"zyx"[a]} exceeds the axis length ${n}: with edge "trim" nothing is left; use edge "partial" or a smaller factor`,
        );
      }
    } else {
      shape[a] = Math.ceil(n / f);
      used[a] = n;
    }
  }
  return { factor, shape, used };
}

function outSpacing(volume: Volume, factor: readonly number[]): Triple {
  return [volume.spacing[0] * factor[0], volume.spacing[1] * factor[1], volume.spacing[2] * factor[2]];
}

/** Output index of each input coordinate along one axis (-1 past the used extent). */
function blockIndex(n: number, used: number, f: number): Int32Array {
  const m = new Int32Array(n).fill(-1);
  for (let i = 0; i < used; i++) m[i] = Math.floor(i / f);
  return m;
}

/**
 * Block-mean downsampling of a grey volume by integer factors.
 *
 * NaN voxels make their block NaN (as NumPy's mean). Label volumes are refused:
 * the mean of labels is not a label; use `downsampleLabels`.
 *
 * @example
 * const half = downsample(v, 2);                                  // 256³ -> 128³ float32
 * const z4 = downsample(v, { factor: [4, 1, 1] });                // only along z
 * const u8 = downsample(v, { factor: 2, dtype: "same" });         // uint8 in, uint8 out (rounded)
 * const np = downsample(v, { factor: 3, edge: "trim" });          // NumPy reshape-mean exactly
 */
export function downsample(volume: Volume, factorOrOptions: DownsampleFactor | DownsampleOptions): Volume {
  const opts = parseOptions<DownsampleOptions>(factorOrOptions);
  const inType = dtypeOf(volume.data);
  if (isLabelVolume(volume)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      "downsample averages voxels, which mixes labels; use downsampleLabels(labels, factor) for a label volume",
    );
  }
  const { factor, shape, used } = plan(volume, opts.factor, opts.edge);
  let outType: DType;
  if (opts.dtype === undefined) outType = inType === "float64" ? "float64" : "float32";
  else if (opts.dtype === "same") outType = inType;
  else if (opts.dtype === "float32" || opts.dtype === "float64") outType = opts.dtype;
  else {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `dtype must be "float32", "float64" or "same", got ${String(opts.dtype)}`);
  }
  const [, ny, nx] = volume.shape;
  const [onz, ony, onx] = shape;
  const [fz, fy, fx] = factor;
  const n = voxelCount(shape);
  const Ctor = ctorOf(outType);
  checkAllocation(n * Ctor.BYTES_PER_ELEMENT + ony * onx * 8, `the ${shape.join("×")} downsampled volume`, n);
  const out = new Ctor(n);
  const d = volume.data;
  const xmap = blockIndex(nx, used[2], fx);
  const plane = new Float64Array(ony * onx);
  // Voxel count of each block along y and x (the last block may be partial).
  const cy = new Float64Array(ony);
  const cx = new Float64Array(onx);
  for (let y = 0; y < used[1]; y++) cy[Math.floor(y / fy)]++;
  for (let x = 0; x < used[2]; x++) cx[xmap[x]]++;
  const round = !isFloatDType(outType);
  const [lo, hi] = DTYPE_RANGE[outType];
  for (let oz = 0; oz < onz; oz++) {
    throwIfAborted(opts.signal);
    plane.fill(0);
    const z0 = oz * fz;
    const z1 = Math.min(z0 + fz, used[0]);
    for (let z = z0; z < z1; z++) {
      for (let y = 0; y < used[1]; y++) {
        const row = Math.floor(y / fy) * onx;
        const base = (z * ny + y) * nx;
        for (let x = 0; x < used[2]; x++) plane[row + xmap[x]] += d[base + x];
      }
    }
    const cz = z1 - z0;
    const o = oz * ony * onx;
    for (let oy = 0; oy < ony; oy++) {
      for (let ox = 0; ox < onx; ox++) {
        let m = plane[oy * onx + ox] / (cz * cy[oy] * cx[ox]);
        if (round) {
          // Round half away from zero (Math.round rounds -2.5 to -2), then clip.
          m = m < 0 ? -Math.round(-m) : Math.round(m);
          m = m < lo ? lo : m > hi ? hi : m;
        }
        out[o + oy * onx + ox] = m;
      }
    }
    opts.onProgress?.((oz + 1) / onz);
  }
  return createVolume(out, shape, outSpacing(volume, factor));
}

/**
 * Downsampling for label volumes (and any integer volume whose values are
 * categories): each block becomes its most frequent value ("mode", ties to the
 * smallest value) or the voxel nearest its centre ("nearest"). The dtype and
 * the phase table are kept.
 *
 * @example
 * const small = downsampleLabels(labels, 4);                          // 256³ -> 64³, mode
 * const fast = downsampleLabels(labels, { factor: 4, method: "nearest" });
 * small.phases === labels.phases // same table
 */
export function downsampleLabels<V extends Volume>(labels: V, factorOrOptions: DownsampleFactor | DownsampleLabelsOptions): V {
  const opts = parseOptions<DownsampleLabelsOptions>(factorOrOptions);
  const method = opts.method ?? "mode";
  if (method !== "mode" && method !== "nearest") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `method must be "mode" or "nearest", got ${String(method)}`);
  }
  const dtype = dtypeOf(labels.data);
  const { factor, shape, used } = plan(labels, opts.factor, opts.edge);
  const [, ny, nx] = labels.shape;
  const [onz, ony, onx] = shape;
  const [fz, fy, fx] = factor;
  const n = voxelCount(shape);
  const Ctor = ctorOf(dtype);
  checkAllocation(n * Ctor.BYTES_PER_ELEMENT, `the ${shape.join("×")} downsampled labels`, n);
  const out = new Ctor(n) as VoxelArray;
  const d = labels.data;
  if (method === "nearest") {
    const pick = (o: number, f: number, u: number) => {
      const start = o * f;
      const size = Math.min(f, u - start);
      return start + Math.floor(size / 2);
    };
    for (let oz = 0; oz < onz; oz++) {
      throwIfAborted(opts.signal);
      const z = pick(oz, fz, used[0]);
      for (let oy = 0; oy < ony; oy++) {
        const y = pick(oy, fy, used[1]);
        const base = (z * ny + y) * nx;
        const o = (oz * ony + oy) * onx;
        for (let ox = 0; ox < onx; ox++) out[o + ox] = d[base + pick(ox, fx, used[2])];
      }
      opts.onProgress?.((oz + 1) / onz);
    }
  } else {
    // Values -> dense indices (ascending), so that counting is an array increment
    // and "smallest index with the top count" is "smallest value".
    const values = distinctValues(labels);
    const k = values.length;
    let indexOf: (v: number) => number;
    if (dtype === "uint8" || dtype === "int8" || dtype === "uint16" || dtype === "int16") {
      const lo = DTYPE_RANGE[dtype][0];
      const lut = new Int32Array(DTYPE_RANGE[dtype][1] - lo + 1);
      values.forEach((v, i) => (lut[v - lo] = i));
      indexOf = (v) => lut[v - lo];
    } else {
      const map = new Map<number, number>();
      values.forEach((v, i) => map.set(v, i));
      indexOf = (v) => map.get(v) ?? 0;
    }
    const counts = new Int32Array(k);
    const touched = new Int32Array(Math.min(k, fz * fy * fx));
    // Per block: count its values, pick the top, reset only what was touched.
    for (let oz = 0; oz < onz; oz++) {
      throwIfAborted(opts.signal);
      const z0 = oz * fz;
      const z1 = Math.min(z0 + fz, used[0]);
      for (let oy = 0; oy < ony; oy++) {
        const y0 = oy * fy;
        const y1 = Math.min(y0 + fy, used[1]);
        for (let ox = 0; ox < onx; ox++) {
          const x0 = ox * fx;
          const x1 = Math.min(x0 + fx, used[2]);
          let nt = 0;
          for (let z = z0; z < z1; z++) {
            for (let y = y0; y < y1; y++) {
              const base = (z * ny + y) * nx;
              for (let x = x0; x < x1; x++) {
                const c = indexOf(d[base + x]);
                if (counts[c]++ === 0) touched[nt++] = c;
              }
            }
          }
          let best = touched[0];
          for (let t = 1; t < nt; t++) {
            const c = touched[t];
            if (counts[c] > counts[best] || (counts[c] === counts[best] && c < best)) best = c;
          }
          for (let t = 0; t < nt; t++) counts[touched[t]] = 0;
          out[(oz * ony + oy) * onx + ox] = values[best];
        }
      }
      opts.onProgress?.((oz + 1) / onz);
    }
  }
  const v = createVolume(out, shape, outSpacing(labels, factor));
  return (isLabelVolume(labels) ? labelVolume(v as Volume<LabelArray>, (labels as LabelVolume).phases) : v) as V;
}

/**
 * The smallest isotropic integer factor f that brings a shape to at most
 * `maxVoxels` voxels with `downsample(..., { factor: [min(f, nz), min(f, ny), min(f, nx)] })`
 * (edge "partial"). Returns [1, 1, 1] when the shape already fits.
 *
 * @example
 * downsampleFactorFor([512, 512, 512], 16 * 1024 ** 2) // [2, 2, 2]
 * downsampleFactorFor([4, 4096, 4096], 16 * 1024 ** 2) // [2, 2, 2] (z stays 2)
 */
export function downsampleFactorFor(shape: readonly number[], maxVoxels: number): [number, number, number] {
  if (!(Number.isFinite(maxVoxels) && maxVoxels >= 1)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `maxVoxels must be a number >= 1, got ${maxVoxels}`);
  }
  const maxF = Math.max(shape[0], shape[1], shape[2]);
  for (let f = 1; f <= maxF; f++) {
    const fs = [Math.min(f, shape[0]), Math.min(f, shape[1]), Math.min(f, shape[2])] as [number, number, number];
    const count = Math.ceil(shape[0] / fs[0]) * Math.ceil(shape[1] / fs[1]) * Math.ceil(shape[2] / fs[2]);
    if (count <= maxVoxels) return fs;
  }
  return [shape[0], shape[1], shape[2]];
}
