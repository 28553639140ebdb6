/** A noisy three-phase phantom with known truth, for the MRF and classifier tests. */
import { createVolume, type Volume } from "../../../kernel-lib/src/volume";
import { gaussian } from "../../../kernel-lib/src/filters";
import { gauss, rng } from "../morphology/peer";

export interface Phantom {
  truth: Uint8Array;
  grey: Volume<Float32Array>;
  shape: readonly [number, number, number];
}

/**
 * Smooth random structure (Gaussian-filtered white noise, sigma 2.5 voxels,
 * cut at its 45% and 80% quantiles) → phases 0, 1, 2 with grey means
 * `means`, plus white Gaussian noise of standard deviation `noise`.
 */
export function threePhasePhantom(seed: number, n: number, means: number[], noise: number): Phantom {
  const shape = [n, n, n] as const;
  const N = n * n * n;
  const r = rng(seed);
  const g = gauss(r);
  const white = new Float32Array(N);
  for (let i = 0; i < N; i++) white[i] = g();
  const field = gaussian(createVolume(white, shape), { sigmaVoxels: 2.5, mode: "wrap" }).data;
  const sorted = Float32Array.from(field).sort();
  const t1 = sorted[Math.floor(0.45 * N)], t2 = sorted[Math.floor(0.8 * N)];
  const truth = new Uint8Array(N);
  const grey = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    truth[i] = field[i] > t2 ? 2 : field[i] > t1 ? 1 : 0;
    grey[i] = means[truth[i]] + noise * g();
  }
  return { truth, grey: createVolume(grey, shape), shape };
}

/** Dice coefficient of phase k between two label arrays. */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  let inter = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === k, y = b[i] === k;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return (2 * inter) / (na + nb);
}
