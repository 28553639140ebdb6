import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type DType, type VoxelArray, type Volume, createVolume } from "../volume";
import {
  type BoundaryMode,
  type BoundaryOptions,
  type ProgressOptions,
  allocOut,
  checkGreyInput,
  checkMode,
  floatOutDType,
  indexMap,
  perAxis,
  runInSlabs,
  storePlane,
} from "./common";

export interface GaussianOptions extends BoundaryOptions, ProgressOptions {
  /** Standard deviation in voxels, one number or [z, y, x]. A 0 skips that axis. */
  sigmaVoxels?: number | readonly [number, number, number];
  /** Standard deviation in micrometres (divided by each axis' spacing), one number or [z, y, x]. */
  sigma_um?: number | readonly [number, number, number];
  /** The kernel stops at `truncate` standard deviations (default 4, as SciPy). */
  truncate?: number;
  /** Output dtype (default float32, float64 for float64 input); integer outputs are rounded and clipped. */
  dtype?: DType;
}

/** @internal What a worker needs to compute planes of a Gaussian filter. */
export interface SeparableParams {
  /** Normalised 1D weights per axis (z, y, x); empty where the axis is skipped. */
  weights: [number[], number[], number[]];
  mode: BoundaryMode;
  cval: number;
  outDType: DType;
  /**
   * Round to float32 after each axis pass, as SciPy does for a float32 array (it
   * stores every 1D pass in the output array): set for float32 in and out.
   */
  float32Passes?: boolean;
}

/**
 * SciPy's 1D Gaussian kernel: radius = int(truncate * sigma + 0.5), weights
 * exp(-x²/2σ²) normalised to sum 1.
 *
 * @example
 * gaussianKernel1d(1, 4) // 9 weights, sum 1
 */
export function gaussianKernel1d(sigma: number, truncate = 4): number[] {
  checkNumber("sigma", sigma, { min: 0, exclusiveMin: true });
  checkNumber("truncate", truncate, { min: 0, exclusiveMin: true });
  const r = Math.floor(truncate * sigma + 0.5);
  const w: number[] = [];
  let s = 0;
  for (let x = -r; x <= r; x++) {
    const v = Math.exp((-0.5 * x * x) / (sigma * sigma));
    w.push(v);
    s += v;
  }
  return w.map((v) => v / s);
}

/** @internal Validates options and builds the kernels. */
export function prepareGaussian(volume: Volume, options: GaussianOptions): SeparableParams {
  const inDType = checkGreyInput(volume, "gaussian");
  const sig = perAxis("sigma", options.sigmaVoxels, options.sigma_um, volume.spacing, { allowZero: true });
  const truncate = checkNumber("truncate", options.truncate ?? 4, { min: 0, exclusiveMin: true });
  const mode = checkMode(options.mode);
  const cval = checkNumber("cval", options.cval ?? 0);
  // SciPy skips axes whose sigma is (almost) zero.
  const weights = sig.map((s) => (s > 1e-15 ? gaussianKernel1d(s, truncate) : [])) as [number[], number[], number[]];
  const outDType = floatOutDType(inDType, options.dtype);
  return { weights, mode, cval, outDType, float32Passes: inDType === "float32" && outDType === "float32" };
}

/**
 * @internal Computes output planes [z0, z1) of a separable correlation with
 * per-axis weights (z pass, then y, then x, as scipy.ndimage orders its 1D
 * passes), accumulating in float64. Each plane depends only on its z index.
 * Plane z goes to out[(z - outBaseZ) * ny * nx ...].
 */
export function separablePlanes(volume: Volume, p: SeparableParams, z0: number, z1: number, out: VoxelArray, outBaseZ = 0): void {
  const [nz, ny, nx] = volume.shape;
  const src = volume.data;
  const plane = ny * nx;
  const [wz, wy, wx] = p.weights;
  const rz = wz.length >> 1;
  const ry = wy.length >> 1;
  const rx = wx.length >> 1;
  const zmap = indexMap(nz, rz, p.mode);
  const ymap = indexMap(ny, ry, p.mode);
  const xmap = indexMap(nx, rx, p.mode);
  const cval = p.cval;
  const a = new Float64Array(plane);
  const b = new Float64Array(plane);
  const line = new Float64Array(nx + 2 * rx);
  // Symmetric weights (Gaussian, box) let mirrored taps share a multiply.
  const sym = [wz, wy, wx].map((w) => w.every((v, i) => v === w[w.length - 1 - i]));
  for (let z = z0; z < z1; z++) {
    // z pass into a (symmetric kernels: the two planes at ±k share one multiply)
    if (wz.length === 0) {
      const o = z * plane;
      for (let i = 0; i < plane; i++) a[i] = src[o + i];
    } else {
      const zc = zmap[z + rz];
      const wc = wz[rz];
      if (zc < 0) a.fill(wc * cval);
      else {
        const o = zc * plane;
        for (let i = 0; i < plane; i++) a[i] = wc * src[o + i];
      }
      for (let k = 0; k < rz; k++) {
        const w = wz[k];
        const z1 = zmap[z + k];
        const z2 = zmap[z + 2 * rz - k];
        if (z1 >= 0 && z2 >= 0 && sym[0]) {
          const o1 = z1 * plane;
          const o2 = z2 * plane;
          for (let i = 0; i < plane; i++) a[i] += w * (src[o1 + i] + src[o2 + i]);
        } else {
          for (const [zz, ww] of [[z1, w], [z2, wz[2 * rz - k]]]) {
            if (zz < 0) {
              const c = ww * cval;
              for (let i = 0; i < plane; i++) a[i] += c;
            } else {
              const o = zz * plane;
              for (let i = 0; i < plane; i++) a[i] += ww * src[o + i];
            }
          }
        }
      }
    }
    if (p.float32Passes && wz.length > 0) for (let i = 0; i < plane; i++) a[i] = Math.fround(a[i]);
    // y pass into b
    let cur = a;
    if (wy.length > 0) {
      b.fill(0);
      for (let y = 0; y < ny; y++) {
        const ob = y * nx;
        if (sym[1]) {
          const yc = ymap[y + ry];
          const wc = wy[ry];
          const oc = yc * nx;
          if (yc < 0) for (let x = 0; x < nx; x++) b[ob + x] = wc * cval;
          else for (let x = 0; x < nx; x++) b[ob + x] = wc * a[oc + x];
          for (let k = 0; k < ry; k++) {
            const w = wy[k];
            const y1 = ymap[y + k];
            const y2 = ymap[y + 2 * ry - k];
            if (y1 >= 0 && y2 >= 0) {
              const o1 = y1 * nx;
              const o2 = y2 * nx;
              for (let x = 0; x < nx; x++) b[ob + x] += w * (a[o1 + x] + a[o2 + x]);
            } else {
              const v1 = y1 < 0 ? -1 : y1 * nx;
              const v2 = y2 < 0 ? -1 : y2 * nx;
              for (let x = 0; x < nx; x++) b[ob + x] += w * ((v1 < 0 ? cval : a[v1 + x]) + (v2 < 0 ? cval : a[v2 + x]));
            }
          }
          continue;
        }
        for (let k = 0; k < wy.length; k++) {
          const w = wy[k];
          const yy = ymap[y + k];
          if (yy < 0) {
            const c = w * cval;
            for (let x = 0; x < nx; x++) b[ob + x] += c;
          } else {
            const oa = yy * nx;
            for (let x = 0; x < nx; x++) b[ob + x] += w * a[oa + x];
          }
        }
      }
      if (p.float32Passes) for (let i = 0; i < plane; i++) b[i] = Math.fround(b[i]);
      cur = b;
    }
    // x pass, through a padded line, back into the free buffer
    if (wx.length > 0) {
      const dst = cur === a ? b : a;
      const nk = wx.length;
      for (let y = 0; y < ny; y++) {
        const o = y * nx;
        for (let j = 0; j < line.length; j++) {
          const xx = xmap[j];
          line[j] = xx < 0 ? cval : cur[o + xx];
        }
        if (sym[2]) {
          const wcx = wx[rx];
          for (let x = 0; x < nx; x++) {
            let s = wcx * line[x + rx];
            for (let k = 0; k < rx; k++) s += wx[k] * (line[x + k] + line[x + nk - 1 - k]);
            dst[o + x] = s;
          }
        } else {
          for (let x = 0; x < nx; x++) {
            let s = 0;
            for (let k = 0; k < nk; k++) s += wx[k] * line[x + k];
            dst[o + x] = s;
          }
        }
      }
      cur = dst;
    }
    storePlane(cur, out, (z - outBaseZ) * plane, p.outDType);
  }
}

/**
 * Gaussian filter, separable, with SciPy's kernel (truncated at `truncate`
 * standard deviations, radius int(truncate·σ + 0.5)) and boundary modes,
 * equal to `scipy.ndimage.gaussian_filter(v.astype(float), sigma, mode=..., truncate=...)`
 * within float rounding; a float32 volume with float32 output is rounded to float32
 * after each axis, as `gaussian_filter` does on a float32 array. Sigma in micrometres honours anisotropic spacing.
 * Integer input gives float32 output (float64 input stays float64) unless
 * `dtype` asks for another type (integers are rounded and clipped).
 * Rejects NaN/Inf voxels (TomolyteError INVALID_ARGUMENT).
 *
 * @example
 * const smooth = gaussian(ct, { sigma_um: 0.8 });              // σ = 0.8 µm on every axis
 * const s2 = gaussian(ct, { sigmaVoxels: [0, 1.5, 1.5], mode: "nearest" }); // in-plane only
 */
export function gaussian(volume: Volume, options: GaussianOptions): Volume {
  if (options === undefined || options === null) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "gaussian needs { sigmaVoxels } or { sigma_um }");
  }
  const p = prepareGaussian(volume, options);
  const out = allocOut(p.outDType, volume.data.length, "the gaussian output");
  runInSlabs(volume.shape[0], (z0, z1) => separablePlanes(volume, p, z0, z1, out), options);
  return createVolume(out, volume.shape, volume.spacing);
}
