/**
 * Two-point correlation function S2 of a phase: the probability that two
 * points a lag r apart both lie in the phase. S2(0) is the volume fraction;
 * for a lag beyond the structure's correlation length S2 tends to φ².
 */
import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Volume, type Axis, AXES, checkAllocation } from "../volume";
import { type ProgressOptions, checkLabels, resolvePhase, progress } from "./common";
import { fft3d } from "./fft";

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
  const M = shape[0] * shape[1] * shape[2];
  checkAllocation(16 * M, "the FFT buffers of the two-point correlation", M);
  const re = new Float64Array(M);
  const im = new Float64Array(M);
  const d = labels.data;
  let count = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const o = (z * shape[1] + y) * shape[2];
      for (let x = 0; x < nx; x++, i++) {
        if (d[i] === phase) {
          re[o + x] = 1;
          count++;
        }
      }
    }
  }
  const N = nz * ny * nx;
  const check = () => progress(options, 0);
  fft3d(re, im, shape, false, check);
  progress(options, 0.4);
  for (let i = 0; i < M; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft3d(re, im, shape, true, check);
  progress(options, 0.8);
  // re now holds Σ_x I(x) I(x + r) (circular over the padded box).
  const lagOf = (k: number, n: number, m: number): number => {
    if (periodic) return k <= n / 2 ? k : k - n;
    if (k < n) return k;
    if (k > m - n) return k - m;
    return NaN;
  };
  const pairs = (lz: number, ly: number, lx: number) =>
    periodic ? N : (nz - Math.abs(lz)) * (ny - Math.abs(ly)) * (nx - Math.abs(lx));
  const minSpacing = Math.min(dz, dy, dx);
  const defaultMax = 0.5 * Math.min(nz > 1 ? nz * dz : Infinity, ny > 1 ? ny * dy : Infinity, nx > 1 ? nx * dx : Infinity);
  const maxLag = checkNumber("maxLag_um", options.maxLag_um ?? (Number.isFinite(defaultMax) ? defaultMax : minSpacing), { min: 0 });
  const bw = checkNumber("binWidth_um", options.binWidth_um ?? minSpacing, { min: 0, exclusiveMin: true });
  const nb = Math.floor(maxLag / bw + 0.5) + 1;
  const sum = new Float64Array(nb);
  const cnt = new Float64Array(nb);
  const dist = new Float64Array(nb);
  for (let kz = 0; kz < shape[0]; kz++) {
    const lz = lagOf(kz, nz, shape[0]);
    if (Number.isNaN(lz) || Math.abs(lz * dz) > maxLag + 0.5 * bw) continue;
    for (let ky = 0; ky < shape[1]; ky++) {
      const ly = lagOf(ky, ny, shape[1]);
      if (Number.isNaN(ly) || Math.abs(ly * dy) > maxLag + 0.5 * bw) continue;
      for (let kx = 0; kx < shape[2]; kx++) {
        const lx = lagOf(kx, nx, shape[2]);
        if (Number.isNaN(lx)) continue;
        const r = Math.hypot(lz * dz, ly * dy, lx * dx);
        const b = Math.floor(r / bw + 0.5);
        if (b >= nb) continue;
        const s2 = re[(kz * shape[1] + ky) * shape[2] + kx] / pairs(lz, ly, lx);
        sum[b] += s2;
        cnt[b]++;
        dist[b] += r;
      }
    }
  }
  const keep: number[] = [];
  for (let b = 0; b < nb; b++) if (cnt[b] > 0) keep.push(b);
  const axes = {} as Record<Axis, { lag_um: Float64Array; s2: Float64Array }>;
  for (const axis of AXES) {
    const a = AXES.indexOf(axis);
    const n = labels.shape[a];
    const h = labels.spacing[a];
    const L = Math.min(periodic ? Math.floor(n / 2) : n - 1, Math.floor(maxLag / h + 1e-9));
    const lag = new Float64Array(L + 1);
    const s2 = new Float64Array(L + 1);
    for (let k = 0; k <= L; k++) {
      const idx = a === 0 ? k * shape[1] * shape[2] : a === 1 ? k * shape[2] : k;
      lag[k] = k * h;
      s2[k] = re[idx] / pairs(a === 0 ? k : 0, a === 1 ? k : 0, a === 2 ? k : 0);
    }
    axes[axis] = { lag_um: lag, s2 };
  }
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
