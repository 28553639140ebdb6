import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type LabelVolume, type Volume, checkAllocation, createVolume, dtypeOf, labelVolume } from "../volume";
import { applyThresholds, checkGrey, defaultPhases, multiOtsuThresholds } from "./threshold";

export interface MrfOptions {
  /** Number of phases, 2 to 8 (default 3). */
  classes?: number;
  /**
   * Smoothness weight: the cost (in units of the Gaussian negative
   * log-likelihood, nats) of each of the 6 face neighbours having another
   * label (Potts prior). 0 gives plain maximum likelihood; default 1.
   */
  beta?: number;
  /** Most ICM sweeps (default 20); it stops earlier when no voxel changes. */
  maxIterations?: number;
  /** Re-estimate the class means and standard deviations after each sweep (default true). */
  updateParameters?: boolean;
  /** Start from these thresholds instead of multi-Otsu's (classes − 1, ascending). */
  thresholds?: readonly number[];
  /** Names of the phases, darkest first. */
  names?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface MrfResult {
  /** Labels 0..classes−1 in increasing mean grey value. */
  readonly labels: LabelVolume<Uint8Array>;
  /** Class means and standard deviations (grey units) at the end. */
  readonly means: number[];
  readonly stdDevs: number[];
  /** Sweeps done, and voxels changed by the last one. */
  readonly iterations: number;
  readonly lastChanged: number;
  /** The multi-Otsu thresholds it started from. */
  readonly initialThresholds: number[];
}

function estimate(x: ArrayLike<number>, lab: Uint8Array, K: number, means: number[], sds: number[]): void {
  const s = new Float64Array(K);
  const c = new Float64Array(K);
  for (let i = 0; i < lab.length; i++) {
    s[lab[i]] += x[i];
    c[lab[i]]++;
  }
  for (let k = 0; k < K; k++) if (c[k] > 0) means[k] = s[k] / c[k];
  const ss = new Float64Array(K);
  for (let i = 0; i < lab.length; i++) {
    const e = x[i] - means[lab[i]];
    ss[lab[i]] += e * e;
  }
  let pooled = 0;
  let total = 0;
  for (let k = 0; k < K; k++) {
    pooled += ss[k];
    total += c[k];
  }
  const floor = Math.max(1e-12, 1e-3 * Math.sqrt(pooled / Math.max(1, total)));
  for (let k = 0; k < K; k++) sds[k] = c[k] > 1 ? Math.max(floor, Math.sqrt(ss[k] / c[k])) : Math.max(floor, sds[k] || floor);
}

/**
 * Markov random field segmentation into N phases: Gaussian class
 * likelihoods plus a Potts smoothness prior over the 6 face neighbours,
 * minimised by iterated conditional modes (ICM) from the multi-Otsu labels.
 * Sweeps update the two checkerboard colours in turn, so the result does not
 * depend on scan order. Each sweep minimises, voxel by voxel,
 * `(x − μ_c)² / 2σ_c² + ln σ_c + β · #(neighbours with another label)`.
 * Why ICM and not graph cuts: see docs/segmentation.md.
 *
 * @example
 * const { labels } = segmentMrf(ct, { classes: 3, beta: 1.5 });
 */
export function segmentMrf(volume: Volume, options: MrfOptions = {}): MrfResult {
  checkGrey(volume, "segmentMrf");
  const K = checkNumber("classes", options.classes ?? 3, { min: 2, max: 8, integer: true });
  const beta = checkNumber("beta", options.beta ?? 1, { min: 0 });
  const maxIt = checkNumber("maxIterations", options.maxIterations ?? 20, { min: 0, integer: true });
  const update = options.updateParameters ?? true;
  let thresholds: number[];
  if (options.thresholds) {
    if (options.thresholds.length !== K - 1) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `thresholds must have classes − 1 = ${K - 1} values`);
    }
    thresholds = [...options.thresholds];
  } else {
    thresholds = K <= 5 ? multiOtsuThresholds(volume, { classes: K }) : evenQuantiles(volume, K);
  }
  const init = applyThresholds(volume, thresholds);
  const [nz, ny, nx] = volume.shape;
  const n = volume.data.length;
  checkAllocation(n * 2, "the MRF labels", n);
  const lab = init.data.slice();
  const x = volume.data;
  const means = new Array<number>(K).fill(0);
  const sds = new Array<number>(K).fill(0);
  estimate(x, lab, K, means, sds);
  const cnt = new Float64Array(K);
  let it = 0;
  let changed = -1;
  const plane = ny * nx;
  while (it < maxIt && changed !== 0) {
    changed = 0;
    const inv = sds.map((s) => 1 / (2 * s * s));
    const lns = sds.map((s) => Math.log(s));
    for (let colour = 0; colour < 2; colour++) {
      for (let z = 0; z < nz; z++) {
        throwIfAborted(options.signal);
        for (let y = 0; y < ny; y++) {
          const row = (z * ny + y) * nx;
          for (let xx = (z + y + colour) & 1; xx < nx; xx += 2) {
            const i = row + xx;
            cnt.fill(0);
            let nn = 0;
            if (xx > 0) { cnt[lab[i - 1]]++; nn++; }
            if (xx < nx - 1) { cnt[lab[i + 1]]++; nn++; }
            if (y > 0) { cnt[lab[i - nx]]++; nn++; }
            if (y < ny - 1) { cnt[lab[i + nx]]++; nn++; }
            if (z > 0) { cnt[lab[i - plane]]++; nn++; }
            if (z < nz - 1) { cnt[lab[i + plane]]++; nn++; }
            const v = x[i];
            let best = lab[i];
            const e0 = v - means[best];
            let bestCost = e0 * e0 * inv[best] + lns[best] + beta * (nn - cnt[best]);
            for (let k = 0; k < K; k++) {
              if (k === lab[i]) continue;
              const e = v - means[k];
              const c = e * e * inv[k] + lns[k] + beta * (nn - cnt[k]);
              if (c < bestCost) {
                bestCost = c;
                best = k;
              }
            }
            if (best !== lab[i]) {
              lab[i] = best;
              changed++;
            }
          }
        }
      }
    }
    it++;
    if (update) estimate(x, lab, K, means, sds);
    options.onProgress?.(it / maxIt);
  }
  // Keep labels in increasing grey order even if the means crossed while updating.
  const order = means.map((m, k) => [m, k] as const).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
  const rank = new Uint8Array(K);
  order.forEach((k, r) => { rank[k] = r; });
  let reordered = false;
  for (let k = 0; k < K; k++) if (rank[k] !== k) reordered = true;
  if (reordered) for (let i = 0; i < n; i++) lab[i] = rank[lab[i]];
  options.onProgress?.(1);
  return {
    labels: labelVolume(createVolume(lab, volume.shape, volume.spacing), defaultPhases(K, options.names)),
    means: order.map((k) => means[k]),
    stdDevs: order.map((k) => sds[k]),
    iterations: it,
    lastChanged: changed < 0 ? 0 : changed,
    initialThresholds: thresholds,
  };
}

/** Thresholds at the 1/K, 2/K, ... quantiles (used beyond multi-Otsu's 5 classes). */
function evenQuantiles(volume: Volume, K: number): number[] {
  const s = new Float64Array(volume.data.length);
  s.set(volume.data);
  s.sort();
  const out: number[] = [];
  for (let k = 1; k < K; k++) out.push(s[Math.min(s.length - 1, Math.floor((k * s.length) / K))]);
  for (let k = 1; k < out.length; k++) {
    if (!(out[k] > out[k - 1])) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `the volume has too few distinct grey values for ${K} classes; ask for fewer classes`);
    }
  }
  return out;
}
