import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Volume, checkAllocation, createVolume } from "../volume";
import { buildNetwork } from "./extract";
import { type SnowStepCounts, phaseDistance, resolvePhases, snowPartition } from "./snow";
import type { PoreNetwork } from "./types";

export interface SnowOptions {
  /** Label value of the phase to partition (the pores). */
  phase?: number;
  /** Several phases, each partitioned on its own and joined across phases (as snow2 with several phases). */
  phases?: readonly number[];
  /** Gaussian smoothing of the distance map before the peak search, in voxels (default 0.4, PoreSpy's snow2). */
  sigmaVoxels?: number;
  /** Peak search radius in voxels: a peak is the highest value in a ball of this radius (default 4, snow2). */
  rMaxVoxels?: number;
  /** Iteration limit of the plateau growth when trimming saddle points (default 20, PoreSpy). */
  maxSaddleIterations?: number;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface SnowResult {
  /** Region label of every voxel (1..number of internal pores; 0 outside the phases). Region r is pore r − 1. */
  readonly regions: Volume<Uint32Array>;
  readonly network: PoreNetwork;
  /** What each step kept (summed over phases): peaks, after saddle trimming, markers, orphan pieces. */
  readonly steps: SnowStepCounts;
  /** The parameters used, for the record. */
  readonly parameters: { readonly sigmaVoxels: number; readonly rMaxVoxels: number; readonly maxSaddleIterations: number; readonly phases: readonly number[] };
}

/**
 * Pore network extraction by SNOW (Sub-Network of an Over-segmented Watershed,
 * Gostick 2017) with PoreSpy snow2's defaults: Euclidean distance map of the
 * phase (µm), Gaussian smoothing (σ = 0.4 voxels), peaks = maxima within a ball
 * of radius 4 voxels, peaks on saddles/ridges and peaks closer to a neighbour
 * than their distance value removed, marker watershed of −(smoothed distance)
 * inside the phase. Each region is a pore; regions sharing voxel faces are joined
 * by a throat; each region touching a face of the volume gets a boundary pore on
 * that face. All sizes in µm. See docs/network.md.
 *
 * @example
 * const { network, regions } = snow(labels, { phase: 0 });
 * network.pores.count; network.throats.inscribedDiameter_um;
 * const dict = toOpenPNM(network);
 */
export function snow(labels: Volume, options: SnowOptions = {}): SnowResult {
  const phases = resolvePhases(labels, options);
  const sigmaVoxels = checkNumber("sigmaVoxels", options.sigmaVoxels ?? 0.4, { min: 0 });
  const rMaxVoxels = checkNumber("rMaxVoxels", options.rMaxVoxels ?? 4, { min: 1, max: 64 });
  const maxSaddleIterations = checkNumber("maxSaddleIterations", options.maxSaddleIterations ?? 20, { min: 0, integer: true, max: 10000 });
  const shape = labels.shape as [number, number, number];
  const spacing = labels.spacing as [number, number, number];
  const n = labels.data.length;
  // Peak use, in bytes per voxel: distance map 4 + phase masks 1 each + smoothing 8 +
  // peak flags 3 + markers 4 + negated map 4 + flood (ranks 4, links 4, labels 4, radix
  // sort 16 per phase voxel) + regions 4.
  checkAllocation(n * (52 + phases.length), "the SNOW extraction (distance map, smoothed copy, markers, flood queue, regions)", n);
  const report = (f: number) => options.onProgress?.(Math.min(1, Math.max(0, f)));
  report(0);
  const { dt, masks } = phaseDistance(labels, phases, options.signal);
  for (let i = 0; i < n; i++) {
    if (dt[i] === Infinity) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phase ${labels.data[i]} fills the whole volume: there is nothing to partition against`);
    }
  }
  report(0.1);
  const regions = new Uint32Array(n);
  const steps: SnowStepCounts = { peaks: 0, afterSaddles: 0, markers: 0, orphans: 0 };
  let total = 0;
  masks.forEach((mask, k) => {
    throwIfAborted(options.signal);
    const w0 = 0.1 + (0.6 * k) / masks.length;
    const w = 0.6 / masks.length;
    total += snowPartition(mask, dt, shape, spacing, regions, total + 1, {
      sigmaVoxels, rMaxVoxels, maxSaddleIterations, signal: options.signal,
      onProgress: (f) => report(w0 + w * f),
    }, steps);
  });
  report(0.7);
  const network = buildNetwork(regions, total, dt, labels.data, shape, spacing, phases, options.signal);
  report(1);
  return {
    regions: createVolume(regions, shape, spacing),
    network,
    steps,
    parameters: { sigmaVoxels, rMaxVoxels, maxSaddleIterations, phases },
  };
}

/**
 * The network of a partition you already have (regions 1..N, 0 elsewhere), e.g.
 * from your own watershed: same properties as `snow` gives.
 *
 * @example
 * const net = networkFromRegions(myRegions, labels, { phase: 0 });
 */
export function networkFromRegions(regions: Volume, labels: Volume, options: { phase?: number; phases?: readonly number[]; signal?: AbortSignal }): PoreNetwork {
  const phases = resolvePhases(labels, options);
  if (!regions || !regions.data || regions.data.length !== labels.data.length) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, "regions and labels must have the same shape");
  }
  const n = labels.data.length;
  const reg = new Uint32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const r = regions.data[i];
    if (!(r >= 0) || !Number.isInteger(r)) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `regions must be non-negative integers, found ${r}`);
    reg[i] = r;
    if (r > max) max = r;
  }
  const { dt } = phaseDistance(labels, phases, options.signal);
  return buildNetwork(reg, max, dt, labels.data, labels.shape as [number, number, number], labels.spacing as [number, number, number], phases, options.signal);
}
