import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Triple, type Volume, checkAllocation, createVolume } from "../volume";
import { type LabelResult, labelForeground } from "./label";
import { type Connectivity, type ProgressOptions, checkConnectivity, checkVolume } from "./mask";

/** Neighbour offsets (dz, dy, dx) of a connectivity, in scikit-image's order (its watershed visits them so). */
export const NEIGHBOURS: Record<Connectivity, ReadonlyArray<readonly [number, number, number]>> = {
  6: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [0, 0, 1], [0, 1, 0], [1, 0, 0]],
  18: [[1, 0, 0], [-1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1], [1, 0, -1], [1, -1, 0], [0, 1, 1], [0, 1, -1],
    [-1, -1, 0], [0, -1, 1], [0, -1, -1], [-1, 1, 0], [-1, 0, 1], [-1, 0, -1], [1, 0, 1], [1, 1, 0]],
  26: [[0, 1, 0], [-1, 0, 0], [0, 0, 1], [0, 0, -1], [1, 0, 0], [0, -1, 0], [0, 1, 1], [0, 1, -1], [1, 1, 0], [0, -1, 1],
    [0, -1, -1], [-1, 1, 0], [1, 0, 1], [-1, 0, 1], [-1, 0, -1], [-1, -1, 0], [1, 0, -1], [1, -1, 0], [1, 1, -1],
    [-1, -1, -1], [1, -1, -1], [-1, 1, 1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1]],
};

/**
 * Calls `visit(j)` for each in-volume neighbour j of voxel i = (z, y, x).
 * Kept tiny and monomorphic so engines inline it.
 */
export function neighbourTable(shape: Triple, connectivity: Connectivity): {
  dz: Int8Array; dy: Int8Array; dx: Int8Array; off: Int32Array;
} {
  const [, ny, nx] = shape;
  const nb = NEIGHBOURS[connectivity];
  const dz = new Int8Array(nb.length);
  const dy = new Int8Array(nb.length);
  const dx = new Int8Array(nb.length);
  const off = new Int32Array(nb.length);
  nb.forEach(([a, b, c], k) => {
    dz[k] = a; dy[k] = b; dx[k] = c;
    off[k] = (a * ny + b) * nx + c;
  });
  return { dz, dy, dx, off };
}

export interface HMaximaOptions extends ProgressOptions {
  /** Height h in the volume's grey units: maxima whose dynamic (drop to the next higher region) is below h are ignored. */
  h: number;
  /** Connectivity of plateaus and of the reconstruction (default 26). */
  connectivity?: Connectivity;
  /** Only voxels where this is non-zero take part (default: voxels with value > 0 for a distance map; here: all). */
  mask?: Volume;
}

/**
 * Greyscale reconstruction by dilation of `marker` under `mask` (both as
 * Float64Array, marker <= mask), by Vincent's hybrid algorithm (raster and
 * anti-raster sweeps, then a FIFO queue). `marker` is overwritten.
 */
function reconstructByDilation(marker: Float64Array, mask: Float64Array, shape: Triple, conn: Connectivity, active: Uint8Array | undefined, progress: ProgressOptions): void {
  const [nz, ny, nx] = shape;
  const { dz, dy, dx, off } = neighbourTable(shape, conn);
  const K = off.length;
  // Split the neighbours into those before and after a voxel in raster order.
  const bk: number[] = [];
  const ak: number[] = [];
  for (let k = 0; k < K; k++) (off[k] < 0 ? bk : ak).push(k);
  const before = Int32Array.from(bk);
  const after = Int32Array.from(ak);
  const plane = ny * nx;
  // Voxels on the faces need bounds checks; the rest (almost all) do not.
  const inside = (z: number, y: number, x: number, k: number) => {
    const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
    return zz >= 0 && zz < nz && yy >= 0 && yy < ny && xx >= 0 && xx < nx;
  };
  const ok = (i: number, j: number, k: number, border: boolean): boolean => {
    if (border) {
      const z = (i / plane) | 0, r = i - z * plane, y = (r / nx) | 0;
      if (!inside(z, y, r - y * nx, k)) return false;
    }
    return !active || active[j] === 1;
  };
  for (let z = 0; z < nz; z++) {
    throwIfAborted(progress.signal);
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      const rowBorder = z === 0 || z === nz - 1 || y === 0 || y === ny - 1;
      for (let x = 0; x < nx; x++) {
        const i = row + x;
        if (active && !active[i]) continue;
        const border = rowBorder || x === 0 || x === nx - 1;
        let m = marker[i];
        for (let q = 0; q < before.length; q++) {
          const k = before[q];
          const j = i + off[k];
          if (!ok(i, j, k, border)) continue;
          if (marker[j] > m) m = marker[j];
        }
        marker[i] = m < mask[i] ? m : mask[i];
      }
    }
  }
  const n = marker.length;
  let queue = new Int32Array(Math.max(1024, n >> 4));
  let head = 0;
  let tail = 0;
  const push = (j: number) => {
    if (tail >= queue.length) {
      // Compact, then grow if still full.
      queue.copyWithin(0, head, tail);
      tail -= head;
      head = 0;
      if (tail >= queue.length) {
        const q = new Int32Array(queue.length * 2);
        q.set(queue);
        queue = q;
      }
    }
    queue[tail++] = j;
  };
  for (let z = nz - 1; z >= 0; z--) {
    throwIfAborted(progress.signal);
    for (let y = ny - 1; y >= 0; y--) {
      const row = (z * ny + y) * nx;
      const rowBorder = z === 0 || z === nz - 1 || y === 0 || y === ny - 1;
      for (let x = nx - 1; x >= 0; x--) {
        const i = row + x;
        if (active && !active[i]) continue;
        const border = rowBorder || x === 0 || x === nx - 1;
        let m = marker[i];
        for (let q = 0; q < after.length; q++) {
          const k = after[q];
          const j = i + off[k];
          if (!ok(i, j, k, border)) continue;
          if (marker[j] > m) m = marker[j];
        }
        m = m < mask[i] ? m : mask[i];
        marker[i] = m;
        for (let q = 0; q < after.length; q++) {
          const k = after[q];
          const j = i + off[k];
          if (!ok(i, j, k, border)) continue;
          if (marker[j] < m && marker[j] < mask[j]) {
            push(i);
            break;
          }
        }
      }
    }
  }
  while (head < tail) {
    const i = queue[head++];
    const z = (i / plane) | 0;
    const r = i - z * plane;
    const y = (r / nx) | 0;
    const x = r - y * nx;
    const border = z === 0 || z === nz - 1 || y === 0 || y === ny - 1 || x === 0 || x === nx - 1;
    const m = marker[i];
    for (let k = 0; k < K; k++) {
      const j = i + off[k];
      if (!ok(i, j, k, border)) continue;
      const mj = marker[j];
      if (mj < m && mj < mask[j]) {
        marker[j] = m < mask[j] ? m : mask[j];
        push(j);
      }
    }
  }
}

/**
 * Extended maxima: the tops of the regional maxima whose dynamic is at
 * least `h` (the regional maxima of the h-maxima transform R(f − h) under f),
 * labelled as connected components. The classic marker for separating
 * touching particles: `hMaxima(distance, { h: 1 })`.
 *
 * @example
 * const { labels: markers, count } = hMaxima(distanceTransform(mask).distance, { h: 0.5 });
 */
export function hMaxima(volume: Volume, options: HMaximaOptions): LabelResult {
  checkVolume(volume, "volume");
  const h = checkNumber("h", options?.h, { min: 0, exclusiveMin: true });
  const conn = checkConnectivity(options.connectivity, 26);
  const n = volume.data.length;
  const own = !(volume.data instanceof Float64Array);
  checkAllocation(n * (own ? 17 : 9), "the h-maxima work arrays", n);
  // f is only read: a float64 input (a distance map) is used as it is, without a copy.
  let f: Float64Array;
  if (own) {
    f = new Float64Array(n);
    f.set(volume.data);
  } else {
    f = volume.data as Float64Array;
  }
  let active: Uint8Array | undefined;
  if (options.mask) {
    checkVolume(options.mask, "mask");
    if (options.mask.data.length !== n) {
      throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, "mask must have the volume's shape");
    }
    active = new Uint8Array(n);
    for (let i = 0; i < n; i++) active[i] = options.mask.data[i] ? 1 : 0;
  }
  let scale = 0;
  for (let i = 0; i < n; i++) {
    if (f[i] !== f[i]) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "hMaxima: the volume contains NaN");
    scale = Math.max(scale, Math.abs(f[i]));
  }
  const rec = new Float64Array(n);
  for (let i = 0; i < n; i++) rec[i] = f[i] - h;
  reconstructByDilation(rec, f, volume.shape, conn, active, options);
  // Tops of maxima with dynamic >= h are exactly where f − R(f − h) = h (up to rounding).
  const tol = h - 1e-9 * Math.max(1, scale);
  const top = new Uint8Array(n);
  for (let i = 0; i < n; i++) top[i] = (!active || active[i]) && f[i] - rec[i] >= tol ? 1 : 0;
  const { labels, count } = labelForeground(top, volume.shape, conn, options);
  return { labels: createVolume(labels, volume.shape, volume.spacing), count };
}
