/**
 * Shared helpers of metrics/: phase tables, option checks, a seeded RNG.
 */
import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import { type Volume, type Phase, isLabelVolume, distinctValues, volumeDType, PHASE_COLORS } from "../volume";

/** Options of long operations. */
export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/** A phase as metrics report it. */
export interface PhaseRef {
  readonly value: number;
  readonly name: string;
}

/** Throws unless the volume holds integer labels. */
export function checkLabels(volume: Volume, what = "labels"): void {
  if (!volume || !volume.data || !volume.shape) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} must be a Volume`);
  }
  const dt = volumeDType(volume);
  if (dt === "float32" || dt === "float64") {
    // Float label volumes are accepted when they hold integers (e.g. read from .npy).
    const d = volume.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v !== Math.round(v)) {
        throw new TomolyteError(
          ERROR_CODES.INVALID_ARGUMENT,
          `${what} must hold integer phase values, found ${v} at index ${i}; segment the volume first`,
        );
      }
    }
  }
}

/** The phases of a label volume: its phase table, else its distinct values. */
export function phasesOf(volume: Volume, only?: readonly number[]): PhaseRef[] {
  let table: PhaseRef[];
  if (isLabelVolume(volume)) table = volume.phases.map((p: Phase) => ({ value: p.value, name: p.name }));
  else table = distinctValues(volume).map((v) => ({ value: v, name: `phase ${v}` }));
  if (only === undefined) return table;
  return only.map((v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phase values must be numbers, got ${String(v)}`);
    }
    return table.find((p) => p.value === v) ?? { value: v, name: `phase ${v}` };
  });
}

/** The phase value meant by a `phase` option (a number, or a name from the phase table). */
export function resolvePhase(volume: Volume, phase: number | string | undefined, what = "phase"): PhaseRef {
  if (phase === undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} is required: give the phase value (e.g. { phase: 0 })`);
  }
  if (typeof phase === "string") {
    const table = isLabelVolume(volume) ? volume.phases : [];
    const p = table.find((q) => q.name === phase);
    if (!p) {
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `no phase named "${phase}"; known: ${table.map((q) => `"${q.name}"`).join(", ") || "none (give a value)"}`,
      );
    }
    return { value: p.value, name: p.name };
  }
  if (typeof phase !== "number" || !Number.isFinite(phase)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} must be a phase value or name, got ${String(phase)}`);
  }
  const table = isLabelVolume(volume) ? volume.phases : [];
  const p = table.find((q) => q.value === phase);
  return { value: phase, name: p ? p.name : `phase ${phase}` };
}

/** The pore phase: the one named "pore" in the phase table, else value 0. */
export function porePhase(volume: Volume): number {
  if (isLabelVolume(volume)) {
    const p = volume.phases.find((q) => /^(pore|pores|void|electrolyte)$/i.test(q.name));
    if (p) return p.value;
  }
  return 0;
}

/** Throws SHAPE_MISMATCH unless two volumes have the same shape. */
export function checkSameShape(a: Volume, b: Volume, what: string): void {
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1] || a.shape[2] !== b.shape[2]) {
    throw new TomolyteError(
      ERROR_CODES.SHAPE_MISMATCH,
      `${what}: shapes differ (${a.shape.join("×")} vs ${b.shape.join("×")})`,
    );
  }
}

/** Reports progress and checks for cancellation, at most every slab. */
export function progress(options: ProgressOptions | undefined, done: number): void {
  throwIfAborted(options?.signal);
  options?.onProgress?.(Math.min(1, Math.max(0, done)));
}

/** Equal-width histogram of values (NumPy's bin rule), optionally weighted. */
export function binValues(
  values: ArrayLike<number>,
  bins: number,
  range?: readonly [number, number],
  weights?: ArrayLike<number>,
): { edges: Float64Array; counts: Float64Array } {
  let lo = range ? range[0] : Infinity;
  let hi = range ? range[1] : -Infinity;
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      if (values[i] < lo) lo = values[i];
      if (values[i] > hi) hi = values[i];
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  const counts = new Float64Array(bins);
  const k = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= lo && x <= hi)) continue;
    let b = Math.floor((x - lo) * k);
    if (b >= bins) b = bins - 1;
    counts[b] += weights ? weights[i] : 1;
  }
  return { edges, counts };
}

export { PHASE_COLORS };
