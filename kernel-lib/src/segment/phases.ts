import { ERROR_CODES, TomolyteError } from "../errors";
import { type LabelArray, type LabelVolume, type Phase, PHASE_COLORS, checkAllocation, createVolume, dtypeOf, isLabelVolume, labelVolume } from "../volume";

function checkLabels(labels: LabelVolume, what: string): void {
  if (!labels || !labels.data || !isLabelVolume(labels)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `${what} needs a label volume with a phase table (from applyThresholds, segmentMrf, classify, or labelVolume()); got a plain volume`,
    );
  }
}

function phaseOf(labels: LabelVolume, value: number, what: string): Phase {
  const p = labels.phases.find((q) => q.value === value);
  if (!p) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}: no phase with value ${value}; the phases are ${labels.phases.map((q) => q.value).join(", ")}`);
  }
  return p;
}

/**
 * A copy of the phase table with new names (and optionally colours); the
 * voxel data is shared, not copied.
 *
 * @example
 * const named = renamePhases(labels, { 0: "pore", 1: "carbon-binder", 2: "NMC" });
 * const coloured = renamePhases(labels, {}, { 0: "#000000" });
 */
export function renamePhases(
  labels: LabelVolume, names: Readonly<Record<number, string>>, colors: Readonly<Record<number, string>> = {},
): LabelVolume {
  checkLabels(labels, "renamePhases");
  for (const k of [...Object.keys(names), ...Object.keys(colors)]) phaseOf(labels, Number(k), "renamePhases");
  const phases = labels.phases.map((p) => ({
    value: p.value,
    name: names[p.value] !== undefined ? String(names[p.value]) : p.name,
    color: colors[p.value] !== undefined ? String(colors[p.value]) : p.color,
  }));
  return labelVolume(labels as LabelVolume<LabelArray>, phases);
}

/**
 * Merges phases into one: every voxel of the listed values takes the value
 * of `into` (default: the first listed), whose entry stays in the table
 * (renamed if `name` is given); the others leave it.
 *
 * @example
 * const solid = mergePhases(labels, [1, 2], { name: "solid" });
 */
export function mergePhases(labels: LabelVolume, values: readonly number[], options: { into?: number; name?: string } = {}): LabelVolume {
  checkLabels(labels, "mergePhases");
  if (!Array.isArray(values) || values.length < 2) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "mergePhases needs at least two phase values");
  }
  for (const v of values) phaseOf(labels, v, "mergePhases");
  const into = options.into ?? values[0];
  if (!values.includes(into)) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `into (${into}) must be one of the merged values`);
  const set = new Set(values);
  const d = labels.data;
  checkAllocation(d.byteLength, "the merged labels", d.length);
  const out = d.slice() as LabelArray;
  for (let i = 0; i < out.length; i++) if (set.has(out[i])) out[i] = into;
  const phases = labels.phases
    .filter((p) => p.value === into || !set.has(p.value))
    .map((p) => (p.value === into && options.name !== undefined ? { ...p, name: options.name } : p));
  return labelVolume(createVolume(out, labels.shape, labels.spacing), phases);
}

/**
 * Renumbers the phases 0..N−1 in the given order (`order[k]` is the old
 * value that becomes k), keeping names; colours follow the default palette
 * by position unless `keepColors`. Voxels of values not listed are an error.
 *
 * @example
 * const reordered = reorderPhases(labels, [0, 2, 1]); // swap phases 1 and 2
 */
export function reorderPhases(labels: LabelVolume, order: readonly number[], options: { keepColors?: boolean } = {}): LabelVolume {
  checkLabels(labels, "reorderPhases");
  const old = labels.phases.map((p) => p.value);
  if (!Array.isArray(order) || order.length !== old.length || new Set(order).size !== order.length) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `order must list each phase value once: ${old.join(", ")}`);
  }
  const map = new Map<number, number>();
  order.forEach((v, k) => {
    phaseOf(labels, v, "reorderPhases");
    map.set(v, k);
  });
  const d = labels.data;
  const dtype = dtypeOf(d);
  const out = (order.length <= 256 ? new Uint8Array(d.length) : dtype === "uint32" ? new Uint32Array(d.length) : new Uint16Array(d.length)) as LabelArray;
  const lut = new Int32Array(Math.max(...old) + 1).fill(-1);
  for (const [v, k] of map) lut[v] = k;
  for (let i = 0; i < d.length; i++) {
    const k = d[i] < lut.length ? lut[d[i]] : -1;
    if (k < 0) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `voxel ${i} has value ${d[i]}, which is not in the phase table; add it with labelVolume() first`);
    }
    out[i] = k;
  }
  const phases = order.map((v, k) => {
    const p = phaseOf(labels, v, "reorderPhases");
    return { value: k, name: p.name, color: options.keepColors ? p.color : PHASE_COLORS[k % PHASE_COLORS.length] };
  });
  return labelVolume(createVolume(out, labels.shape, labels.spacing), phases);
}
