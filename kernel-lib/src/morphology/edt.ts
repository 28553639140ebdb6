import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import { type Triple, type Volume, checkAllocation, createVolume } from "../volume";
import { type ForegroundOptions, type ProgressOptions, checkVolume, foregroundBytes, reportProgress } from "./mask";

export interface DistanceTransformOptions extends ForegroundOptions, ProgressOptions {
  /** "um" (default): distances in micrometres using the spacing; "voxels": unit spacing. */
  unit?: "um" | "voxels";
  /** Overrides the volume's spacing [dz, dy, dx] (µm). */
  spacing_um?: readonly [number, number, number];
  /** Output element type (default "float32"; "float64" keeps full precision). */
  dtype?: "float32" | "float64";
  /** Also return, for every voxel, the linear index of its nearest background voxel. */
  returnIndices?: boolean;
}

export interface DistanceTransformResult {
  /** Distance from each foreground voxel to the nearest background voxel (0 on background). */
  readonly distance: Volume<Float32Array | Float64Array>;
  /**
   * With `returnIndices`: linear index `(z * ny + y) * nx + x` of the nearest
   * background voxel (the voxel itself on background; -1 when there is no background).
   * Ties between equally near voxels may be broken differently from SciPy.
   */
  readonly indices?: Volume<Int32Array>;
}

/**
 * One line of the Felzenszwalb–Huttenlocher lower envelope of parabolas
 * (Theory of Computing 8, 2012): d[p] = min_q (s2·(p−q)² + f[q]).
 * Infinite f[q] (no feature on that line yet) are skipped.
 */
function envelope1d(
  f: Float64Array, len: number, s2: number, d: Float64Array, arg: Int32Array,
  v: Int32Array, zb: Float64Array,
): boolean {
  let k = -1;
  for (let q = 0; q < len; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const gq = fq + s2 * q * q;
    let s = -Infinity;
    while (k >= 0) {
      const r = v[k];
      s = (gq - (f[r] + s2 * r * r)) / (2 * s2 * (q - r));
      if (s <= zb[k]) k--;
      else break;
    }
    if (k < 0) {
      k = 0;
      v[0] = q;
      zb[0] = -Infinity;
    } else {
      k++;
      v[k] = q;
      zb[k] = s;
    }
  }
  if (k < 0) return false;
  zb[k + 1] = Infinity;
  let j = 0;
  for (let p = 0; p < len; p++) {
    while (zb[j + 1] < p) j++;
    const q = v[j];
    const t = p - q;
    d[p] = s2 * t * t + f[q];
    arg[p] = q;
  }
  return true;
}

/**
 * Squared Euclidean distance of every voxel to the nearest voxel with
 * fg = 0, written into `out` (any float array), separably along x, y, z.
 * `idx` (optional) receives the linear index of that nearest voxel.
 * Infinity (and -1) where there is no such voxel at all.
 * `how.phase`: read a label volume directly, background = every value but this
 * one (no mask to build: one array less to allocate and fill). `how.sqrt`:
 * write distances instead of squared distances (fused into the last pass).
 */
export function squaredDistance(
  fg: ArrayLike<number>,
  shape: Triple,
  spacing: Triple,
  out: Float32Array | Float64Array,
  idx: Int32Array | undefined,
  progress: ProgressOptions = {},
  how: { phase?: number; sqrt?: boolean } = {},
): void {
  const [nz, ny, nx] = shape;
  const maxLen = Math.max(nz, ny, nx);
  const f = new Float64Array(maxLen);
  const d = new Float64Array(maxLen);
  const arg = new Int32Array(maxLen);
  const v = new Int32Array(maxLen);
  const zb = new Float64Array(maxLen + 1);
  const fi = idx ? new Int32Array(maxLen) : undefined;
  const [sz, sy, sx] = spacing;
  const total = nz * 2 + ny;
  // Pass 1, along x: the input is binary, so the nearest background in the row is a two-sweep scan.
  const sx2 = sx * sx;
  // Background test: fg[i] === 0, or with a phase fg[i] !== phase, as (fg[i] === val) === bgIfEqual.
  const bgIfEqual = how.phase === undefined;
  const val = how.phase ?? 0;
  for (let z = 0; z < nz; z++) {
    throwIfAborted(progress.signal);
    for (let y = 0; y < ny; y++) {
      const b = (z * ny + y) * nx;
      let last = -1;
      for (let x = 0; x < nx; x++) {
        if ((fg[b + x] === val) === bgIfEqual) last = x;
        arg[x] = last;
      }
      last = -1;
      for (let x = nx - 1; x >= 0; x--) {
        if ((fg[b + x] === val) === bgIfEqual) last = x;
        const l = arg[x];
        let q = -1;
        if (l >= 0 && (last < 0 || x - l <= last - x)) q = l;
        else if (last >= 0) q = last;
        if (q < 0) {
          out[b + x] = Infinity;
          if (idx) idx[b + x] = -1;
        } else {
          const t = x - q;
          out[b + x] = sx2 * t * t;
          if (idx) idx[b + x] = b + q;
        }
      }
    }
  }
  reportProgress(progress, nz / total);
  // Pass 2, along y, one z slab at a time (cache-friendly).
  const sy2 = sy * sy;
  for (let z = 0; z < nz; z++) {
    throwIfAborted(progress.signal);
    for (let x = 0; x < nx; x++) {
      const b = z * ny * nx + x;
      let any = false;
      for (let y = 0; y < ny; y++) {
        const w = out[b + y * nx];
        f[y] = w;
        if (w !== 0) any = true;
        if (fi) fi[y] = idx![b + y * nx];
      }
      // An all-background column stays 0 (its indices already point at itself).
      if (!any || !envelope1d(f, ny, sy2, d, arg, v, zb)) continue;
      for (let y = 0; y < ny; y++) {
        out[b + y * nx] = d[y];
        if (fi) idx![b + y * nx] = fi[arg[y]];
      }
    }
  }
  reportProgress(progress, (2 * nz) / total);
  // Pass 3, along z. Columns are gathered 16 at a time, so each plane is read and
  // written one cache line at a time instead of one line per column.
  const sz2 = sz * sz;
  const plane = ny * nx;
  const root = how.sqrt === true;
  const f32 = out instanceof Float32Array;
  if (nz > 1) {
    const B = 16;
    const blk = new Float64Array(nz * B);
    const bix = fi ? new Int32Array(nz * B) : undefined;
    for (let y = 0; y < ny; y++) {
      throwIfAborted(progress.signal);
      for (let x0 = 0; x0 < nx; x0 += B) {
        const w = Math.min(B, nx - x0);
        const b0 = y * nx + x0;
        for (let z = 0; z < nz; z++) {
          const o = b0 + z * plane;
          for (let c = 0; c < w; c++) {
            blk[z * B + c] = out[o + c];
            if (bix) bix[z * B + c] = idx![o + c];
          }
        }
        for (let c = 0; c < w; c++) {
          let any = false;
          for (let z = 0; z < nz; z++) {
            const e = blk[z * B + c];
            f[z] = e;
            if (e !== 0) any = true;
            if (fi) fi[z] = bix![z * B + c];
          }
          if (!any || !envelope1d(f, nz, sz2, d, arg, v, zb)) continue;
          for (let z = 0; z < nz; z++) {
            blk[z * B + c] = d[z];
            if (fi) bix![z * B + c] = fi[arg[z]];
          }
        }
        for (let z = 0; z < nz; z++) {
          const o = b0 + z * plane;
          // fround first on float32 output: the same numbers as storing d² and taking the root after.
          if (root && f32) for (let c = 0; c < w; c++) out[o + c] = Math.sqrt(Math.fround(blk[z * B + c]));
          else if (root) for (let c = 0; c < w; c++) out[o + c] = Math.sqrt(blk[z * B + c]);
          else for (let c = 0; c < w; c++) out[o + c] = blk[z * B + c];
          if (bix) for (let c = 0; c < w; c++) idx![o + c] = bix[z * B + c];
        }
      }
    }
  } else if (root) {
    for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]);
  }
  reportProgress(progress, 1);
}

export function resolveSpacing(volume: Volume, options: { unit?: "um" | "voxels"; spacing_um?: readonly number[] }): Triple {
  if (options.unit !== undefined && options.unit !== "um" && options.unit !== "voxels") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `unit must be "um" or "voxels", got ${String(options.unit)}`);
  }
  if (options.unit === "voxels") return [1, 1, 1];
  const s = options.spacing_um ?? volume.spacing;
  if (!Array.isArray(s) || s.length !== 3 || s.some((x) => !(Number.isFinite(x) && x > 0))) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `spacing_um must be three positive numbers [dz, dy, dx], got ${JSON.stringify(s)}`);
  }
  return [s[0], s[1], s[2]];
}

/**
 * Exact Euclidean distance transform: for every foreground voxel (non-zero, or
 * the chosen `phase`), the distance to the nearest background voxel; 0 on the
 * background. Same definition as `scipy.ndimage.distance_transform_edt(mask,
 * sampling=spacing)`: voxel centres, anisotropic spacing honoured, the outside
 * of the volume is not background. Linear time (separable lower envelopes).
 * A volume with no background gives Infinity everywhere.
 *
 * @example
 * const { distance } = distanceTransform(labels, { phase: 1 }); // µm to the nearest non-particle voxel
 */
export function distanceTransform(volume: Volume, options: DistanceTransformOptions = {}): DistanceTransformResult {
  const spacing = resolveSpacing(volume, options);
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `dtype must be "float32" or "float64", got ${String(dtype)}`);
  }
  // One phase of a volume is read in place; other foreground choices build a 0/1 mask first.
  const direct = typeof options.phase === "number" && Number.isFinite(options.phase) && volume?.data !== undefined;
  if (direct) checkVolume(volume, "volume");
  const fg: ArrayLike<number> = direct ? volume.data : foregroundBytes(volume, options);
  const n = fg.length;
  const bytes = n * (dtype === "float32" ? 4 : 8) + (options.returnIndices ? 4 * n : 0);
  checkAllocation(bytes, "the distance transform", n);
  const out = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  const idx = options.returnIndices ? new Int32Array(n) : undefined;
  squaredDistance(fg, volume.shape, spacing, out, idx, options, { phase: direct ? (options.phase as number) : undefined, sqrt: true });
  const result: { distance: Volume<Float32Array | Float64Array>; indices?: Volume<Int32Array> } = {
    distance: createVolume(out, volume.shape, volume.spacing),
  };
  if (idx) result.indices = createVolume(idx, volume.shape, volume.spacing);
  return result;
}
