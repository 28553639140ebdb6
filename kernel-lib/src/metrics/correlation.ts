/**
 * Two-point correlation function S2 of a phase: the probability that two
 * points a lag r apart both lie in the phase. S2(0) is the volume fraction;
 * for a lag beyond the structure's correlation length S2 tends to φ².
 */
import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Volume, type Axis, AXES, checkAllocation } from "../volume";
import { type ProgressOptions, checkLabels, resolvePhase, progress } from "./common";
import { autocorrelation3d } from "./fft";

export interface TwoPointCorrelationOptions extends ProgressOptions {
  /** The phase (value or name). */
  phase: number | string;
  /**
   * true (default): the volume is treated as periodic (PoreSpy's FFT
   * convention). false: zero padding, and each lag is normalised by the number
   * of point pairs inside the volume (uses 8× the memory).
   */
  periodic?: boolean;
  /** Largest lag to report, µm (default: half the smallest extent of the volume). */
  maxLag_um?: number;
  /** Width of the radial bins, µm (default: the smallest voxel spacing). */
  binWidth_um?: number;
}

export interface TwoPointCorrelationResult {
  readonly phase: number;
  readonly volumeFraction: number;
  readonly periodic: boolean;
  /** Radial average: mean S2 over lag vectors whose length falls in each bin. */
  readonly radial: { readonly distance_um: Float64Array; readonly s2: Float64Array; readonly count: Float64Array };
  /** S2 along each axis at lags 0, 1, 2, ... voxels. */
  readonly axes: Record<Axis, { readonly lag_um: Float64Array; readonly s2: Float64Array }>;
}

/**
 * Two-point correlation function of a phase by FFT (Wiener–Khinchin), with its
 * radial average and the curves along each axis.
 *
 * @example
 * const s2 = twoPointCorrelation(labels, { phase: 0 });
 * s2.radial.s2[0]; // ≈ porosity
 */
export function twoPointCorrelation(labels: Volume, options: TwoPointCorrelationOptions): TwoPointCorrelationResult {
  checkLabels(labels);
  const phase = resolvePhase(labels, options?.phase).value;
  const periodic = options.periodic ?? true;
  const [nz, ny, nx] = labels.shape;
  const [dz, dy, dx] = labels.spacing;
  const pad = (n: number) => {
    if (periodic || n === 1) return n;
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    return m;
  };
  const shape: [number, number, number] = [pad(nz), pad(ny), pad(nx)];
  // The half spectrum along x (the indicator is real): two float64 arrays.
  const M = shape[0] * shape[1] * ((shape[2] >> 1) + 1);
  checkAllocation(16 * M, "the FFT buffers of the two-point correlation", M);
  const d = labels.data;
  const N = nz * ny * nx;
  const lagOf = (k: number, n: number, m: number): number => {
    if (periodic) return k <= n / 2 ? k : k - n;
    if (k < n) return k;
    if (k > m - n) return k - m;
    return NaN;
  };
  const minSpacing = Math.min(dz, dy, dx);
  const defaultMax = 0.5 * Math.min(nz > 1 ? nz * dz : Infinity, ny > 1 ? ny * dy : Infinity, nx > 1 ? nx * dx : Infinity);
  const maxLag = checkNumber("maxLag_um", options.maxLag_um ?? (Number.isFinite(defaultMax) ? defaultMax : minSpacing), { min: 0 });
  const bw = checkNumber("binWidth_um", options.binWidth_um ?? minSpacing, { min: 0, exclusiveMin: true });
  const nb = Math.floor(maxLag / bw + 0.5) + 1;
  // Per axis and lag index: is the lag used, its squared length (µm²) and the number of pairs along the axis.
  const axisTables = (n: number, m: number, h: number, limit: boolean) => {
    const use = new Uint8Array(m);
    const sq = new Float64Array(m);
    const pairs = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const l = lagOf(k, n, m);
      if (Number.isNaN(l) || (limit && Math.abs(l * h) > maxLag + 0.5 * bw)) continue;
      use[k] = 1;
      sq[k] = (l * h) ** 2;
      pairs[k] = periodic ? n : n - Math.abs(l);
    }
    return { use, sq, pairs };
  };
  const tz = axisTables(nz, shape[0], dz, true);
  const ty = axisTables(ny, shape[1], dy, true);
  const tx = axisTables(nx, shape[2], dx, false);
  const sum = new Float64Array(nb);
  const cnt = new Float64Array(nb);
  const dist = new Float64Array(nb);
  const axisLen = (a: number) => {
    const n = labels.shape[a];
    return Math.max(-1, Math.min(periodic ? Math.floor(n / 2) : n - 1, Math.floor(maxLag / labels.spacing[a] + 1e-9)));
  };
  const axisS2 = [0, 1, 2].map((a) => new Float64Array(axisLen(a) + 1));
  let count = 0;
  autocorrelation3d({
    shape,
    extent: [nz, ny, nx],
    row(z, y, out) {
      const o = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        if (d[o + x] === phase) {
          out[x] = 1;
          count++;
        }
      }
    },
    wantPlane: (kz) => tz.use[kz] === 1 || kz < axisS2[0].length,
    wantRow: (ky) => ty.use[ky] === 1 || ky < axisS2[1].length,
    visit(kz, ky, values) {
      // The curves along the axes (lags k ≥ 0 only), pairs counted as N / (n − k) per axis.
      if (ky === 0 && kz < axisS2[0].length) axisS2[0][kz] = values[0] / (N / nz * (periodic ? nz : nz - kz));
      if (kz === 0 && ky < axisS2[1].length) axisS2[1][ky] = values[0] / (N / ny * (periodic ? ny : ny - ky));
      if (kz === 0 && ky === 0) {
        for (let k = 0; k < axisS2[2].length; k++) axisS2[2][k] = values[k] / (N / nx * (periodic ? nx : nx - k));
      }
      if (tz.use[kz] === 0 || ty.use[ky] === 0) return;
      const sq = tz.sq[kz] + ty.sq[ky];
      const pzy = tz.pairs[kz] * ty.pairs[ky];
      const use = tx.use, sqx = tx.sq, px = tx.pairs;
      for (let kx = 0; kx < values.length; kx++) {
        if (use[kx] === 0) continue;
        const r = Math.sqrt(sq + sqx[kx]);
        const b = Math.floor(r / bw + 0.5);
        if (b >= nb) continue;
        sum[b] += values[kx] / (pzy * px[kx]);
        cnt[b]++;
        dist[b] += r;
      }
    },
    check: (f) => progress(options, f),
  });
  const keep: number[] = [];
  for (let b = 0; b < nb; b++) if (cnt[b] > 0) keep.push(b);
  const axes = {} as Record<Axis, { lag_um: Float64Array; s2: Float64Array }>;
  AXES.forEach((axis, a) => {
    const s2 = axisS2[a];
    axes[axis] = { lag_um: Float64Array.from(s2, (_, k) => k * labels.spacing[a]), s2 };
  });
  if (!Number.isFinite(sum[0])) throw new TomolyteError(ERROR_CODES.INTERNAL, "two-point correlation produced a non-finite value");
  progress(options, 1);
  return {
    phase,
    volumeFraction: count / N,
    periodic,
    radial: {
      distance_um: Float64Array.from(keep, (b) => dist[b] / cnt[b]),
      s2: Float64Array.from(keep, (b) => sum[b] / cnt[b]),
      count: Float64Array.from(keep, (b) => cnt[b]),
    },
    axes,
  };
}
