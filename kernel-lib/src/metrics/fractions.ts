/**
 * Volume fractions and per-slice phase fraction profiles.
 */
import { type Volume, type Axis, axisIndex } from "../volume";
import { checkLabels, phasesOf, porePhase } from "./common";

export interface PhaseFraction {
  readonly value: number;
  readonly name: string;
  readonly voxelCount: number;
  /** Voxels of the phase / all voxels. */
  readonly volumeFraction: number;
  readonly volume_um3: number;
}

export interface VolumeFractionsResult {
  readonly phases: PhaseFraction[];
  readonly totalVoxels: number;
  readonly totalVolume_um3: number;
  /** Volume fraction of the pore phase (named "pore" in the phase table, else value 0). */
  readonly porosity: number;
  /** Value of the phase taken as pore. */
  readonly poreValue: number;
}

export interface VolumeFractionsOptions {
  /** Phase values to report (default: the phase table, else all distinct values). */
  phases?: readonly number[];
  /** Value of the pore phase for `porosity` (default: the phase named "pore", else 0). */
  poreValue?: number;
}

/** Counts voxels per value for integer labels (a Map handles any value range). */
export function countValues(volume: Volume): Map<number, number> {
  const d = volume.data;
  const m = new Map<number, number>();
  if (d instanceof Uint8Array) {
    const c = new Float64Array(256);
    for (let i = 0; i < d.length; i++) c[d[i]]++;
    for (let v = 0; v < 256; v++) if (c[v]) m.set(v, c[v]);
    return m;
  }
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    m.set(v, (m.get(v) ?? 0) + 1);
  }
  return m;
}

/**
 * Volume fraction of each phase and the porosity.
 *
 * @example
 * const vf = volumeFractions(labels);
 * vf.phases.map((p) => [p.name, p.volumeFraction]); vf.porosity;
 */
export function volumeFractions(labels: Volume, options: VolumeFractionsOptions = {}): VolumeFractionsResult {
  checkLabels(labels);
  const counts = countValues(labels);
  const n = labels.data.length;
  const [dz, dy, dx] = labels.spacing;
  const vv = dz * dy * dx;
  const phases = phasesOf(labels, options.phases).map((p) => {
    const c = counts.get(p.value) ?? 0;
    return { value: p.value, name: p.name, voxelCount: c, volumeFraction: c / n, volume_um3: c * vv };
  });
  const poreValue = options.poreValue ?? porePhase(labels);
  return {
    phases,
    totalVoxels: n,
    totalVolume_um3: n * vv,
    porosity: (counts.get(poreValue) ?? 0) / n,
    poreValue,
  };
}

export interface PhaseFractionProfile {
  readonly axis: Axis;
  /** Slice centres along the axis, in µm from the first slice's near face. */
  readonly position_um: Float64Array;
  readonly phases: { readonly value: number; readonly name: string; readonly fraction: Float64Array }[];
}

export interface PhaseFractionProfileOptions {
  /** Axis normal to the slices (default "z", through the electrode thickness). */
  axis?: Axis;
  phases?: readonly number[];
}

/**
 * Each phase's fraction in every slice normal to `axis`: a profile through the
 * electrode thickness for axis z.
 *
 * @example
 * const prof = phaseFractionProfile(labels, { axis: "z" });
 * prof.phases[0].fraction[10]; // fraction of the first phase in slice 10
 */
export function phaseFractionProfile(labels: Volume, options: PhaseFractionProfileOptions = {}): PhaseFractionProfile {
  checkLabels(labels);
  const axis = options.axis ?? "z";
  const a = axisIndex(axis);
  const phases = phasesOf(labels, options.phases);
  const [nz, ny, nx] = labels.shape;
  const n = labels.shape[a];
  const perSlice = (nz * ny * nx) / n;
  const index = new Map<number, number>();
  phases.forEach((p, i) => index.set(p.value, i));
  const fr = phases.map(() => new Float64Array(n));
  const d = labels.data;
  // Per-slice counts of each value for small integer labels, else per phase through the Map.
  if (d instanceof Uint8Array || d instanceof Uint16Array) {
    const size = d instanceof Uint8Array ? 256 : 65536;
    const lut = new Int32Array(size).fill(-1);
    phases.forEach((p, i) => {
      if (Number.isInteger(p.value) && p.value >= 0 && p.value < size) lut[p.value] = i;
    });
    let i = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          const k = lut[d[i]];
          if (k >= 0) fr[k][a === 0 ? z : a === 1 ? y : x]++;
        }
      }
    }
  } else {
    let i = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          const k = index.get(d[i]);
          if (k === undefined) continue;
          fr[k][a === 0 ? z : a === 1 ? y : x]++;
        }
      }
    }
  }
  const h = labels.spacing[a];
  const position_um = new Float64Array(n);
  for (let s = 0; s < n; s++) position_um[s] = (s + 0.5) * h;
  for (const f of fr) for (let s = 0; s < n; s++) f[s] /= perSlice;
  return { axis, position_um, phases: phases.map((p, k) => ({ value: p.value, name: p.name, fraction: fr[k] })) };
}
