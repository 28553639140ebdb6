import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Triple, type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";
import {
  type Connectivity, type ForegroundOptions, type ProgressOptions,
  checkConnectivity, checkVolume, foregroundBytes, reportProgress,
} from "./mask";

export interface LabelOptions extends ForegroundOptions, ProgressOptions {
  /** 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners). Default 6. */
  connectivity?: Connectivity;
}

/** Connected components: `labels` holds 0 for background and 1..count for components. */
export interface LabelResult {
  readonly labels: Volume<Uint32Array>;
  readonly count: number;
}

/**
 * Two-pass labelling over runs: each row is cut into runs of foreground, runs
 * are joined with union-find to the overlapping runs of the (up to four)
 * earlier rows they can touch, then every run is filled with its final label.
 * The union keeps the smaller run index as root, so a component's root is its
 * first run in raster order and the numbering is SciPy's (`scipy.ndimage.label`).
 */
export function labelForeground(
  fg: Uint8Array,
  shape: Triple,
  connectivity: Connectivity,
  progress: ProgressOptions = {},
): { labels: Uint32Array; count: number } {
  return labelRuns(fg, false, 0, shape, connectivity, progress);
}

/**
 * The labelling itself, on `src` directly: foreground is `src[i] === value`
 * when `equals`, else `src[i] !== 0` (so one phase of an integer label volume
 * needs no mask to be built first).
 */
function labelRuns(
  src: ArrayLike<number>,
  equals: boolean,
  value: number,
  shape: Triple,
  connectivity: Connectivity,
  progress: ProgressOptions,
): { labels: Uint32Array; count: number } {
  const fg = src;
  const [nz, ny, nx] = shape;
  const n = fg.length;
  checkAllocation(n * 4 + nz * ny * 4, "connected-component labels", n);
  const labels = new Uint32Array(n);
  // Runs: [runStart, runEnd) in x; rowFirst[row] .. rowFirst[row + 1] are the runs of row z*ny + y.
  const rows = nz * ny;
  const rowFirst = new Int32Array(rows + 1);
  let cap = Math.max(64, Math.min(n, rows * 4));
  let runStart = new Int32Array(cap);
  let runEnd = new Int32Array(cap);
  let parent = new Int32Array(cap);
  let runs = 0;
  const find = (a: number): number => {
    let r = a;
    while (parent[r] !== r) r = parent[r];
    // Path compression keeps later finds O(α(n)).
    while (parent[a] !== r) {
      const p = parent[a];
      parent[a] = r;
      a = p;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  // Earlier rows a run can touch: (dz, dy) and how far in x the contact reaches.
  const nbr: Array<[number, number, number]> = [];
  for (const [dz, dy] of [[0, -1], [-1, 0], [-1, -1], [-1, 1]] as const) {
    const k = Math.abs(dz) + Math.abs(dy);
    if (connectivity === 6 && k === 1) nbr.push([dz, dy, 0]);
    if (connectivity === 18) nbr.push([dz, dy, k === 1 ? 1 : 0]);
    if (connectivity === 26) nbr.push([dz, dy, 1]);
  }
  for (let z = 0; z < nz; z++) {
    throwIfAborted(progress.signal);
    for (let y = 0; y < ny; y++) {
      const row = z * ny + y;
      const base = row * nx;
      rowFirst[row] = runs;
      let x = 0;
      while (x < nx) {
        let s0: number;
        if (equals) {
          while (x < nx && fg[base + x] !== value) x++;
          if (x >= nx) break;
          s0 = x;
          while (x < nx && fg[base + x] === value) x++;
        } else {
          while (x < nx && fg[base + x] === 0) x++;
          if (x >= nx) break;
          s0 = x;
          while (x < nx && fg[base + x] !== 0) x++;
        }
        if (runs >= cap) {
          cap = Math.min(n + 1, cap * 2);
          const a = new Int32Array(cap); a.set(runStart); runStart = a;
          const b = new Int32Array(cap); b.set(runEnd); runEnd = b;
          const c = new Int32Array(cap); c.set(parent); parent = c;
        }
        runStart[runs] = s0;
        runEnd[runs] = x;
        parent[runs] = runs;
        runs++;
      }
      const first = rowFirst[row];
      if (first === runs) continue;
      for (const [dz, dy, ext] of nbr) {
        const zz = z + dz;
        const yy = y + dy;
        if (zz < 0 || yy < 0 || yy >= ny) continue;
        const orow = zz * ny + yy;
        let j = rowFirst[orow];
        const jEnd = orow + 1 <= row ? (orow + 1 === row ? first : rowFirst[orow + 1]) : first;
        // Two-pointer sweep over the runs of both rows, both sorted by x.
        for (let i = first; i < runs && j < jEnd; ) {
          const a0 = runStart[i] - ext;
          const a1 = runEnd[i] + ext; // exclusive, widened by the diagonal reach
          if (runEnd[j] <= a0) { j++; continue; }
          if (runStart[j] >= a1) { i++; continue; }
          union(i, j);
          if (runEnd[j] < a1) j++;
          else i++;
        }
      }
    }
    if (progress.onProgress && (z & 15) === 15) reportProgress(progress, (0.8 * (z + 1)) / nz);
  }
  rowFirst[rows] = runs;
  // parent[r] <= r always, so one increasing sweep resolves every root and numbers them in order.
  const final = new Uint32Array(runs);
  let count = 0;
  for (let r = 0; r < runs; r++) {
    const p = parent[r];
    final[r] = p === r ? ++count : final[p];
  }
  for (let row = 0; row < rows; row++) {
    const base = row * nx;
    for (let r = rowFirst[row]; r < rowFirst[row + 1]; r++) {
      // A plain loop: TypedArray.fill's call overhead dominates on short runs.
      const l = final[r];
      const e = base + runEnd[r];
      for (let i = base + runStart[r]; i < e; i++) labels[i] = l;
    }
  }
  reportProgress(progress, 1);
  return { labels, count };
}

/**
 * Connected components of the foreground (non-zero voxels, or one `phase` of a
 * label volume, or voxels passing `where`). Components are numbered 1..count
 * in raster order of their first voxel (z slowest, x fastest), exactly as
 * `scipy.ndimage.label` numbers them; background is 0.
 *
 * @example
 * const { labels, count } = label(segmented, { phase: 0, connectivity: 26 });
 */
export function label(volume: Volume, options: LabelOptions = {}): LabelResult {
  const connectivity = checkConnectivity(options.connectivity);
  checkVolume(volume, "volume");
  const dtype = dtypeOf(volume.data);
  const integer = dtype !== "float32" && dtype !== "float64";
  let result: { labels: Uint32Array; count: number };
  if (integer && typeof options.phase === "number" && Number.isFinite(options.phase)) {
    result = labelRuns(volume.data, true, options.phase, volume.shape, connectivity, options);
  } else if (integer && options.phase === undefined && options.where === undefined) {
    result = labelRuns(volume.data, false, 0, volume.shape, connectivity, options);
  } else {
    result = labelForeground(foregroundBytes(volume, options), volume.shape, connectivity, options);
  }
  return { labels: createVolume(result.labels, volume.shape, volume.spacing), count: result.count };
}

function labelsOf(labels: LabelResult | Volume): { data: ArrayLike<number>; shape: Triple; count: number } {
  if ((labels as LabelResult).labels !== undefined && typeof (labels as LabelResult).count === "number") {
    const r = labels as LabelResult;
    return { data: r.labels.data, shape: r.labels.shape, count: r.count };
  }
  const v = labels as Volume;
  checkVolume(v, "labels");
  let max = 0;
  const d = v.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (!(x >= 0) || !Number.isInteger(x)) {
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `labels must be non-negative integers (found ${x} at voxel ${i}); pass the result of label(), not a greyscale volume`,
      );
    }
    if (x > max) max = x;
  }
  return { data: d, shape: v.shape, count: max };
}

/**
 * Voxel count of each component: `sizes[l]` for label l, `sizes[0]` the background.
 *
 * @example
 * const comps = label(mask);
 * const sizes = componentSizes(comps); // Float64Array(comps.count + 1)
 */
export function componentSizes(labels: LabelResult | Volume): Float64Array {
  const { data, count } = labelsOf(labels);
  const sizes = new Float64Array(count + 1);
  for (let i = 0; i < data.length; i++) sizes[data[i]]++;
  return sizes;
}

/**
 * A 0/1 mask of the voxels whose label is in `ids`.
 *
 * @example
 * const two = selectComponents(comps, [1, 2]);
 */
export function selectComponents(labels: LabelResult | Volume, ids: readonly number[]): Volume<Uint8Array> {
  const { data, shape, count } = labelsOf(labels);
  const keep = new Uint8Array(count + 1);
  for (const id of ids) {
    if (Number.isInteger(id) && id >= 1 && id <= count) keep[id] = 1;
  }
  const spacing = ((labels as LabelResult).labels ?? (labels as Volume)).spacing;
  checkAllocation(data.length, "the component mask", data.length);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = keep[data[i]];
  return createVolume(out, shape, spacing);
}

/**
 * The largest connected component of the foreground as a 0/1 mask (ties: the
 * one first in raster order). An empty foreground gives an all-zero mask.
 *
 * @example
 * const solid = keepLargest(labels, { phase: 1, connectivity: 26 });
 */
export function keepLargest(volume: Volume, options: LabelOptions = {}): Volume<Uint8Array> {
  const comps = label(volume, options);
  const sizes = componentSizes(comps);
  let best = 0;
  for (let l = 1; l <= comps.count; l++) if (sizes[l] > sizes[best] || best === 0) best = l;
  return selectComponents(comps, best === 0 ? [] : [best]);
}

export interface RemoveSmallOptions extends LabelOptions {
  /** Components with fewer voxels than this are removed. */
  minSizeVoxels?: number;
  /** Components with less volume (µm³, spacing applied) than this are removed. */
  minVolume_um3?: number;
}

/**
 * Removes components smaller than a size (like skimage's
 * `remove_small_objects`: a component of exactly the minimum size stays).
 * Returns a 0/1 mask of what remains.
 *
 * @example
 * const clean = removeSmall(mask, { minSizeVoxels: 27, connectivity: 26 });
 */
export function removeSmall(volume: Volume, options: RemoveSmallOptions): Volume<Uint8Array> {
  let min: number;
  if (options?.minSizeVoxels !== undefined) {
    min = checkNumber("minSizeVoxels", options.minSizeVoxels, { min: 0 });
  } else if (options?.minVolume_um3 !== undefined) {
    const [dz, dy, dx] = volume.spacing;
    min = checkNumber("minVolume_um3", options.minVolume_um3, { min: 0 }) / (dz * dy * dx);
  } else {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "removeSmall needs minSizeVoxels or minVolume_um3");
  }
  const comps = label(volume, options);
  const sizes = componentSizes(comps);
  const ids: number[] = [];
  for (let l = 1; l <= comps.count; l++) if (sizes[l] >= min - 1e-9) ids.push(l);
  return selectComponents(comps, ids);
}

/** A face of the volume: "z-" is the first z slice (z = 0), "z+" the last. */
export type Face = "z-" | "z+" | "y-" | "y+" | "x-" | "x+";
export const FACES: readonly Face[] = ["z-", "z+", "y-", "y+", "x-", "x+"];

export interface TouchingOptions {
  /** "all" (default): components touching every listed face; "any": touching at least one. */
  mode?: "all" | "any";
}

/**
 * Labels of the components that touch the given faces, ascending. With
 * `["z-", "z+"]` and mode "all" these are the components that percolate
 * through the electrode thickness.
 *
 * @example
 * const through = componentsTouching(label(mask), ["z-", "z+"]);
 */
export function componentsTouching(labels: LabelResult | Volume, faces: readonly Face[], options: TouchingOptions = {}): number[] {
  const { data, shape, count } = labelsOf(labels);
  if (!Array.isArray(faces) || faces.length === 0 || faces.some((f) => !FACES.includes(f))) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `faces must be a non-empty list of ${FACES.join(", ")}; got ${JSON.stringify(faces)}`);
  }
  const mode = options.mode ?? "all";
  if (mode !== "all" && mode !== "any") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `mode must be "all" or "any", got ${String(mode)}`);
  }
  const [nz, ny, nx] = shape;
  // One bit per face in a small mask per label.
  const touched = new Uint8Array(count + 1);
  const mark = (f: number, z0: number, z1: number, y0: number, y1: number, x0: number, x1: number) => {
    const bit = 1 << f;
    for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) {
      const b = (z * ny + y) * nx;
      for (let x = x0; x < x1; x++) touched[data[b + x]] |= bit;
    }
  };
  const uniq = [...new Set(faces)];
  uniq.forEach((face, f) => {
    if (face === "z-") mark(f, 0, 1, 0, ny, 0, nx);
    else if (face === "z+") mark(f, nz - 1, nz, 0, ny, 0, nx);
    else if (face === "y-") mark(f, 0, nz, 0, 1, 0, nx);
    else if (face === "y+") mark(f, 0, nz, ny - 1, ny, 0, nx);
    else if (face === "x-") mark(f, 0, nz, 0, ny, 0, 1);
    else mark(f, 0, nz, 0, ny, nx - 1, nx);
  });
  const all = (1 << uniq.length) - 1;
  const out: number[] = [];
  for (let l = 1; l <= count; l++) {
    if (mode === "all" ? touched[l] === all : touched[l] !== 0) out.push(l);
  }
  return out;
}

export interface KeepTouchingOptions extends LabelOptions, TouchingOptions {
  faces: readonly Face[];
}

/**
 * The foreground voxels in components that touch the given faces, as a 0/1
 * mask (e.g. the percolating pore space between "z-" and "z+").
 *
 * @example
 * const percolating = keepTouching(labels, { phase: 0, faces: ["z-", "z+"] });
 */
export function keepTouching(volume: Volume, options: KeepTouchingOptions): Volume<Uint8Array> {
  const comps = label(volume, options);
  return selectComponents(comps, componentsTouching(comps, options.faces, options));
}
