import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Volume, checkAllocation, createVolume } from "../volume";
import { type ProgressOptions, checkGreyInput } from "./common";
import { gaussian } from "./gaussian";

export interface CuppingOptions extends ProgressOptions {
  /**
   * "radial" (default): fit a smooth even polynomial p(r) to the mean grey value
   * against the distance r from the rotation axis and subtract p(r) − mean(p)
   * inside the object. "background": subtract a strongly low-passed copy (and add
   * back its mean). "both": radial, then background.
   */
  method?: "radial" | "background" | "both";
  /**
   * The rotation axis as [y, x] in voxels; "image": the middle of the slice;
   * "auto" (default): the centroid of the object in the mean projection along z
   * (falls back to the middle when the object fills (almost) the whole slice).
   */
  center?: readonly [number, number] | "image" | "auto";
  /** Radius of the object around the axis, in voxels (in-plane, smallest spacing); default: estimated from the mean projection. */
  objectRadiusVoxels?: number;
  /** Degree of the fitted polynomial in r² (default 2: a + b r² + c r⁴). */
  degree?: number;
  /** Sigma of the low-pass for "background", in voxels (default: 1/8 of the smallest side). */
  backgroundSigmaVoxels?: number | readonly [number, number, number];
}

/** Columns of the diagnostic tables (plain arrays: `aq.table(d.perSlice)` makes a table). */
export interface CuppingDiagnostic {
  /** Rotation axis used, [y, x] voxels. */
  center: [number, number];
  /** Object radius used, in voxels of the smallest in-plane spacing. */
  objectRadiusVoxels: number;
  /** Coefficients of p(r) = Σ c_k (r/R)^(2k), r in voxels, R the object radius (radial method). */
  coefficients: number[];
  perSlice: { z: number[]; meanBefore: number[]; meanAfter: number[] };
  perRadius: { r_um: number[]; count: number[]; meanBefore: number[]; meanAfter: number[] };
}

export interface CuppingResult {
  volume: Volume;
  diagnostic: CuppingDiagnostic;
}

function radialBins(volume: Volume, center: [number, number]): { bin: Int32Array; nb: number; dmin: number } {
  const [, ny, nx] = volume.shape;
  const [, dy, dx] = volume.spacing;
  const dmin = Math.min(dy, dx);
  const bin = new Int32Array(ny * nx);
  let nb = 0;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++) {
      const r = Math.hypot(((y - center[0]) * dy) / dmin, ((x - center[1]) * dx) / dmin);
      const b = Math.floor(r + 0.5);
      bin[y * nx + x] = b;
      if (b + 1 > nb) nb = b + 1;
    }
  return { bin, nb, dmin };
}

function profile(data: ArrayLike<number>, shape: readonly number[], bin: Int32Array, nb: number): { sum: Float64Array; count: Float64Array } {
  const [nz, ny, nx] = shape;
  const sum = new Float64Array(nb);
  const count = new Float64Array(nb);
  const plane = ny * nx;
  for (let z = 0; z < nz; z++)
    for (let i = 0; i < plane; i++) {
      sum[bin[i]] += data[z * plane + i];
      count[bin[i]]++;
    }
  return { sum, count };
}

function sliceMeans(data: ArrayLike<number>, shape: readonly number[]): number[] {
  const [nz, ny, nx] = shape;
  const plane = ny * nx;
  const m: number[] = [];
  for (let z = 0; z < nz; z++) {
    let s = 0;
    for (let i = 0; i < plane; i++) s += data[z * plane + i];
    m.push(s / plane);
  }
  return m;
}

/** Solves the small normal equations A c = b (Gaussian elimination with pivoting). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    if (Math.abs(M[c][c]) < 1e-300) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "cupping: the radial fit is singular; lower degree or give objectRadiusVoxels");
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/**
 * Beam-hardening (cupping) correction. The radial method flattens the mean grey
 * value against the distance from the rotation axis (a smooth even polynomial is
 * fitted and subtracted inside the object, keeping the object's mean); the
 * background method subtracts a strongly low-passed copy. Returns the corrected
 * volume (float32; float64 for float64 input) and a diagnostic: mean grey value
 * per slice and per radial distance, before and after, as plain arrays.
 *
 * @example
 * const { volume: flat, diagnostic } = correctCupping(ct, { method: "radial" });
 * console.table(diagnostic.perRadius);
 */
export function correctCupping(volume: Volume, options: CuppingOptions = {}): CuppingResult {
  const inDType = checkGreyInput(volume, "correctCupping");
  const o = options ?? {};
  const method = o.method ?? "radial";
  if (method !== "radial" && method !== "background" && method !== "both") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `cupping method must be "radial", "background" or "both", got ${String(method)}`);
  }
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const n = nz * plane;
  const Ctor = inDType === "float64" ? Float64Array : Float32Array;
  checkAllocation(n * Ctor.BYTES_PER_ELEMENT * 2, "the cupping correction output", n);
  throwIfAborted(o.signal);

  // Mean projection along z: the object and its centre.
  const proj = new Float64Array(plane);
  for (let z = 0; z < nz; z++) for (let i = 0; i < plane; i++) proj[i] += volume.data[z * plane + i] / nz;
  let pmin = Infinity;
  let pmax = -Infinity;
  for (const v of proj) {
    if (v < pmin) pmin = v;
    if (v > pmax) pmax = v;
  }
  const thr = (pmin + pmax) / 2;
  let cy = 0;
  let cx = 0;
  let area = 0;
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++)
      if (proj[y * nx + x] > thr) {
        cy += y;
        cx += x;
        area++;
      }
  const mid: [number, number] = [(ny - 1) / 2, (nx - 1) / 2];
  let center: [number, number];
  const c = o.center ?? "auto";
  if (c === "image") center = mid;
  else if (c === "auto") center = area > 0.05 * plane && area < 0.9 * plane ? [cy / area, cx / area] : mid;
  else if (Array.isArray(c) && c.length === 2) {
    center = [checkNumber("center[0] (y)", c[0]), checkNumber("center[1] (x)", c[1])];
  } else throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `center must be [y, x] voxels, "image" or "auto", got ${JSON.stringify(c)}`);

  const { bin, nb, dmin } = radialBins(volume, center);
  let R: number;
  if (o.objectRadiusVoxels !== undefined) R = checkNumber("objectRadiusVoxels", o.objectRadiusVoxels, { min: 0, exclusiveMin: true });
  else if (area > 0.05 * plane && area < 0.9 * plane) R = Math.sqrt(area / Math.PI) * (Math.min(volume.spacing[1], volume.spacing[2]) / dmin);
  else R = nb - 1; // the object fills the field of view
  const degree = checkNumber("degree", o.degree ?? 2, { min: 0, max: 6, integer: true });

  const before = profile(volume.data, volume.shape, bin, nb);
  const out = new Ctor(n);
  out.set(volume.data);
  let coefficients: number[] = [];
  if (method === "radial" || method === "both") {
    // Fit bins well inside the object (the outer 2 voxels hold the partial-volume edge).
    const m = degree + 1;
    const A = Array.from({ length: m }, () => new Array(m).fill(0));
    const b = new Array(m).fill(0);
    const rFit = Math.max(1, R - 2);
    let used = 0;
    for (let k = 0; k < nb && k <= rFit; k++) {
      const cnt = before.count[k];
      if (cnt === 0) continue;
      used++;
      const u = (k / R) ** 2;
      const pw = Array.from({ length: m }, (_, j) => u ** j);
      const mean = before.sum[k] / cnt;
      for (let i = 0; i < m; i++) {
        b[i] += cnt * pw[i] * mean;
        for (let j = 0; j < m; j++) A[i][j] += cnt * pw[i] * pw[j];
      }
    }
    if (used < m) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `cupping: only ${used} radial bins inside the object for a degree-${degree} fit; give a larger objectRadiusVoxels or a lower degree`);
    }
    coefficients = solve(A, b);
    const poly = (k: number) => {
      const u = (k / R) ** 2;
      let s = 0;
      for (let j = coefficients.length - 1; j >= 0; j--) s = s * u + coefficients[j];
      return s;
    };
    // Reference: the count-weighted mean of p over the object, so the object's mean stays.
    let ps = 0;
    let pc = 0;
    for (let k = 0; k < nb && k <= R; k++) {
      ps += before.count[k] * poly(k);
      pc += before.count[k];
    }
    const ref = ps / pc;
    const corr = new Float64Array(nb);
    for (let k = 0; k < nb; k++) corr[k] = k <= R ? poly(k) - ref : 0;
    for (let z = 0; z < nz; z++) {
      for (let i = 0; i < plane; i++) out[z * plane + i] -= corr[bin[i]];
      if ((z & 15) === 15) throwIfAborted(o.signal);
    }
    o.onProgress?.(method === "both" ? 0.5 : 1);
  }
  if (method === "background" || method === "both") {
    const sdef = Math.max(1, Math.min(nz, ny, nx) / 8);
    const low = gaussian(createVolume(out, volume.shape, volume.spacing), {
      sigmaVoxels: o.backgroundSigmaVoxels ?? sdef,
      mode: "reflect",
      dtype: "float64",
      signal: o.signal,
    });
    let lm = 0;
    for (let i = 0; i < n; i++) lm += low.data[i];
    lm /= n;
    for (let i = 0; i < n; i++) out[i] = out[i] - low.data[i] + lm;
    o.onProgress?.(1);
  }
  const after = profile(out, volume.shape, bin, nb);
  const perRadius = { r_um: [] as number[], count: [] as number[], meanBefore: [] as number[], meanAfter: [] as number[] };
  for (let k = 0; k < nb; k++) {
    if (before.count[k] === 0) continue;
    perRadius.r_um.push(k * dmin);
    perRadius.count.push(before.count[k]);
    perRadius.meanBefore.push(before.sum[k] / before.count[k]);
    perRadius.meanAfter.push(after.sum[k] / after.count[k]);
  }
  const zs = Array.from({ length: nz }, (_, z) => z);
  return {
    volume: createVolume(out, volume.shape, volume.spacing),
    diagnostic: {
      center,
      objectRadiusVoxels: R,
      coefficients,
      perSlice: { z: zs, meanBefore: sliceMeans(volume.data, volume.shape), meanAfter: sliceMeans(out, volume.shape) },
      perRadius,
    },
  };
}
