/**
 * SNOW partitioning (Gostick, Phys. Rev. E 96, 023307, 2017) of one or several
 * phases into pore regions, following the steps and defaults of PoreSpy's
 * `snow2` / `snow_partitioning` (see docs/network.md for the step-by-step list
 * and where this implementation differs).
 */
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";
import { distanceTransform } from "../morphology";
import { gaussian } from "../filters";
import { watershed } from "../segment";

export interface SnowPartitionOptions {
  /** Gaussian smoothing of the distance map, in voxels (default 0.4, as snow2). 0 skips it. */
  sigmaVoxels?: number;
  /** Radius of the ball in which a peak must be the highest value, in voxels (default 4, as snow2). */
  rMaxVoxels?: number;
  /** Iteration limit of the plateau growth in saddle-point trimming (default 20, as PoreSpy). */
  maxSaddleIterations?: number;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/** @internal Counts of what each step of the partition kept, for reports and tests. */
export interface SnowStepCounts {
  /** Connected groups of voxels that are maxima within the ball. */
  peaks: number;
  /** Groups left after removing saddle points and unbounded plateaus. */
  afterSaddles: number;
  /** Groups left after removing peaks closer to a neighbour than their distance value (= markers). */
  markers: number;
  /** Pieces of the phase that no marker reached (each becomes a region of its own). */
  orphans: number;
}

/** 26 neighbours as offsets. */
function offsets26(ny: number, nx: number): { dz: Int8Array; dy: Int8Array; dx: Int8Array; off: Int32Array } {
  const dz: number[] = [], dy: number[] = [], dx: number[] = [], off: number[] = [];
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
    if (a === 0 && b === 0 && c === 0) continue;
    dz.push(a); dy.push(b); dx.push(c); off.push((a * ny + b) * nx + c);
  }
  return { dz: Int8Array.from(dz), dy: Int8Array.from(dy), dx: Int8Array.from(dx), off: Int32Array.from(off) };
}

/**
 * @internal Partitions the voxels where `mask` is 1 into regions. `dt` is the
 * Euclidean distance map of the mask in µm; labels start at `firstLabel`
 * and are written into `out` (which must be 0 on the mask).
 * Returns the number of regions written.
 */
export function snowPartition(
  mask: Uint8Array, dt: Float32Array, shape: readonly [number, number, number], spacing: readonly [number, number, number],
  out: Uint32Array, firstLabel: number, options: SnowPartitionOptions, counts: SnowStepCounts,
): number {
  const [nz, ny, nx] = shape;
  const n = mask.length;
  const plane = ny * nx;
  const sigma = options.sigmaVoxels ?? 0.4;
  const rMax = options.rMaxVoxels ?? 4;
  const maxIter = options.maxSaddleIterations ?? 20;
  // 1. Light smoothing of the distance map (SciPy's gaussian_filter, mode reflect), zero off the phase.
  let b: Float32Array;
  if (sigma > 0) {
    // This phase's own map: with several phases, `dt` also holds the others' values,
    // which must not bleed into this phase's border voxels (0 there, as for one phase).
    const own = new Float32Array(n);
    for (let i = 0; i < n; i++) if (mask[i]) own[i] = dt[i];
    b = gaussian(createVolume(own, shape), { sigmaVoxels: sigma, mode: "reflect", dtype: "float32", signal: options.signal }).data as Float32Array;
    for (let i = 0; i < n; i++) if (!mask[i]) b[i] = 0;
  } else {
    b = new Float32Array(n);
    for (let i = 0; i < n; i++) if (mask[i]) b[i] = dt[i];
  }
  throwIfAborted(options.signal);
  // 2. Peaks: b equal to the maximum of b over a ball of radius rMax. A ball maximum
  // is also a maximum over the 26 neighbours, so the ball is only tested there.
  const { dz, dy, dx, off } = offsets26(ny, nx);
  const ballOff: number[] = [], bz: number[] = [], by: number[] = [], bx: number[] = [];
  const R = Math.floor(rMax);
  for (let a = -R; a <= R; a++) for (let c = -R; c <= R; c++) for (let e = -R; e <= R; e++) {
    if (a * a + c * c + e * e > rMax * rMax || (a === 0 && c === 0 && e === 0)) continue;
    if (Math.abs(a) <= 1 && Math.abs(c) <= 1 && Math.abs(e) <= 1) continue; // done by the 26-test
    ballOff.push((a * ny + c) * nx + e); bz.push(a); by.push(c); bx.push(e);
  }
  const peak = new Uint8Array(n);
  for (let z = 0; z < nz; z++) {
    if ((z & 15) === 0) throwIfAborted(options.signal);
    for (let y = 0; y < ny; y++) {
      const row = z * plane + y * nx;
      for (let x = 0; x < nx; x++) {
        const i = row + x;
        const v = b[i];
        if (!(v > 0)) continue;
        const inner = z > 0 && z < nz - 1 && y > 0 && y < ny - 1 && x > 0 && x < nx - 1;
        let ok = true;
        for (let k = 0; k < 26; k++) {
          if (!inner) {
            const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
            if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
          }
          if (b[i + off[k]] > v) { ok = false; break; }
        }
        if (!ok) continue;
        const farInner = z >= R && z < nz - R && y >= R && y < ny - R && x >= R && x < nx - R;
        for (let k = 0; k < ballOff.length; k++) {
          if (!farInner) {
            const zz = z + bz[k], yy = y + by[k], xx = x + bx[k];
            if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
          }
          if (b[i + ballOff[k]] > v) { ok = false; break; }
        }
        if (ok) peak[i] = 1;
      }
    }
  }
  options.onProgress?.(0.3);
  // Group the peak voxels (26-connected; equal values within a group, since each lies in the other's ball).
  const groups: number[][] = [];
  const seen = new Uint8Array(n);
  const coordOf = (i: number): [number, number, number] => {
    const z = (i / plane) | 0;
    const r = i - z * plane;
    const y = (r / nx) | 0;
    return [z, y, r - y * nx];
  };
  for (let i = 0; i < n; i++) {
    if (!peak[i] || seen[i]) continue;
    const g = [i];
    seen[i] = 1;
    for (let h = 0; h < g.length; h++) {
      const j = g[h];
      const [z, y, x] = coordOf(j);
      for (let k = 0; k < 26; k++) {
        const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
        if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
        const m = j + off[k];
        if (peak[m] && !seen[m]) { seen[m] = 1; g.push(m); }
      }
    }
    groups.push(g);
  }
  counts.peaks += groups.length;
  // 3. Saddle points and plateaus (PoreSpy's trim_saddle_points): grow each group over
  // its equal-valued neighbours; a strictly higher neighbour means the group sits on a
  // saddle or a ridge and is dropped; a plateau with no higher neighbour is a true peak.
  const inPlateau = new Uint8Array(n);
  const kept: number[][] = [];
  for (const g of groups) {
    const v = b[g[0]];
    const plateau = g.slice();
    for (const j of plateau) inPlateau[j] = 1;
    let front = plateau.slice();
    let saddle = false;
    for (let it = 0; it < maxIter && front.length > 0 && !saddle; it++) {
      const next: number[] = [];
      for (const j of front) {
        const [z, y, x] = coordOf(j);
        for (let k = 0; k < 26; k++) {
          const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
          if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
          const m = j + off[k];
          if (inPlateau[m] || !mask[m]) continue;
          if (b[m] > v) { saddle = true; break; }
          if (b[m] === v) { inPlateau[m] = 1; plateau.push(m); next.push(m); }
        }
        if (saddle) break;
      }
      front = next;
    }
    for (const j of plateau) inPlateau[j] = 0;
    if (!saddle) kept.push(g);
  }
  counts.afterSaddles += kept.length;
  throwIfAborted(options.signal);
  // 4. Peaks closer to their nearest peak than their own distance value (PoreSpy's
  // trim_nearby_peaks, f = 1): of the pair, the one nearer the solid goes. Centres and
  // distances in µm; a tiny index-ordered jitter breaks ties reproducibly, as PoreSpy does.
  const G = kept.length;
  const cz = new Float64Array(G), cy = new Float64Array(G), cx = new Float64Array(G), L = new Float64Array(G);
  for (let gi = 0; gi < G; gi++) {
    let sz = 0, sy = 0, sx = 0;
    for (const j of kept[gi]) { const [z, y, x] = coordOf(j); sz += z; sy += y; sx += x; }
    const m = kept[gi].length;
    const iz = Math.trunc(sz / m), iy = Math.trunc(sy / m), ix = Math.trunc(sx / m);
    cz[gi] = iz * spacing[0]; cy[gi] = iy * spacing[1]; cx[gi] = ix * spacing[2];
    const ic = (iz * ny + iy) * nx + ix;
    L[gi] = (mask[ic] ? dt[ic] : 0) + gi * 1e-6 * Math.min(spacing[0], spacing[1], spacing[2]);
  }
  const drop = new Uint8Array(G);
  if (G > 1) {
    // Uniform grid of buckets; each peak only needs neighbours within its own L.
    let maxL = 0;
    for (let gi = 0; gi < G; gi++) if (L[gi] > maxL) maxL = L[gi];
    const cell = Math.max(maxL, 1e-9);
    const gy = Math.max(1, Math.ceil((ny * spacing[1]) / cell) + 1);
    const gx = Math.max(1, Math.ceil((nx * spacing[2]) / cell) + 1);
    const buckets = new Map<number, number[]>();
    const cellOf = (gi: number) => [Math.floor(cz[gi] / cell), Math.floor(cy[gi] / cell), Math.floor(cx[gi] / cell)];
    for (let gi = 0; gi < G; gi++) {
      const [a, c, e] = cellOf(gi);
      const key = (a * gy + c) * gx + e;
      const list = buckets.get(key);
      if (list) list.push(gi); else buckets.set(key, [gi]);
    }
    const drops: number[] = [];
    for (let gi = 0; gi < G; gi++) {
      const [a, c, e] = cellOf(gi);
      let best = -1, bestD = Infinity;
      for (let p = a - 1; p <= a + 1; p++) for (let q = c - 1; q <= c + 1; q++) for (let r = e - 1; r <= e + 1; r++) {
        if (q < 0 || r < 0 || q >= gy || r >= gx) continue;
        const list = buckets.get((p * gy + q) * gx + r);
        if (!list) continue;
        for (const gj of list) {
          if (gj === gi) continue;
          const d = Math.hypot(cz[gi] - cz[gj], cy[gi] - cy[gj], cx[gi] - cx[gj]);
          if (d < bestD || (d === bestD && gj < best)) { bestD = d; best = gj; }
        }
      }
      if (best >= 0 && bestD < L[gi]) drops.push(L[gi] < L[best] ? gi : best);
    }
    for (const d of drops) drop[d] = 1;
  }
  // 5. Markers and watershed on -b, restricted to the phase (6-connected flood, as skimage's default).
  checkAllocation(n * 4 * 3, "the SNOW markers and watershed", n);
  const markers = new Uint32Array(n);
  let nm = 0;
  for (let gi = 0; gi < G; gi++) {
    if (drop[gi]) continue;
    nm++;
    for (const j of kept[gi]) markers[j] = nm;
  }
  counts.markers += nm;
  options.onProgress?.(0.5);
  let regions: Uint32Array;
  if (nm > 0) {
    const neg = new Float32Array(n);
    for (let i = 0; i < n; i++) neg[i] = -b[i];
    regions = watershed(createVolume(neg, shape), createVolume(markers, shape), {
      connectivity: 6, mask: createVolume(mask, shape), signal: options.signal,
    }).data;
  } else {
    regions = markers;
  }
  // Pieces of the phase no marker reached (e.g. a small pore whose ball held a higher
  // value across the solid) become regions of their own, so no phase voxel is lost.
  let next = nm;
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!mask[i] || regions[i] !== 0) continue;
    next++;
    counts.orphans++;
    regions[i] = next;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      const [z, y, x] = coordOf(j);
      for (let k = 0; k < 26; k++) {
        if (Math.abs(dz[k]) + Math.abs(dy[k]) + Math.abs(dx[k]) !== 1) continue;
        const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
        if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
        const m = j + off[k];
        if (mask[m] && regions[m] === 0) { regions[m] = next; stack.push(m); }
      }
    }
  }
  const base = firstLabel - 1;
  for (let i = 0; i < n; i++) if (regions[i] !== 0) out[i] = regions[i] + base;
  return next;
}

/** @internal Checks the phase options and returns the phase values. */
export function resolvePhases(labels: Volume, options: { phase?: number; phases?: readonly number[] }): number[] {
  if (!labels || !labels.data || !Array.isArray(labels.shape)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "snow(labels, options): labels must be a Volume; make one with createVolume()");
  }
  const dtype = dtypeOf(labels.data);
  if (dtype === "float32" || dtype === "float64") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, "snow needs an integer label volume (segment it first), not a greyscale volume");
  }
  let values: number[];
  if (options.phases !== undefined) {
    if (!Array.isArray(options.phases) || options.phases.length === 0) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "phases must be a non-empty list of label values, e.g. [0] or [0, 2]");
    }
    values = [...options.phases];
  } else if (options.phase !== undefined) {
    values = [options.phase];
  } else {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "snow needs { phase: V } (the pore phase's label value) or { phases: [V1, V2, ...] }");
  }
  for (const v of values) checkNumber("phase", v, { min: 0, integer: true });
  if (new Set(values).size !== values.length) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `phases must be distinct, got ${JSON.stringify(values)}`);
  }
  return values;
}

/** @internal Distance maps (µm) of each phase, combined into one array (each voxel is in at most one phase). */
export function phaseDistance(labels: Volume, phases: readonly number[], signal?: AbortSignal): { dt: Float32Array; masks: Uint8Array[] } {
  const n = labels.data.length;
  checkAllocation(n * (4 + phases.length), "the phase distance maps", n);
  const dt = new Float32Array(n);
  const masks: Uint8Array[] = [];
  for (const p of phases) {
    throwIfAborted(signal);
    const mask = new Uint8Array(n);
    const d = labels.data;
    for (let i = 0; i < n; i++) mask[i] = d[i] === p ? 1 : 0;
    const one = distanceTransform(labels, { phase: p, dtype: "float32", signal }).distance.data;
    for (let i = 0; i < n; i++) if (mask[i]) dt[i] = one[i];
    masks.push(mask);
  }
  return { dt, masks };
}
