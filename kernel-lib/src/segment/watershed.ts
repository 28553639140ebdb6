import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";
import {
  type Connectivity, type ForegroundOptions, type LabelResult,
  distanceTransform, hMaxima, label, toMask,
} from "../morphology";
import { neighbourTable } from "../morphology/maxima";

export interface WatershedOptions {
  /** 6 (default, as scikit-image), 18 or 26. */
  connectivity?: Connectivity;
  /** Only voxels where the mask is non-zero are flooded (others stay 0). */
  mask?: Volume;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/**
 * A binary min-heap of (value, age, voxel) in typed arrays. Ages are unique
 * (a counter), so equal values pop first-in first-out: a plateau is shared
 * between the basins flooding it from each side.
 */
class FloodQueue {
  private v: Float64Array;
  private a: Float64Array;
  private ix: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.v = new Float64Array(capacity);
    this.a = new Float64Array(capacity);
    this.ix = new Int32Array(capacity);
  }
  push(value: number, age: number, index: number): void {
    const v = this.v, a = this.a, ix = this.ix;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (v[p] < value || (v[p] === value && a[p] <= age)) break;
      v[i] = v[p]; a[i] = a[p]; ix[i] = ix[p];
      i = p;
    }
    v[i] = value; a[i] = age; ix[i] = index;
  }
  /** Removes the smallest item and returns its voxel index. */
  pop(): number {
    const v = this.v, a = this.a, ix = this.ix;
    const top = ix[0];
    const n = --this.size;
    if (n === 0) return top;
    const lv = v[n], la = a[n], li = ix[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const c2 = c + 1;
      if (c2 < n && (v[c2] < v[c] || (v[c2] === v[c] && a[c2] < a[c]))) c = c2;
      if (lv < v[c] || (lv === v[c] && la <= a[c])) break;
      v[i] = v[c]; a[i] = a[c]; ix[i] = ix[c];
      i = c;
    }
    v[i] = lv; a[i] = la; ix[i] = li;
    return top;
  }
}

/**
 * Marker-controlled watershed by priority flood, with scikit-image's rules
 * (`skimage.segmentation.watershed(image, markers, connectivity, mask)`):
 * every marker voxel starts the flood; the lowest voxel in the queue (ties:
 * the earliest queued) gives its label to each unlabelled neighbour, which
 * joins the queue. Voxels no marker reaches (outside the mask, or cut off)
 * stay 0. Markers outside the mask are ignored.
 *
 * @example
 * const basins = watershed(gradientMagnitude, markers, { connectivity: 26 });
 */
export function watershed(image: Volume, markers: Volume | LabelResult, options: WatershedOptions = {}): Volume<Uint32Array> {
  const mk: Volume = (markers as LabelResult).labels ?? (markers as Volume);
  if (!image || !image.data || !mk || !mk.data) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "watershed(image, markers): both must be volumes; markers label the seeds 1..N, 0 elsewhere");
  }
  dtypeOf(image.data);
  const md = dtypeOf(mk.data);
  if (md === "float32" || md === "float64") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, "watershed markers must be an integer label volume (e.g. from label() or hMaxima()), not a greyscale volume");
  }
  const n = image.data.length;
  if (mk.data.length !== n || mk.shape.some((s, k) => s !== image.shape[k])) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `markers shape ${mk.shape.join("×")} differs from the image's ${image.shape.join("×")}`);
  }
  const conn = options.connectivity ?? 6;
  if (conn !== 6 && conn !== 18 && conn !== 26) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `connectivity must be 6, 18 or 26, got ${String(conn)}`);
  }
  let mask: ArrayLike<number> | undefined;
  if (options.mask) {
    if (options.mask.data.length !== n) throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, "mask must have the image's shape");
    mask = options.mask.data;
  }
  checkAllocation(n * 4 + n * 20, "the watershed labels and queue", n);
  const [nz, ny, nx] = image.shape;
  const out = new Uint32Array(n);
  const img = image.data;
  let seeds = 0;
  for (let i = 0; i < n; i++) {
    const m = mk.data[i];
    if (m < 0) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "markers must be non-negative labels");
    if (m !== 0 && (!mask || mask[i])) {
      out[i] = m;
      seeds++;
    }
  }
  if (seeds === 0) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "watershed needs at least one marker voxel (non-zero) inside the mask");
  }
  const q = new FloodQueue(n);
  for (let i = 0; i < n; i++) if (out[i] !== 0) q.push(+img[i], 0, i);
  const { dz, dy, dx, off } = neighbourTable(image.shape, conn);
  const K = off.length;
  const plane = ny * nx;
  let age = 1;
  let popped = 0;
  while (q.size > 0) {
    const i = q.pop();
    if ((++popped & 0xfffff) === 0) {
      throwIfAborted(options.signal);
      options.onProgress?.(Math.min(1, popped / n));
    }
    const z = (i / plane) | 0;
    const r = i - z * plane;
    const y = (r / nx) | 0;
    const x = r - y * nx;
    const l = out[i];
    const interior = z > 0 && z < nz - 1 && y > 0 && y < ny - 1 && x > 0 && x < nx - 1;
    for (let k = 0; k < K; k++) {
      if (!interior) {
        const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
        if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
      }
      const j = i + off[k];
      if (out[j] !== 0 || (mask && !mask[j])) continue;
      out[j] = l;
      q.push(+img[j], age++, j);
    }
  }
  options.onProgress?.(1);
  return createVolume(out, image.shape, image.spacing);
}

export interface SeparateParticlesOptions extends ForegroundOptions {
  /**
   * Minimum dynamic of a distance-map maximum to seed its own particle, in µm
   * (default: one voxel, the smallest spacing). Larger values merge more.
   */
  h_um?: number;
  /** Connectivity of the flood and of the markers (default 26). */
  connectivity?: Connectivity;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface SeparateParticlesResult {
  /** One label per particle (1..count), 0 outside the foreground. */
  readonly labels: Volume<Uint32Array>;
  readonly count: number;
  /** The seeds: the h-maxima of the distance map, labelled. */
  readonly markers: Volume<Uint32Array>;
}

/**
 * Splits touching particles: Euclidean distance map of the foreground (µm),
 * its h-maxima as markers (one per particle centre), then the watershed of
 * the negated distance map inside the foreground, so particles meet at the
 * necks (saddles of the distance map).
 *
 * @example
 * const { labels, count } = separateParticles(segmented, { phase: 2, h_um: 0.5 });
 */
export function separateParticles(volume: Volume, options: SeparateParticlesOptions = {}): SeparateParticlesResult {
  const conn = options.connectivity ?? 26;
  const fg = toMask(volume, options);
  const { distance } = distanceTransform(fg, { dtype: "float64", signal: options.signal });
  const h = options.h_um === undefined ? Math.min(...volume.spacing) : checkNumber("h_um", options.h_um, { min: 0, exclusiveMin: true });
  const markers = hMaxima(distance, { h, connectivity: conn, mask: fg, signal: options.signal });
  if (markers.count === 0) {
    // No foreground at all: nothing to split.
    return { labels: label(fg).labels, count: 0, markers: markers.labels };
  }
  const neg = new Float64Array(distance.data.length);
  for (let i = 0; i < neg.length; i++) neg[i] = -distance.data[i];
  const labels = watershed(createVolume(neg, volume.shape, volume.spacing), markers, {
    connectivity: conn, mask: fg, signal: options.signal, onProgress: options.onProgress,
  });
  return { labels, count: markers.count, markers: markers.labels };
}
