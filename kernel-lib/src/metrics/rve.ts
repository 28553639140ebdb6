/**
 * Representative volume element analysis: a metric on cubic sub-volumes of
 * growing size at many seeded random positions.
 */
import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Volume, crop } from "../volume";
import { createRng } from "../generate/rng";
import { type ProgressOptions, checkLabels, resolvePhase, progress } from "./common";
import { volumeFractions } from "./fractions";
import { specificSurfaceArea } from "./surface";

/** A metric of a sub-volume: a built-in name or a function returning a number. */
export type RveMetric = "volumeFraction" | "specificSurfaceArea" | "specificSurfaceAreaFaceCount" | ((sub: Volume) => number);

export interface RveOptions extends ProgressOptions {
  /** What to measure (default "volumeFraction"). */
  metric?: RveMetric;
  /** The phase the built-in metrics refer to (value or name). */
  phase?: number | string;
  /** Edge lengths of the cubic sub-volumes, voxels (default: 8 sizes from 8 voxels up to the smallest dimension). */
  sizesVoxels?: readonly number[];
  /** Random positions per size (default 20). */
  samples?: number;
  /** Seed of the positions (default 1). */
  seed?: number;
  /** Relative spread (std / |mean|) below which a size counts as representative (default 0.05). */
  tolerance?: number;
}

export interface RveResult {
  readonly metric: string;
  readonly sizesVoxels: Float64Array;
  /** Edge length of each cube, µm (along z; with anisotropic spacing the cube is in voxels). */
  readonly size_um: Float64Array;
  readonly mean: Float64Array;
  /** Sample standard deviation (n − 1) over the positions. */
  readonly std: Float64Array;
  readonly relativeStd: Float64Array;
  /** Every value measured: values[k][s] for size k, sample s. */
  readonly values: Float64Array[];
  /** The smallest size from which on every larger size has relativeStd < tolerance; null if none. */
  readonly rveSizeVoxels: number | null;
  readonly rveSize_um: number | null;
  readonly tolerance: number;
  /** The value on the whole volume, for reference. */
  readonly fullVolumeValue: number;
}

/**
 * RVE analysis: for cubes of growing edge length at `samples` seeded random
 * positions, the mean and spread of a metric, and the size at which the
 * relative spread falls under `tolerance`.
 *
 * @example
 * const rve = rveAnalysis(labels, { metric: "volumeFraction", phase: 0, samples: 30 });
 * rve.rveSize_um; // null if never under the tolerance
 */
export function rveAnalysis(labels: Volume, options: RveOptions = {}): RveResult {
  checkLabels(labels);
  const metric = options.metric ?? "volumeFraction";
  const samples = checkNumber("samples", options.samples ?? 20, { min: 2, max: 100000, integer: true });
  const tolerance = checkNumber("tolerance", options.tolerance ?? 0.05, { min: 0, exclusiveMin: true });
  const [nz, ny, nx] = labels.shape;
  const nmin = Math.min(nz, ny, nx);
  let f: (sub: Volume) => number;
  let name: string;
  if (typeof metric === "function") {
    f = metric;
    name = metric.name || "custom";
  } else {
    const p = resolvePhase(labels, options.phase, "phase (the built-in RVE metrics need one)").value;
    name = metric;
    if (metric === "volumeFraction") {
      f = (s) => volumeFractions(s, { phases: [p] }).phases[0].volumeFraction;
    } else if (metric === "specificSurfaceArea") {
      f = (s) => specificSurfaceArea(s, { phases: [p], interfaces: false }).phases[0].specificSurfaceArea_per_um;
    } else if (metric === "specificSurfaceAreaFaceCount") {
      f = (s) => specificSurfaceArea(s, { phases: [p], interfaces: false }).phases[0].specificSurfaceAreaFaceCount_per_um;
    } else {
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `metric must be "volumeFraction", "specificSurfaceArea", "specificSurfaceAreaFaceCount" or a function, got ${String(metric)}`,
      );
    }
  }
  let sizes: number[];
  if (options.sizesVoxels) {
    sizes = options.sizesVoxels.map((s, i) => checkNumber(`sizesVoxels[${i}]`, s, { min: 2, max: nmin, integer: true }));
  } else {
    const lo = Math.min(8, nmin);
    sizes = [];
    for (let k = 0; k < 8; k++) sizes.push(Math.round(lo * Math.pow(nmin / lo, k / 7)));
    sizes = [...new Set(sizes)];
  }
  sizes.sort((a, b) => a - b);
  const rng = createRng(options.seed ?? 1);
  const rnd = () => rng.uniform();
  const values: Float64Array[] = [];
  const mean = new Float64Array(sizes.length);
  const std = new Float64Array(sizes.length);
  const rel = new Float64Array(sizes.length);
  sizes.forEach((L, k) => {
    const v = new Float64Array(samples);
    for (let s = 0; s < samples; s++) {
      progress(options, (k * samples + s) / (sizes.length * samples));
      const z0 = Math.floor(rnd() * (nz - L + 1));
      const y0 = Math.floor(rnd() * (ny - L + 1));
      const x0 = Math.floor(rnd() * (nx - L + 1));
      v[s] = f(crop(labels, { z: [z0, z0 + L], y: [y0, y0 + L], x: [x0, x0 + L] }));
    }
    let m = 0;
    for (const x of v) m += x;
    m /= samples;
    let ss = 0;
    for (const x of v) ss += (x - m) ** 2;
    mean[k] = m;
    std[k] = Math.sqrt(ss / (samples - 1));
    rel[k] = m !== 0 ? std[k] / Math.abs(m) : Infinity;
    values.push(v);
  });
  let rve: number | null = null;
  for (let k = sizes.length - 1; k >= 0; k--) {
    if (rel[k] < tolerance) rve = sizes[k];
    else break;
  }
  progress(options, 1);
  return {
    metric: name,
    sizesVoxels: Float64Array.from(sizes),
    size_um: Float64Array.from(sizes, (L) => L * labels.spacing[0]),
    mean,
    std,
    relativeStd: rel,
    values,
    rveSizeVoxels: rve,
    rveSize_um: rve === null ? null : rve * labels.spacing[0],
    tolerance,
    fullVolumeValue: f(labels),
  };
}
