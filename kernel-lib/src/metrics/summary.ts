/**
 * One call for the per-phase numbers `tomolyte metrics` prints.
 */
import { type Volume } from "../volume";
import { type ProgressOptions, progress } from "./common";
import { volumeFractions } from "./fractions";
import { specificSurfaceArea, triplePhaseBoundary, type PhaseInterface, type TriplePhaseBoundaryResult } from "./surface";
import { phaseConnectivity } from "./connectivity";

export interface PhaseMetricsRow {
  readonly value: number;
  readonly name: string;
  readonly volumeFraction: number;
  /** Marching cubes, level 0.5, no smoothing, open at the border (DESIGN.md). */
  readonly specificSurfaceArea_per_um: number;
  /** Face counting inside the volume (DESIGN.md). */
  readonly specificSurfaceAreaFaceCount_per_um: number;
  /** Fraction of the phase in 6-connected components touching both faces normal to z. */
  readonly connectedFraction: number;
  readonly deadEndFraction: number;
  readonly isolatedFraction: number;
}

export interface PhaseMetricsResult {
  readonly spacing_um: readonly [number, number, number];
  readonly shape: readonly [number, number, number];
  readonly porosity: number;
  readonly phases: PhaseMetricsRow[];
  readonly interfaces: PhaseInterface[];
  /** Present for volumes with three or more phases (the first three). */
  readonly triplePhaseBoundary?: TriplePhaseBoundaryResult;
}

export interface PhaseMetricsOptions extends ProgressOptions {
  phases?: readonly number[];
}

/**
 * Volume fraction, specific surface area (both methods), connectivity along z
 * for every phase, interfacial areas and the triple-phase boundary: what
 * `tomolyte metrics` reports, with DESIGN.md's definitions.
 *
 * @example
 * const m = phaseMetrics(labels);
 * m.phases.map((p) => [p.name, p.volumeFraction, p.specificSurfaceArea_per_um, p.connectedFraction]);
 */
export function phaseMetrics(labels: Volume, options: PhaseMetricsOptions = {}): PhaseMetricsResult {
  const sub = (a: number, b: number) => ({ signal: options.signal, onProgress: (f: number) => options.onProgress?.(a + (b - a) * f) });
  const vf = volumeFractions(labels, { phases: options.phases });
  const sa = specificSurfaceArea(labels, { phases: options.phases, ...sub(0, 0.6) });
  const cn = phaseConnectivity(labels, { phases: options.phases, axes: ["z"], ...sub(0.6, 0.95) });
  const tpb = vf.phases.length >= 3 ? triplePhaseBoundary(labels, { phases: [vf.phases[0].value, vf.phases[1].value, vf.phases[2].value] }) : undefined;
  progress(options, 1);
  const result: PhaseMetricsResult = {
    spacing_um: labels.spacing,
    shape: labels.shape,
    porosity: vf.porosity,
    phases: vf.phases.map((p, i) => ({
      value: p.value,
      name: p.name,
      volumeFraction: p.volumeFraction,
      specificSurfaceArea_per_um: sa.phases[i].specificSurfaceArea_per_um,
      specificSurfaceAreaFaceCount_per_um: sa.phases[i].specificSurfaceAreaFaceCount_per_um,
      connectedFraction: cn.phases[i].axes.z!.percolatingFraction,
      deadEndFraction: cn.phases[i].axes.z!.deadEndFraction,
      isolatedFraction: cn.phases[i].axes.z!.isolatedFraction,
    })),
    interfaces: sa.interfaces,
    ...(tpb ? { triplePhaseBoundary: tpb } : {}),
  };
  return result;
}
