/**
 * Marker flooding for SNOW with the same order as `segment`'s watershed (and
 * scikit-image's): lowest value first, ties first-in first-out. The values are
 * replaced by their rank among the distinct values of the mask, so the queue is
 * an array of FIFO buckets (one per distinct value) with a bitset to find the
 * lowest non-empty bucket: no heap, which matters on a smoothed distance map
 * where almost all values differ (the heap is about 4× slower there).
 */
import { throwIfAborted } from "../errors";
import { checkAllocation } from "../volume";

/** Lowest set bit at or after `from` in a two-level bitset; -1 when none. */
class BucketBits {
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
 * @internal Grows `markers` (labels > 0, inside the mask) over the mask in order of
 * increasing `value`, 6-connected. Returns a new label array (0 where no marker reached).
 */
export function floodFromMarkers(
  value: Float32Array, markers: Uint32Array, mask: Uint8Array, shape: readonly [number, number, number], signal?: AbortSignal,
): Uint32Array {
  const [nz, ny, nx] = shape;
  const n = value.length;
  const plane = ny * nx;
  let m = 0;
  for (let i = 0; i < n; i++) if (mask[i]) m++;
  checkAllocation(n * 12 + m * 24, "the SNOW flooding queue", n);
  // Ranks of the values among the distinct mask values: an LSD radix sort (two 16-bit
  // passes) of order-preserving integer keys of the float32 values, then one walk.
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  let keys = new Uint32Array(m), idx = new Int32Array(m);
  let keys2 = new Uint32Array(m), idx2 = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) {
    if (!mask[i]) continue;
    f32[0] = value[i] === 0 ? 0 : value[i]; // -0 and +0 are one value
    const u = u32[0];
    keys[k] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    idx[k++] = i;
  }
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 2; pass++) {
    const shift = pass * 16;
    count.fill(0);
    for (let k = 0; k < m; k++) count[((keys[k] >>> shift) & 0xffff) + 1]++;
    for (let c = 0; c < 65536; c++) count[c + 1] += count[c];
    for (let k = 0; k < m; k++) {
      const dst = count[(keys[k] >>> shift) & 0xffff]++;
      keys2[dst] = keys[k];
      idx2[dst] = idx[k];
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  const rank = new Int32Array(n);
  let d = 0;
  for (let k = 0; k < m; k++) {
    if (k > 0 && keys[k] !== keys[k - 1]) d++;
    rank[idx[k]] = d;
  }
  if (m > 0) d++;
  // Head and tail of bucket r side by side (ht[2r], ht[2r + 1]): one cache line per push.
  const ht = new Int32Array(2 * d).fill(-1);
  const next = new Int32Array(n);
  const bits = new BucketBits(d);
  const push = (i: number) => {
    const r2 = 2 * rank[i];
    next[i] = -1;
    if (ht[r2] < 0) { ht[r2] = i; bits.set(r2 >> 1); } else next[ht[r2 + 1]] = i;
    ht[r2 + 1] = i;
  };
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (markers[i] !== 0 && mask[i]) { out[i] = markers[i]; push(i); }
  }
  let cur = bits.next(0);
  let popped = 0;
  while (cur >= 0) {
    const i = ht[2 * cur];
    const nx2 = next[i];
    ht[2 * cur] = nx2;
    if (nx2 < 0) { bits.clear(cur); ht[2 * cur + 1] = -1; }
    if ((++popped & 0xfffff) === 0) throwIfAborted(signal);
    const l = out[i];
    const z = (i / plane) | 0;
    const r = i - z * plane;
    const y = (r / nx) | 0;
    const x = r - y * nx;
    let lowest = cur;
    // x−, x+, y−, y+, z−, z+ (the order of segment's 6-neighbour table does not change
    // the result up to ties pushed by the same voxel, which share a bucket in this order).
    if (x > 0) { const j = i - 1; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    if (x < nx - 1) { const j = i + 1; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    if (y > 0) { const j = i - nx; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    if (y < ny - 1) { const j = i + nx; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    if (z > 0) { const j = i - plane; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    if (z < nz - 1) { const j = i + plane; if (out[j] === 0 && mask[j]) { out[j] = l; push(j); if (rank[j] < lowest) lowest = rank[j]; } }
    cur = ht[2 * lowest] >= 0 ? lowest : bits.next(lowest);
  }
  return out;
}
