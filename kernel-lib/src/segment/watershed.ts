import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
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

/** Lowest set bit at or after `from` in a two-level bitset (one bit per grey level); -1 when none. */
class LevelBits {
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  constructor(n: number) {
    this.lo = new Int32Array((n >>> 5) + 1);
    this.hi = new Int32Array((this.lo.length >>> 5) + 1);
  }
  set(i: number): void {
    const w = i >>> 5;
    this.lo[w] |= 1 << (i & 31);
    this.hi[w >>> 5] |= 1 << (w & 31);
  }
  clear(i: number): void {
    const w = i >>> 5;
    this.lo[w] &= ~(1 << (i & 31));
    if (this.lo[w] === 0) this.hi[w >>> 5] &= ~(1 << (w & 31));
  }
  next(from: number): number {
    const w = from >>> 5;
    if (w >= this.lo.length) return -1;
    const first = this.lo[w] & (-1 << (from & 31));
    if (first !== 0) return (w << 5) + (31 - Math.clz32(first & -first));
    const w2 = w + 1;
    let h = w2 >>> 5;
    if (h >= this.hi.length) return -1;
    let hw = this.hi[h] & (-1 << (w2 & 31));
    while (hw === 0) {
      h++;
      if (h >= this.hi.length) return -1;
      hw = this.hi[h];
    }
    const wi = (h << 5) + (31 - Math.clz32(hw & -hw));
    const lw = this.lo[wi];
    return (wi << 5) + (31 - Math.clz32(lw & -lw));
  }
}

/**
 * The same ranks when the flooded voxels hold at most `maxDistinct` distinct
 * values (a distance map: square roots of integer sums; integer images): one
 * pass through an open-addressing hash table of the values' float64 bits, a sort
 * of the distinct values only, and one pass mapping ids to ranks. No per-voxel
 * key arrays (at 256³ those cost more in first-touch page faults than the sort
 * itself). Returns −1, having written garbage ranks, when there are more values.
 */
function rankFewValues(img: ArrayLike<number>, mask: ArrayLike<number> | undefined, n: number, rank: Int32Array, maxDistinct: number): number {
  const bits = 32 - Math.clz32(2 * maxDistinct - 1);
  const cap = 1 << bits;
  const slot = new Int32Array(cap).fill(-1);
  const kh = new Uint32Array(cap);
  const kl = new Uint32Array(cap);
  const vals = new Float64Array(maxDistinct);
  const f64 = new Float64Array(1), w32 = new Uint32Array(f64.buffer);
  const H = LITTLE_ENDIAN ? 1 : 0;
  let d = 0;
  let lastV = NaN;
  let lastId = -1;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const v = img[i];
    // Neighbouring voxels often share a value: skip the hash then (−0 === 0 too).
    if (v === lastV) {
      rank[i] = lastId;
      continue;
    }
    f64[0] = v === 0 ? 0 : v;
    const h = w32[H], l = w32[1 - H];
    let s = Math.imul(h ^ Math.imul(l, 0x9e3779b1), 0x85ebca6b) >>> (32 - bits);
    let id: number;
    for (;;) {
      id = slot[s];
      if (id < 0) {
        if (d === maxDistinct) return -1;
        id = d++;
        slot[s] = id;
        kh[s] = h;
        kl[s] = l;
        vals[id] = f64[0];
        break;
      }
      if (kh[s] === h && kl[s] === l) break;
      s = (s + 1) & (cap - 1);
    }
    rank[i] = id;
    lastV = v;
    lastId = id;
  }
  const order = new Int32Array(d);
  for (let k = 0; k < d; k++) order[k] = k;
  order.sort((a, b) => (vals[a] < vals[b] ? -1 : vals[a] > vals[b] ? 1 : 0));
  const idRank = new Int32Array(d);
  for (let k = 0; k < d; k++) idRank[order[k]] = k;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    rank[i] = idRank[rank[i]];
  }
  return d;
}

/**
 * Rank of each voxel's value among the distinct values of the flooded voxels
 * (0 = lowest), written into `rank`; returns the number of distinct values.
 * The keys are order-preserving unsigned integers of the values (the float32
 * bits for float32 images, the float64 bits as two words otherwise; every
 * integer dtype converts to float64 exactly), sorted by an LSD radix sort in
 * 16-bit passes: O(n), where a comparison sort or heap would cost O(n log n).
 * Few distinct values (up to 65 536) take the cheaper hash route first.
 */
function rankValues(img: ArrayLike<number>, mask: ArrayLike<number> | undefined, n: number, m: number, rank: Int32Array): number {
  const few = rankFewValues(img, mask, n, rank, 1 << 16);
  if (few >= 0) return few;
  const wide = !(img instanceof Float32Array);
  let hi = new Uint32Array(m), lo = wide ? new Uint32Array(m) : hi, idx = new Int32Array(m);
  let hi2 = new Uint32Array(m), lo2 = wide ? new Uint32Array(m) : hi2, idx2 = new Int32Array(m);
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  const f64 = new Float64Array(1), w32 = new Uint32Array(f64.buffer);
  const H = LITTLE_ENDIAN ? 1 : 0;
  for (let i = 0, k = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const v = img[i];
    if (wide) {
      f64[0] = v === 0 ? 0 : v; // -0 and +0 are one value
      const h = w32[H], l = w32[1 - H];
      // Negative: flip all bits (larger magnitude sorts lower); positive: set the sign bit.
      if (h & 0x80000000) { hi[k] = ~h >>> 0; lo[k] = ~l >>> 0; } else { hi[k] = (h | 0x80000000) >>> 0; lo[k] = l; }
    } else {
      f32[0] = v === 0 ? 0 : v;
      const u = u32[0];
      hi[k] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    }
    idx[k++] = i;
  }
  const count = new Int32Array(65537);
  // Low word first (wide keys), then the high word: a stable LSD sort by (hi, lo).
  const words = wide ? 2 : 1;
  for (let wd = 0; wd < words; wd++) {
    for (let pass = 0; pass < 2; pass++) {
      const shift = pass * 16;
      const key = wide && wd === 0 ? lo : hi;
      count.fill(0);
      for (let k = 0; k < m; k++) count[((key[k] >>> shift) & 0xffff) + 1]++;
      for (let c = 0; c < 65536; c++) count[c + 1] += count[c];
      for (let k = 0; k < m; k++) {
        const dst = count[(key[k] >>> shift) & 0xffff]++;
        hi2[dst] = hi[k];
        if (wide) lo2[dst] = lo[k];
        idx2[dst] = idx[k];
      }
      [hi, hi2] = [hi2, hi];
      if (wide) [lo, lo2] = [lo2, lo]; else { lo = hi; lo2 = hi2; }
      [idx, idx2] = [idx2, idx];
    }
  }
  let d = 0;
  for (let k = 0; k < m; k++) {
    if (k > 0 && (hi[k] !== hi[k - 1] || lo[k] !== lo[k - 1])) d++;
    rank[idx[k]] = d;
  }
  return m > 0 ? d + 1 : 0;
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
  const img = image.data;
  let mask: ArrayLike<number> | undefined;
  if (options.mask) {
    if (options.mask.data.length !== n) throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, "mask must have the image's shape");
    mask = options.mask.data;
  }
  let m = n;
  if (mask) {
    m = 0;
    for (let i = 0; i < n; i++) if (mask[i]) m++;
  }
  // labels 4 + rank-then-link 4 per voxel; radix keys, indices and their copies per flooded voxel (many values).
  checkAllocation(n * 8 + m * (img instanceof Float32Array ? 16 : 24), "the watershed labels and queue", n);
  const [nz, ny, nx] = image.shape;
  const out = new Uint32Array(n);
  // Voxels outside the mask hold OUTSIDE while flooding, so a neighbour test reads
  // one array (`out[j] === 0`) instead of two; they are reset to 0 at the end.
  const OUTSIDE = 0xffffffff;
  let seeds = 0;
  for (let i = 0; i < n; i++) {
    const v = mk.data[i];
    if (v < 0) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "markers must be non-negative labels");
    if (mask && !mask[i]) {
      out[i] = OUTSIDE;
    } else if (v !== 0) {
      if (v >= OUTSIDE) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `marker labels must be below ${OUTSIDE}`);
      out[i] = v;
      seeds++;
    }
  }
  if (seeds === 0) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "watershed needs at least one marker voxel (non-zero) inside the mask");
  }
  for (let i = 0; i < n; i++) {
    if (img[i] !== img[i]) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `watershed: the image has NaN at voxel ${i}; replace NaN first`);
  }
  // The queue: one FIFO list per grey level (rank), linked through `next` (a voxel
  // enters at most once), and a bitset of the non-empty levels. Popping the oldest
  // voxel of the lowest level is scikit-image's (value, age) heap order, at O(1) per
  // voxel; no heap, which matters on smoothed maps where almost all values differ.
  // One array holds a voxel's rank until it is queued (a voxel is queued at most
  // once, and its rank is read only then) and its FIFO link afterwards: n·4 bytes
  // less to allocate and touch.
  const link = new Int32Array(n);
  const levels = rankValues(img, mask, n, m, link);
  throwIfAborted(options.signal);
  const ht = new Int32Array(2 * levels).fill(-1); // head, tail of level r at 2r, 2r + 1
  const bits = new LevelBits(levels);
  let lowest = levels;
  const push = (j: number): void => {
    const r = link[j];
    const r2 = 2 * r;
    link[j] = -1;
    if (ht[r2] < 0) { ht[r2] = j; bits.set(r); } else link[ht[r2 + 1]] = j;
    ht[r2 + 1] = j;
    if (r < lowest) lowest = r;
  };
  for (let i = 0; i < n; i++) if (out[i] !== 0 && out[i] !== OUTSIDE) push(i);
  const { dz, dy, dx, off } = neighbourTable(image.shape, conn);
  const K = off.length;
  const plane = ny * nx;
  const six = conn === 6;
  let popped = 0;
  let cur = bits.next(0);
  while (cur >= 0) {
    const i = ht[2 * cur];
    const nxt = link[i];
    ht[2 * cur] = nxt;
    if (nxt < 0) { bits.clear(cur); ht[2 * cur + 1] = -1; }
    if ((++popped & 0xfffff) === 0) {
      throwIfAborted(options.signal);
      options.onProgress?.(Math.min(1, popped / m));
    }
    lowest = cur;
    const z = (i / plane) | 0;
    const r = i - z * plane;
    const y = (r / nx) | 0;
    const x = r - y * nx;
    const l = out[i];
    if (six) {
      // Unrolled 6-neighbourhood, in the neighbour table's (scikit-image's) order: z−, y−, x−, x+, y+, z+.
      let j: number;
      if (z > 0) { j = i - plane; if (out[j] === 0) { out[j] = l; push(j); } }
      if (y > 0) { j = i - nx; if (out[j] === 0) { out[j] = l; push(j); } }
      if (x > 0) { j = i - 1; if (out[j] === 0) { out[j] = l; push(j); } }
      if (x < nx - 1) { j = i + 1; if (out[j] === 0) { out[j] = l; push(j); } }
      if (y < ny - 1) { j = i + nx; if (out[j] === 0) { out[j] = l; push(j); } }
      if (z < nz - 1) { j = i + plane; if (out[j] === 0) { out[j] = l; push(j); } }
    } else {
      const interior = z > 0 && z < nz - 1 && y > 0 && y < ny - 1 && x > 0 && x < nx - 1;
      for (let k = 0; k < K; k++) {
        if (!interior) {
          const zz = z + dz[k], yy = y + dy[k], xx = x + dx[k];
          if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
        }
        const j = i + off[k];
        if (out[j] !== 0) continue;
        out[j] = l;
        push(j);
      }
    }
    // A neighbour may sit below the current level (scikit-image pops it next too).
    cur = ht[2 * lowest] >= 0 ? lowest : bits.next(lowest);
  }
  if (mask) for (let i = 0; i < n; i++) if (out[i] === OUTSIDE) out[i] = 0;
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
  // The distance map is ours and not returned: negate it in place (a copy would be
  // another 8 bytes per voxel to allocate and fault in).
  const neg = distance.data;
  for (let i = 0; i < neg.length; i++) neg[i] = -neg[i];
  const labels = watershed(createVolume(neg, volume.shape, volume.spacing), markers, {
    connectivity: conn, mask: fg, signal: options.signal, onProgress: options.onProgress,
  });
  return { labels, count: markers.count, markers: markers.labels };
}
