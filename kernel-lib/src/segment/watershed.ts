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
 * The flood's priority queue: one FIFO list per distinct grey value (linked
 * through `next`, one slot per voxel: a voxel enters at most once), and a
 * binary heap over the values whose list is not empty. Popping takes the
 * oldest voxel of the lowest value, which is exactly the (value, age) order of
 * scikit-image's heap, at O(1) per voxel plus O(log L) per value change.
 */
class LevelQueue {
  private readonly next: Int32Array;
  private readonly ids = new Map<number, number>();
  private head = new Int32Array(256);
  private tail = new Int32Array(256);
  private val = new Float64Array(256);
  private heap = new Int32Array(256);
  private heapSize = 0;
  private levels = 0;
  size = 0;
  constructor(n: number) {
    this.next = new Int32Array(n);
  }
  push(value: number, index: number): void {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.levels++;
      if (id >= this.head.length) this.grow();
      this.ids.set(value, id);
      this.val[id] = value;
      this.head[id] = -1;
    }
    this.next[index] = -1;
    if (this.head[id] < 0) {
      this.head[id] = index;
      this.tail[id] = index;
      this.heapPush(id);
    } else {
      this.next[this.tail[id]] = index;
      this.tail[id] = index;
    }
    this.size++;
  }
  pop(): number {
    const id = this.heap[0];
    const i = this.head[id];
    const nx = this.next[i];
    this.head[id] = nx;
    if (nx < 0) this.heapPop();
    this.size--;
    return i;
  }
  private grow(): void {
    const m = this.head.length * 2;
    const h = new Int32Array(m); h.set(this.head); this.head = h;
    const t = new Int32Array(m); t.set(this.tail); this.tail = t;
    const v = new Float64Array(m); v.set(this.val); this.val = v;
    const q = new Int32Array(m); q.set(this.heap); this.heap = q;
  }
  private heapPush(id: number): void {
    const heap = this.heap, val = this.val;
    const x = val[id];
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (val[heap[p]] <= x) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = id;
  }
  private heapPop(): void {
    const heap = this.heap, val = this.val;
    const n = --this.heapSize;
    if (n === 0) return;
    const last = heap[n];
    const x = val[last];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && val[heap[c + 1]] < val[heap[c]]) c++;
      if (x <= val[heap[c]]) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
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
  checkAllocation(n * 8, "the watershed labels and queue", n);
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
  const q = new LevelQueue(n);
  for (let i = 0; i < n; i++) {
    if (img[i] !== img[i]) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `watershed: the image has NaN at voxel ${i}; replace NaN first`);
    if (out[i] !== 0) q.push(+img[i], i);
  }
  const { dz, dy, dx, off } = neighbourTable(image.shape, conn);
  const K = off.length;
  const plane = ny * nx;
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
      q.push(+img[j], j);
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
