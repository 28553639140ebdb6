/**
 * Size distributions: local thickness (continuous, by sphere insertion on the
 * distance transform), chord lengths along each axis, and equivalent-sphere
 * diameters of labelled particles (discrete).
 */
import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Volume, type Axis, AXES, axisIndex, checkAllocation, createVolume } from "../volume";
import { distanceTransform } from "../morphology";
import { squaredDistance } from "../morphology/edt";
import { type ProgressOptions, binValues, checkLabels, resolvePhase, progress } from "./common";

export interface LocalThicknessOptions extends ProgressOptions {
  /** The phase to measure (value or name). */
  phase: number | string;
  /**
   * Ball radii to insert, µm, or how many radii to space logarithmically from
   * the largest distance down to one voxel (PoreSpy's `sizes`, default 25).
   * "exact": every distinct distance-transform value (slow on large volumes).
   */
  sizes?: number | readonly number[] | "exact";
  /** Histogram bins of the distribution (default 32). */
  bins?: number;
}

export interface LocalThicknessResult {
  /**
   * Per voxel: the diameter (µm) of the largest inserted ball that covers it
   * (2 × PoreSpy's local_thickness radius); 0 outside the phase.
   */
  readonly thickness: Volume<Float32Array>;
  /** The radii tried, µm, largest first. */
  readonly radii_um: Float64Array;
  /** Volume-weighted mean local thickness (diameter), µm. */
  readonly meanThickness_um: number;
  /** Volume-weighted distribution of the diameter. */
  readonly distribution: {
    readonly edges_um: Float64Array;
    /** Fraction of the phase's volume in each bin (sums to 1). */
    readonly volumeFraction: Float64Array;
  };
  /** The diameters (µm) of the radii tried, with the fraction of the phase's volume at or above each (cumulative). */
  readonly cumulative: { readonly diameter_um: Float64Array; readonly volumeFractionAtLeast: Float64Array };
}

/**
 * Local thickness by sphere insertion (PoreSpy's `local_thickness`, its "dt"
 * mode): for radii r from large to small, balls of radius r centred on voxels
 * whose distance to the other phases is ≥ r cover the voxels closer than r to
 * such a centre; each voxel keeps the largest r that covers it. Distances are
 * Euclidean between voxel centres, in µm with the spacing. A slab W voxels
 * thick gets 2r = W + 1 voxels (the distance runs to the first voxel
 * outside); a ball of radius R gets about 2R.
 *
 * @example
 * const lt = localThickness(labels, { phase: 0 }); // pore sizes
 * lt.meanThickness_um; lt.distribution.volumeFraction;
 */
export function localThickness(labels: Volume, options: LocalThicknessOptions): LocalThicknessResult {
  checkLabels(labels);
  const phase = resolvePhase(labels, options?.phase);
  const bins = checkNumber("bins", options.bins ?? 32, { min: 1, max: 100000, integer: true });
  const n = labels.data.length;
  const dt = distanceTransform(labels, { phase: phase.value, dtype: "float32", signal: options.signal }).distance.data;
  const minSpacing = Math.min(...labels.spacing);
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    if (dt[i] === Infinity) {
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `phase ${phase.value} fills the whole volume: its local thickness is not defined by this volume (no other phase to measure to)`,
      );
    }
    if (dt[i] > dmax) dmax = dt[i];
  }
  let radii: number[];
  const sizes = options.sizes ?? 25;
  if (sizes === "exact") {
    const s = new Set<number>();
    for (let i = 0; i < n; i++) if (dt[i] > 0) s.add(dt[i]);
    radii = [...s].sort((a, b) => b - a);
  } else if (typeof sizes === "number") {
    const k = checkNumber("sizes", sizes, { min: 1, max: 10000, integer: true });
    radii = [];
    // Log-spaced from the largest distance down to one voxel, as PoreSpy.
    const hi = Math.log10(Math.max(dmax, minSpacing));
    const lo = Math.log10(minSpacing);
    for (let i = 0; i < k; i++) radii.push(Math.pow(10, k === 1 ? hi : hi + ((lo - hi) * i) / (k - 1)));
    // The round trip through log10 can land just above the largest distance and lose that ball.
    radii[0] = Math.max(dmax, minSpacing);
  } else if (Array.isArray(sizes)) {
    radii = sizes.map((r, i) => checkNumber(`sizes[${i}]`, r, { min: 0, exclusiveMin: true })).sort((a, b) => b - a);
  } else {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `sizes must be a count, a list of radii (µm) or "exact", got ${String(sizes)}`);
  }
  checkAllocation(n * 9, "local thickness buffers", n);
  const out = new Float32Array(n);
  const seeds = new Uint8Array(n);
  // One buffer for every radius' distance map: a fresh 4n-byte array per radius costs more
  // in first-touch page faults than the transform itself on large volumes.
  const d2 = new Float32Array(n);
  const spacing: [number, number, number] = [labels.spacing[0], labels.spacing[1], labels.spacing[2]];
  let uncovered = 0;
  for (let i = 0; i < n; i++) if (dt[i] > 0) uncovered++;
  let prevSeeds = -1;
  for (let k = 0; k < radii.length && uncovered > 0; k++) {
    const r = radii[k];
    progress(options, k / radii.length);
    // Seeds: voxels at distance ≥ r; covered: voxels closer than r to a seed.
    // The distance of non-seeds to the seeds is the EDT of the non-seed mask.
    let nSeeds = 0;
    for (let i = 0; i < n; i++) {
      const s = dt[i] >= r ? 1 : 0;
      seeds[i] = s ? 0 : 1;
      nSeeds += s;
    }
    // Seed sets are nested: the same count means the same set, whose smaller
    // balls cover nothing the previous radius did not.
    if (nSeeds === 0 || nSeeds === prevSeeds) continue;
    prevSeeds = nSeeds;
    squaredDistance(seeds, labels.shape, spacing, d2, undefined, { signal: options.signal }, { sqrt: true });
    for (let i = 0; i < n; i++) {
      if (out[i] === 0 && dt[i] > 0 && d2[i] < r) {
        out[i] = 2 * r;
        uncovered--;
      }
    }
  }
  progress(options, 1);
  // Phase voxels no radius reached (thinner than the smallest radius) keep 0
  // in PoreSpy; give them the smallest radius tried so they count.
  const rmin = radii.length ? radii[radii.length - 1] : minSpacing;
  let sum = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (dt[i] > 0) {
      if (out[i] === 0) out[i] = 2 * Math.min(rmin, dt[i]);
      sum += out[i];
      cnt++;
    }
  }
  const vals = new Float32Array(cnt);
  for (let i = 0, j = 0; i < n; i++) if (dt[i] > 0) vals[j++] = out[i];
  const h = binValues(vals, bins, [0, 2 * Math.max(dmax, rmin)]);
  const volumeFraction = h.counts.map((c) => (cnt ? c / cnt : 0));
  const diam = Float64Array.from(radii, (r) => 2 * r);
  const atLeast = new Float64Array(diam.length);
  vals.sort();
  for (let k = 0; k < diam.length; k++) {
    // First index with vals >= diam (float32 rounding tolerated).
    const target = diam[k] * (1 - 1e-6);
    let lo = 0;
    let hi = cnt;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vals[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    atLeast[k] = cnt ? (cnt - lo) / cnt : 0;
  }
  return {
    thickness: createVolume(out, labels.shape, labels.spacing),
    radii_um: Float64Array.from(radii),
    meanThickness_um: cnt ? sum / cnt : 0,
    distribution: { edges_um: h.edges, volumeFraction },
    cumulative: { diameter_um: diam, volumeFractionAtLeast: atLeast },
  };
}

export interface ChordLengthOptions {
  /** The phase (value or name). */
  phase: number | string;
  /** Axes (default all three). */
  axes?: readonly Axis[];
  /** Drop chords that touch the volume's border (default true, as PoreSpy's trim_edges). */
  trimEdges?: boolean;
  /** Histogram bins (default 32). */
  bins?: number;
}

export interface AxisChords {
  readonly axis: Axis;
  /** Every chord's length, µm (run of phase voxels × spacing along the axis). */
  readonly lengths_um: Float64Array;
  readonly meanLength_um: number;
  readonly histogram: { readonly edges_um: Float64Array; readonly counts: Float64Array; readonly lengthWeightedFraction: Float64Array };
}

export interface ChordLengthResult {
  readonly phase: number;
  readonly axes: AxisChords[];
}

/**
 * Chord length distribution of a phase along each axis: the lengths of the
 * runs of consecutive phase voxels on every grid line.
 *
 * @example
 * const c = chordLengths(labels, { phase: 85, axes: ["z"] });
 * c.axes[0].meanLength_um;
 */
export function chordLengths(labels: Volume, options: ChordLengthOptions): ChordLengthResult {
  checkLabels(labels);
  const phase = resolvePhase(labels, options?.phase).value;
  const trim = options.trimEdges ?? true;
  const bins = checkNumber("bins", options.bins ?? 32, { min: 1, max: 100000, integer: true });
  const [nz, ny, nx] = labels.shape;
  const d = labels.data;
  const strides = [nx * ny, nx, 1];
  const out: AxisChords[] = [];
  for (const axis of options.axes ?? AXES) {
    const a = axisIndex(axis);
    const len = labels.shape[a];
    const st = strides[a];
    const h = labels.spacing[a];
    const runs: number[] = [];
    // Enumerate line starts: all voxels with coordinate 0 along the axis.
    const dims = [nz, ny, nx];
    const others = [0, 1, 2].filter((k) => k !== a);
    for (let u = 0; u < dims[others[0]]; u++) {
      for (let v = 0; v < dims[others[1]]; v++) {
        const base = u * strides[others[0]] + v * strides[others[1]];
        let run = 0;
        let start = 0;
        for (let t = 0; t <= len; t++) {
          const inside = t < len && d[base + t * st] === phase;
          if (inside) {
            if (run === 0) start = t;
            run++;
          } else if (run > 0) {
            if (!trim || (start > 0 && t < len)) runs.push(run * h);
            run = 0;
          }
        }
      }
    }
    const lengths = Float64Array.from(runs);
    let sum = 0;
    for (const r of runs) sum += r;
    const hist = binValues(lengths, bins, [0, Math.max(h, len * h)]);
    const lw = binValues(lengths, bins, [0, Math.max(h, len * h)], lengths);
    out.push({
      axis,
      lengths_um: lengths,
      meanLength_um: runs.length ? sum / runs.length : 0,
      histogram: { edges_um: hist.edges, counts: hist.counts, lengthWeightedFraction: lw.counts.map((c) => (sum ? c / sum : 0)) },
    });
  }
  return { phase, axes: out };
}
