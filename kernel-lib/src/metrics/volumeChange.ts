/**
 * Volume change between two label volumes of the same sample (e.g. time steps
 * of an operando series): per-phase volumes and the electrode thickness along z.
 */
import { checkNumber } from "../errors";
import { type Volume } from "../volume";
import { checkLabels, checkSameShape, phasesOf, porePhase } from "./common";
import { countValues } from "./fractions";

export interface VolumeChangeOptions {
  phases?: readonly number[];
  /**
   * The phase outside the electrode (and in its pores), used for the thickness
   * (default: the phase named "pore", else 0).
   */
  backgroundValue?: number;
  /** A z-slice belongs to the electrode when its non-background fraction exceeds this (default 0.05). */
  solidFractionThreshold?: number;
}

export interface PhaseVolumeChange {
  readonly value: number;
  readonly name: string;
  readonly volumeBefore_um3: number;
  readonly volumeAfter_um3: number;
  readonly change_um3: number;
  /** change / volumeBefore (NaN when the phase was absent before). */
  readonly relativeChange: number;
}

export interface VolumeChangeResult {
  readonly phases: PhaseVolumeChange[];
  /** Extent along z of the slices whose non-background fraction exceeds the threshold, µm. */
  readonly thicknessBefore_um: number;
  readonly thicknessAfter_um: number;
  readonly thicknessChange_um: number;
  readonly relativeThicknessChange: number;
}

function thickness(v: Volume, background: number, threshold: number): number {
  const [nz, ny, nx] = v.shape;
  const per = ny * nx;
  const d = v.data;
  let first = -1;
  let last = -1;
  for (let z = 0; z < nz; z++) {
    let solid = 0;
    for (let i = z * per; i < (z + 1) * per; i++) if (d[i] !== background) solid++;
    if (solid / per > threshold) {
      if (first < 0) first = z;
      last = z;
    }
  }
  return first < 0 ? 0 : (last - first + 1) * v.spacing[0];
}

/**
 * Per-phase volume change and electrode thickness change along z between two
 * label volumes of the same shape (spacing taken from each).
 *
 * @example
 * const dv = volumeChange(charged, discharged);
 * dv.phases.map((p) => [p.name, p.relativeChange]); dv.thicknessChange_um;
 */
export function volumeChange(before: Volume, after: Volume, options: VolumeChangeOptions = {}): VolumeChangeResult {
  checkLabels(before, "before");
  checkLabels(after, "after");
  checkSameShape(before, after, "volumeChange");
  const threshold = checkNumber("solidFractionThreshold", options.solidFractionThreshold ?? 0.05, { min: 0, max: 1 });
  const bg = options.backgroundValue ?? porePhase(before);
  const cb = countValues(before);
  const ca = countValues(after);
  const vb = before.spacing[0] * before.spacing[1] * before.spacing[2];
  const va = after.spacing[0] * after.spacing[1] * after.spacing[2];
  let phases = phasesOf(before, options.phases);
  if (!options.phases) {
    for (const p of phasesOf(after)) if (!phases.some((q) => q.value === p.value)) phases = [...phases, p];
  }
  const tb = thickness(before, bg, threshold);
  const ta = thickness(after, bg, threshold);
  return {
    phases: phases.map((p) => {
      const b = (cb.get(p.value) ?? 0) * vb;
      const a = (ca.get(p.value) ?? 0) * va;
      return { value: p.value, name: p.name, volumeBefore_um3: b, volumeAfter_um3: a, change_um3: a - b, relativeChange: b > 0 ? (a - b) / b : NaN };
    }),
    thicknessBefore_um: tb,
    thicknessAfter_um: ta,
    thicknessChange_um: ta - tb,
    relativeThicknessChange: tb > 0 ? (ta - tb) / tb : NaN,
  };
}
