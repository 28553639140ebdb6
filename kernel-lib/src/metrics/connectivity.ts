/**
 * Connectivity of each phase along each axis: the fraction of its voxels in
 * components touching both faces normal to the axis (percolating), one face
 * (dead end) or neither (isolated).
 */
import { type Volume, type Axis, AXES, axisIndex } from "../volume";
import { label, componentSizes, componentsTouching, type Face } from "../morphology";
import { type ProgressOptions, checkLabels, phasesOf, progress } from "./common";

export interface AxisConnectivity {
  /** Fraction of the phase's voxels in components touching both faces normal to the axis. */
  readonly percolatingFraction: number;
  /** ... touching exactly one of the two faces. */
  readonly deadEndFraction: number;
  /** ... touching neither face. */
  readonly isolatedFraction: number;
  readonly percolatingComponents: number;
}

export interface PhaseConnectivity {
  readonly value: number;
  readonly name: string;
  readonly voxelCount: number;
  readonly componentCount: number;
  /** Per axis; `z` is what DESIGN calls `connectedFraction`. */
  readonly axes: Partial<Record<Axis, AxisConnectivity>>;
}

export interface ConnectivityOptions extends ProgressOptions {
  phases?: readonly number[];
  /** Axes to analyse (default all three). */
  axes?: readonly Axis[];
  /** Voxel connectivity (default 6, face neighbours, as DESIGN's connectedFraction). */
  connectivity?: 6 | 18 | 26;
}

export interface ConnectivityResult {
  readonly connectivity: 6 | 18 | 26;
  readonly phases: PhaseConnectivity[];
}

/**
 * Percolating, dead-end and isolated fractions of each phase along each axis.
 *
 * @example
 * const c = phaseConnectivity(labels);
 * c.phases[0].axes.z?.percolatingFraction; // DESIGN's connectedFraction of the first phase
 */
export function phaseConnectivity(labels: Volume, options: ConnectivityOptions = {}): ConnectivityResult {
  checkLabels(labels);
  const connectivity = options.connectivity ?? 6;
  const axes = options.axes ?? AXES;
  axes.forEach((a) => axisIndex(a));
  const phases = phasesOf(labels, options.phases);
  const out: PhaseConnectivity[] = [];
  phases.forEach((p, k) => {
    progress(options, k / phases.length);
    const comps = label(labels, { phase: p.value, connectivity, signal: options.signal });
    const sizes = componentSizes(comps);
    let total = 0;
    for (let l = 1; l <= comps.count; l++) total += sizes[l];
    const res: Partial<Record<Axis, AxisConnectivity>> = {};
    for (const a of axes) {
      const faces: Face[] = [`${a}-` as Face, `${a}+` as Face];
      const both = componentsTouching(comps, faces, { mode: "all" });
      const any = componentsTouching(comps, faces, { mode: "any" });
      let sBoth = 0;
      let sAny = 0;
      for (const l of both) sBoth += sizes[l];
      for (const l of any) sAny += sizes[l];
      res[a] = {
        percolatingFraction: total ? sBoth / total : 0,
        deadEndFraction: total ? (sAny - sBoth) / total : 0,
        isolatedFraction: total ? (total - sAny) / total : 0,
        percolatingComponents: both.length,
      };
    }
    out.push({ value: p.value, name: p.name, voxelCount: total, componentCount: comps.count, axes: res });
  });
  progress(options, 1);
  return { connectivity, phases: out };
}
