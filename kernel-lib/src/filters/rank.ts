import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type DType, type VoxelArray, type Volume, DTYPE_RANGE, createVolume, isFloatDType } from "../volume";
import { type BoundaryMode, type BoundaryOptions, type ProgressOptions, allocOut, checkGreyInput, checkMode, giveScratch, indexMap, mapIndex, runInSlabs, takeScratch } from "./common";
import { type Footprint, type FootprintOptions, resolveFootprint } from "./footprint";

/** Options of median, minimum and maximum. The output keeps the input's dtype. */
export interface RankOptions extends FootprintOptions, BoundaryOptions, ProgressOptions {}

/** @internal */
export interface RankParams {
  op: "median" | "minimum" | "maximum";
  fp: Footprint;
  mode: BoundaryMode;
  cval: number;
  dtype: DType;
}

/** @internal */
export function prepareRank(volume: Volume, o: RankOptions, op: RankParams["op"]): RankParams {
  const dtype = checkGreyInput(volume, op);
  const fp = resolveFootprint(volume, o ?? {}, op);
  const mode = checkMode(o?.mode);
  const cval = checkNumber("cval", o?.cval ?? 0);
  if (!isFloatDType(dtype) && mode === "constant") {
    const [lo, hi] = DTYPE_RANGE[dtype];
    if (!Number.isInteger(cval) || cval < lo || cval > hi) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: cval must be an integer in [${lo}, ${hi}] for ${dtype} data, got ${cval}`);
    }
  }
  return { op, fp, mode, cval, dtype };
}

/** @internal Planes [z0, z1) of a rank filter. */
export function rankPlanes(volume: Volume, p: RankParams, z0: number, z1: number, out: VoxelArray): void {
  if (p.op === "median") medianPlanes(volume, p, z0, z1, out);
  else if (p.fp.shape === "cube") {
    if (Math.max(...p.fp.radii) <= CHAIN_MAX_RADIUS) minMaxCubeChain(volume, p, z0, z1, out);
    else minMaxCubePlanes(volume, p, z0, z1, out);
  }
  else minMaxRunPlanes(volume, p, z0, z1, out);
}

/**
 * Fills `lines` with the padded source lines of every footprint row for output
 * row (z, y); returns their count. Constant rows are filled with cval.
 */
function fillLines(
  volume: Volume,
  p: RankParams,
  maps: { z: Int32Array; y: Int32Array; x: Int32Array },
  z: number,
  y: number,
  lines: (Float64Array | Int32Array)[],
): void {
  const [, ny, nx] = volume.shape;
  const [rz, ry] = p.fp.radii;
  const rows = p.fp.rows;
  const src = volume.data;
  const xmap = maps.x;
  for (let k = 0, r = 0; k < rows.length; k += 3, r++) {
    const zz = maps.z[z + rows[k] + rz];
    const yy = maps.y[y + rows[k + 1] + ry];
    const line = lines[r];
    if (zz < 0 || yy < 0) {
      line.fill(p.cval);
      continue;
    }
    const base = (zz * ny + yy) * nx;
    for (let j = 0; j < line.length; j++) {
      const xx = xmap[j];
      line[j] = xx < 0 ? p.cval : src[base + xx];
    }
  }
}

/**
 * k-th smallest of a[0..n) (quickselect; reorders a). The partition is
 * Lomuto's, written without data-dependent branches (every element is swapped
 * into place and the boundary advances by the comparison's 0/1): on noisy data
 * a branching partition mispredicts about every other comparison, which cost
 * 3× more than the comparisons themselves. Pivot: median of first, middle, last.
 */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    if (hi === lo + 1) {
      // two left (the median of three below needs three distinct places)
      const u = a[lo];
      const v = a[hi];
      return (k === lo) === u < v ? u : v;
    }
    // median of three to a[hi] (the pivot)
    const mid = (lo + hi) >> 1;
    let x = a[lo];
    let y = a[mid];
    let z = a[hi];
    if (y < x) {
      const t = x;
      x = y;
      y = t;
    }
    if (z < y) {
      const t = y;
      y = z;
      z = t;
      if (y < x) {
        const u = x;
        x = y;
        y = u;
      }
    }
    a[lo] = x;
    a[mid] = z;
    a[hi] = y;
    const pivot = y;
    let s = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i];
      a[i] = a[s];
      a[s] = v;
      s += +(v < pivot);
    }
    a[hi] = a[s];
    a[s] = pivot;
    if (k === s) return pivot;
    if (k < s) hi = s - 1;
    else lo = s + 1;
  }
  return a[k];
}

function medianPlanes(volume: Volume, p: RankParams, z0: number, z1: number, out: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const [rz, ry, rx] = p.fp.radii;
  const maps = { z: indexMap(nz, rz, p.mode), y: indexMap(ny, ry, p.mode), x: indexMap(nx, rx, p.mode) };
  const rows = p.fp.rows;
  const nrows = rows.length / 3;
  const k = p.fp.size >> 1; // scipy's median rank: size // 2 (footprints here have odd size)
  const d = p.dtype;
  const hist = d === "uint8" || d === "int8" || d === "uint16" || d === "int16";
  // integer lines for the histogram path: bin indices without float-to-int conversions
  const lines = Array.from({ length: nrows }, () => (hist ? new Int32Array(nx + 2 * rx) : new Float64Array(nx + 2 * rx)));
  if (hist) {
    // Sliding histogram along x (Huang), two levels (Perreault–Hébert) so that
    // 16-bit data moves the running median in coarse steps of 32 bins. 32 rather
    // than 256: on noisy CT the median jumps hundreds of grey levels between
    // neighbours, and the walk inside a coarse bin is what costs (measured 1.4×
    // faster for r = 1 and 1.2× for r = 2 on the bench phantom). Counts fit in
    // 16 bits for any footprint below 65536 voxels: half the cache footprint.
    const [lo] = DTYPE_RANGE[d];
    const nb = d === "uint8" || d === "int8" ? 256 : 65536;
    const cs = nb === 256 ? 4 : 5;
    const h = p.fp.size < 65536 ? new Uint16Array(nb) : new Int32Array(nb);
    const c = new Int32Array(nb >> cs);
    const cm = (1 << cs) - 1;
    for (let z = z0; z < z1; z++) {
      for (let y = 0; y < ny; y++) {
        fillLines(volume, p, maps, z, y, lines);
        h.fill(0);
        c.fill(0);
        for (let r = 0; r < nrows; r++) {
          const w = rows[3 * r + 2];
          const line = lines[r];
          for (let j = rx - w; j <= rx + w; j++) {
            const b = line[j] - lo;
            h[b]++;
            c[b >> cs]++;
          }
        }
        // m: running median bin; lt: number of values below bin m
        let m = 0;
        let lt = 0;
        const o = (z * ny + y) * nx;
        for (let x = 0; ; ) {
          // move m so that lt <= k < lt + h[m]
          while (lt > k) {
            if ((m & cm) === 0) {
              while (m > 0 && lt - c[(m >> cs) - 1] > k) {
                m -= 1 << cs;
                lt -= c[m >> cs];
              }
            }
            m--;
            lt -= h[m];
          }
          while (lt + h[m] <= k) {
            lt += h[m];
            m++;
            if ((m & cm) === 0) {
              while (lt + c[m >> cs] <= k) {
                lt += c[m >> cs];
                m += 1 << cs;
              }
            }
          }
          out[o + x] = m + lo;
          if (++x === nx) break;
          for (let r = 0; r < nrows; r++) {
            const w = rows[3 * r + 2];
            const line = lines[r];
            const bo = line[x - 1 + rx - w] - lo;
            const bi = line[x + rx + w] - lo;
            h[bo]--;
            c[bo >> cs]--;
            if (bo < m) lt--;
            h[bi]++;
            c[bi >> cs]++;
            if (bi < m) lt++;
          }
        }
      }
    }
    return;
  }
  // General path (32-bit integers, floats): quickselect over the footprint.
  const buf = new Float64Array(p.fp.size);
  for (let z = z0; z < z1; z++) {
    for (let y = 0; y < ny; y++) {
      fillLines(volume, p, maps, z, y, lines);
      const o = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        let n = 0;
        for (let r = 0; r < nrows; r++) {
          const w = rows[3 * r + 2];
          const line = lines[r];
          for (let j = x + rx - w; j <= x + rx + w; j++) buf[n++] = line[j];
        }
        out[o + x] = select(buf, n, k);
      }
    }
  }
}

/**
 * Running minimum (or maximum) of width 2r+1 over `a` (length n + 2r, padded),
 * written to res[0..n): van Herk / Gil–Werman, about 3 comparisons per value.
 */
function vanHerk(a: Float64Array, n: number, r: number, isMax: boolean, g: Float64Array, h: Float64Array, res: Float64Array): void {
  const w = 2 * r + 1;
  const len = n + 2 * r;
  for (let s = 0; s < len; s += w) {
    const e = Math.min(len, s + w);
    let acc = a[s];
    g[s] = acc;
    for (let i = s + 1; i < e; i++) {
      const v = a[i];
      acc = isMax ? (v > acc ? v : acc) : v < acc ? v : acc;
      g[i] = acc;
    }
    acc = a[e - 1];
    h[e - 1] = acc;
    for (let i = e - 2; i >= s; i--) {
      const v = a[i];
      acc = isMax ? (v > acc ? v : acc) : v < acc ? v : acc;
      h[i] = acc;
    }
  }
  for (let x = 0; x < n; x++) {
    const u = h[x];
    const v = g[x + w - 1];
    res[x] = isMax ? (u > v ? u : v) : u < v ? u : v;
  }
}

/** Radii up to this use comparison chains (r comparisons per voxel and axis); wider ones van Herk (3). */
const CHAIN_MAX_RADIUS = 3;

/**
 * Cube minimum / maximum for small radii, separable and branch-free: z direct
 * over the 2rz+1 planes (four per sweep), then along y and x a chain of
 * extrema (E_1 of three neighbours, E_{k+1}(i) = ext(E_k(i−1), E_k(i+1))) over
 * whole padded planes / padded lines, so every loop is contiguous.
 */
function minMaxCubeChain(volume: Volume, p: RankParams, z0: number, z1: number, out: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const [rz, ry, rx] = p.fp.radii;
  const isMax = p.op === "maximum";
  const mode = p.mode;
  const cval = p.cval;
  const src = volume.data;
  const plane = ny * nx;
  const zmap = indexMap(nz, rz, mode);
  const xmap = indexMap(nx, rx, mode);
  const pad = (ny + 2 * ry) * nx;
  const A = takeScratch(Float64Array, pad);
  const B = takeScratch(Float64Array, pad);
  const len = nx + 2 * rx;
  const la = new Float64Array(len);
  const lb = new Float64Array(len);
  const e4 = isMax ? max4 : min4;
  const e1 = isMax ? maxInto : minInto;
  for (let z = z0; z < z1; z++) {
    // z: rows ry .. ry+ny-1 of A
    const base = ry * nx;
    let outside = false;
    const planes: number[] = [];
    for (let dz = 0; dz <= 2 * rz; dz++) {
      const zz = zmap[z + dz];
      if (zz < 0) outside = true;
      else planes.push(zz * plane);
    }
    const o0 = planes[0];
    for (let i = 0; i < plane; i++) A[base + i] = src[o0 + i];
    let k = 1;
    for (; k + 4 <= planes.length; k += 4) e4(A, base, plane, src, planes[k], src, planes[k + 1], src, planes[k + 2], src, planes[k + 3]);
    for (; k < planes.length; k++) e1(A, base, src, planes[k], plane);
    if (outside) for (let i = 0; i < plane; i++) A[base + i] = isMax ? Math.max(A[base + i], cval) : Math.min(A[base + i], cval);
    // y: pad rows by the mode, then ry chain steps over the whole plane (stride nx)
    let ya = A;
    let yb = B;
    if (ry > 0) {
      for (let j = 0; j < 2 * ry; j++) {
        const row = j < ry ? j : ny + j;
        const sy = mapIndex(row - ry, ny, mode);
        if (sy < 0) A.fill(cval, row * nx, (row + 1) * nx);
        else A.copyWithin(row * nx, (sy + ry) * nx, (sy + ry + 1) * nx);
      }
      for (let w = 1; w <= ry; w++) {
        chainStep(ya, yb, w * nx, pad - w * nx, w === 1, isMax, nx);
        const t = ya;
        ya = yb;
        yb = t;
      }
    }
    // x: per row, a padded line, rx chain steps, into the output
    const ob = z * plane;
    for (let y = 0; y < ny; y++) {
      const r0 = (y + ry) * nx;
      for (let x = 0; x < nx; x++) la[rx + x] = ya[r0 + x];
      for (let j = 0; j < rx; j++) {
        const a = xmap[j];
        la[j] = a < 0 ? cval : ya[r0 + a];
        const b = xmap[rx + nx + j];
        la[rx + nx + j] = b < 0 ? cval : ya[r0 + b];
      }
      let xa = la;
      let xb = lb;
      for (let w = 1; w <= rx; w++) {
        chainStep(xa, xb, w, len - w, w === 1, isMax);
        const t = xa;
        xa = xb;
        xb = t;
      }
      const o = ob + y * nx;
      for (let x = 0; x < nx; x++) out[o + x] = xa[rx + x];
    }
  }
  giveScratch(A, B);
}

function minMaxCubePlanes(volume: Volume, p: RankParams, z0: number, z1: number, out: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const [rz, ry, rx] = p.fp.radii;
  const isMax = p.op === "maximum";
  const src = volume.data;
  const plane = ny * nx;
  const zmap = indexMap(nz, rz, p.mode);
  const ymap = indexMap(ny, ry, p.mode);
  const xmap = indexMap(nx, rx, p.mode);
  const a = new Float64Array(plane);
  const maxLen = Math.max(nx + 2 * rx, ny + 2 * ry);
  const line = new Float64Array(maxLen);
  const g = new Float64Array(maxLen);
  const h = new Float64Array(maxLen);
  const res = new Float64Array(Math.max(nx, ny));
  for (let z = z0; z < z1; z++) {
    // z: direct over 2rz+1 planes (keeps every plane independent of the slab split)
    a.fill(isMax ? -Infinity : Infinity);
    for (let dz = 0; dz <= 2 * rz; dz++) {
      const zz = zmap[z + dz];
      if (zz < 0) {
        const cv = p.cval;
        for (let i = 0; i < plane; i++) a[i] = isMax ? (cv > a[i] ? cv : a[i]) : cv < a[i] ? cv : a[i];
      } else {
        const o = zz * plane;
        for (let i = 0; i < plane; i++) {
          const v = src[o + i];
          a[i] = isMax ? (v > a[i] ? v : a[i]) : v < a[i] ? v : a[i];
        }
      }
    }
    if (ry > 0) {
      for (let x = 0; x < nx; x++) {
        for (let j = 0; j < ny + 2 * ry; j++) {
          const yy = ymap[j];
          line[j] = yy < 0 ? p.cval : a[yy * nx + x];
        }
        vanHerk(line, ny, ry, isMax, g, h, res);
        for (let y = 0; y < ny; y++) a[y * nx + x] = res[y];
      }
    }
    if (rx > 0) {
      for (let y = 0; y < ny; y++) {
        const o = y * nx;
        for (let j = 0; j < nx + 2 * rx; j++) {
          const xx = xmap[j];
          line[j] = xx < 0 ? p.cval : a[o + xx];
        }
        vanHerk(line, nx, rx, isMax, g, h, res);
        for (let x = 0; x < nx; x++) a[o + x] = res[x];
      }
    }
    const o = z * plane;
    for (let i = 0; i < plane; i++) out[o + i] = a[i];
  }
}

/*
 * Branch-free extrema: with m = +(v > u) (0 or 1), m·v + (1 − m)·u is exactly v or u
 * (one product is ±0), for every dtype. A compare-and-branch mispredicts on noisy
 * data: measured 5× slower in V8 on random uint16 and float32 planes.
 */

/** dst[d+i] = max(dst[d+i], s[o+i]) for i < n. */
function maxInto(dst: VoxelArray, d: number, s: VoxelArray, o: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = s[o + i];
    const u = dst[d + i];
    const m = +(v > u);
    dst[d + i] = m * v + (1 - m) * u;
  }
}

/** dst[d+i] = min(dst[d+i], s[o+i]) for i < n. */
function minInto(dst: VoxelArray, d: number, s: VoxelArray, o: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = s[o + i];
    const u = dst[d + i];
    const m = +(v < u);
    dst[d + i] = m * v + (1 - m) * u;
  }
}

/* Four rows per sweep, so the running extremum stays in a register: dst[d+i] = ext(dst[d+i], s1..s4). */

function max4(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    let m = +(v > e);
    e = m * v + (1 - m) * e;
    v = s2[o2 + i];
    m = +(v > e);
    e = m * v + (1 - m) * e;
    v = s3[o3 + i];
    m = +(v > e);
    e = m * v + (1 - m) * e;
    v = s4[o4 + i];
    m = +(v > e);
    e = m * v + (1 - m) * e;
    dst[d + i] = e;
  }
}

function min4(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    let m = +(v < e);
    e = m * v + (1 - m) * e;
    v = s2[o2 + i];
    m = +(v < e);
    e = m * v + (1 - m) * e;
    v = s3[o3 + i];
    m = +(v < e);
    e = m * v + (1 - m) * e;
    v = s4[o4 + i];
    m = +(v < e);
    e = m * v + (1 - m) * e;
    dst[d + i] = e;
  }
}

/*
 * 8- and 16-bit data: integer select, t = (v − e) >> 31 is −1 when v < e (the
 * difference fits in 17 bits), e ^ ((e ^ v) & mask) picks v or e: 1.4× faster than
 * the float form above.
 */

function max4Int(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    e ^= (e ^ v) & ~((v - e) >> 31);
    v = s2[o2 + i];
    e ^= (e ^ v) & ~((v - e) >> 31);
    v = s3[o3 + i];
    e ^= (e ^ v) & ~((v - e) >> 31);
    v = s4[o4 + i];
    e ^= (e ^ v) & ~((v - e) >> 31);
    dst[d + i] = e;
  }
}

function min4Int(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    e ^= (e ^ v) & ((v - e) >> 31);
    v = s2[o2 + i];
    e ^= (e ^ v) & ((v - e) >> 31);
    v = s3[o3 + i];
    e ^= (e ^ v) & ((v - e) >> 31);
    v = s4[o4 + i];
    e ^= (e ^ v) & ((v - e) >> 31);
    dst[d + i] = e;
  }
}

/** Integer key of float32 bits: signed order of keys = float order (−0 just below +0). Its own inverse. */
function bitsKey(b: number): number {
  return b ^ ((b >> 31) & 0x7fffffff);
}

const keyScratch = new Float32Array(1);
const keyBits = new Int32Array(keyScratch.buffer);

/** The key of a number stored as float32. */
function floatKey(v: number): number {
  keyScratch[0] = v;
  return bitsKey(keyBits[0]);
}

/* Keys are full 32-bit integers: the select mask comes from the comparison (no overflowing difference). */

function max4Key(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    e ^= (e ^ v) & -+(v > e);
    v = s2[o2 + i];
    e ^= (e ^ v) & -+(v > e);
    v = s3[o3 + i];
    e ^= (e ^ v) & -+(v > e);
    v = s4[o4 + i];
    e ^= (e ^ v) & -+(v > e);
    dst[d + i] = e;
  }
}

function min4Key(dst: VoxelArray, d: number, n: number, s1: VoxelArray, o1: number, s2: VoxelArray, o2: number, s3: VoxelArray, o3: number, s4: VoxelArray, o4: number): void {
  for (let i = 0; i < n; i++) {
    let e = dst[d + i];
    let v = s1[o1 + i];
    e ^= (e ^ v) & -+(v < e);
    v = s2[o2 + i];
    e ^= (e ^ v) & -+(v < e);
    v = s3[o3 + i];
    e ^= (e ^ v) & -+(v < e);
    v = s4[o4 + i];
    e ^= (e ^ v) & -+(v < e);
    dst[d + i] = e;
  }
}

/** b[j] = extremum of a[j-st], a[j], a[j+st] (three = true) or of a[j-st], a[j+st], for j in [lo, hi). */
function chainStep(a: Float64Array, b: Float64Array, lo: number, hi: number, three: boolean, isMax: boolean, st = 1): void {
  if (isMax) {
    for (let j = lo; j < hi; j++) {
      const u = a[j - st];
      const v = a[j + st];
      let m = +(v > u);
      let e = m * v + (1 - m) * u;
      if (three) {
        const c = a[j];
        m = +(c > e);
        e = m * c + (1 - m) * e;
      }
      b[j] = e;
    }
  } else {
    for (let j = lo; j < hi; j++) {
      const u = a[j - st];
      const v = a[j + st];
      let m = +(v < u);
      let e = m * v + (1 - m) * u;
      if (three) {
        const c = a[j];
        m = +(c < e);
        e = m * c + (1 - m) * e;
      }
      b[j] = e;
    }
  }
}

/**
 * Minimum / maximum over any footprint given as x-runs (balls, ellipsoids).
 * For every source plane, the extremum of the x-run of each half-width w the
 * footprint uses is computed once per slab (w = 1 from 3 values, then
 * E_{w+1}(x) = ext(E_w(x−1), E_w(x+1)): one comparison per width), stored in
 * the input's dtype with ry padding rows filled by the mode. An output plane
 * is then the extremum of one shifted run plane per (dz, dy) row of the
 * footprint: whole-plane, branch-free loops, O(rows) per voxel (13 for a
 * ball of radius 2) instead of O(footprint voxels).
 */
function minMaxRunPlanes(volume: Volume, p: RankParams, z0: number, z1: number, out: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const [rz, ry, rx] = p.fp.radii;
  const isMax = p.op === "maximum";
  const mode = p.mode;
  const zmap = indexMap(nz, rz, mode);
  const xmap = indexMap(nx, rx, mode);
  const rows = p.fp.rows;
  // float32: work on integer keys of the bit patterns (monotonic in the float order), so
  // the combination uses the integer select; the output plane is turned back into floats.
  const keys = p.dtype === "float32";
  const src: VoxelArray = keys ? new Int32Array(volume.data.buffer, volume.data.byteOffset, volume.data.length) : volume.data;
  const dst: VoxelArray = keys ? new Int32Array(out.buffer, out.byteOffset, out.length) : out;
  const cval = keys ? floatKey(p.cval) : p.cval;
  const Ctor = (keys ? Int32Array : volume.data.constructor) as new (n: number) => VoxelArray;
  const small = p.dtype === "uint8" || p.dtype === "int8" || p.dtype === "uint16" || p.dtype === "int16";
  const plane = ny * nx;
  const padPlane = (ny + 2 * ry) * nx;
  let wMax = 0;
  const used = new Array<boolean>(rx + 1).fill(false);
  for (let k = 2; k < rows.length; k += 3) {
    used[rows[k]] = true;
    wMax = Math.max(wMax, rows[k]);
  }
  const len = nx + 2 * rx;
  const cur = new Float64Array(len);
  const nxt = new Float64Array(len);
  // Cache: source plane -> its run-extremum planes by width (each source plane is done once per slab).
  const cache = new Map<number, VoxelArray[]>();
  const spare: VoxelArray[][] = [];
  const runs = (zz: number): VoxelArray[] => {
    const hit = cache.get(zz);
    if (hit) return hit;
    const c = spare.pop() ?? used.map((u) => (u ? takeScratch(Ctor, padPlane) : new Ctor(0)));
    for (let y = 0; y < ny; y++) {
      const base = (zz * ny + y) * nx;
      const line = cur;
      if (keys) for (let x = 0; x < nx; x++) line[rx + x] = bitsKey(src[base + x]);
      else for (let x = 0; x < nx; x++) line[rx + x] = src[base + x];
      for (let j = 0; j < rx; j++) {
        const a = xmap[j];
        line[j] = a < 0 ? cval : keys ? bitsKey(src[base + a]) : src[base + a];
        const b = xmap[rx + nx + j];
        line[rx + nx + j] = b < 0 ? cval : keys ? bitsKey(src[base + b]) : src[base + b];
      }
      const o = (y + ry) * nx;
      if (used[0]) {
        const d = c[0];
        for (let x = 0; x < nx; x++) d[o + x] = line[rx + x];
      }
      let a = cur;
      let b = nxt;
      for (let w = 1; w <= wMax; w++) {
        // b[j] = extremum of line[j-w .. j+w], for j in [w, len - w)
        chainStep(a, b, w, len - w, w === 1, isMax);
        if (used[w]) {
          const d = c[w];
          for (let x = 0; x < nx; x++) d[o + x] = b[rx + x];
        }
        const t = a;
        a = b;
        b = t;
      }
    }
    // y padding rows by the mode
    for (let w = 0; w <= wMax; w++) {
      if (!used[w]) continue;
      const d = c[w];
      for (let j = 0; j < 2 * ry; j++) {
        const row = j < ry ? j : ny + j;
        const sy = mapIndex(row - ry, ny, mode);
        if (sy < 0) d.fill(cval, row * nx, (row + 1) * nx);
        else d.copyWithin(row * nx, (sy + ry) * nx, (sy + ry + 1) * nx);
      }
    }
    cache.set(zz, c);
    return c;
  };
  for (let z = z0; z < z1; z++) {
    const needed = new Set<number>();
    for (let dz = 0; dz <= 2 * rz; dz++) if (zmap[z + dz] >= 0) needed.add(zmap[z + dz]);
    for (const [k, arrays] of [...cache]) {
      if (!needed.has(k)) {
        cache.delete(k);
        spare.push(arrays);
      }
    }
    const ob = z * plane;
    let first = true;
    let outside = false;
    const srcs: VoxelArray[] = [];
    const offs: number[] = [];
    for (let r = 0; r < rows.length; r += 3) {
      const zz = zmap[z + rows[r] + rz];
      if (zz < 0) {
        outside = true; // a whole plane of cval (constant mode)
        continue;
      }
      srcs.push(runs(zz)[rows[r + 2]]);
      offs.push((rows[r + 1] + ry) * nx);
    }
    let k = 0;
    if (srcs.length > 0) {
      const R = srcs[0];
      const off = offs[0];
      for (let i = 0; i < plane; i++) dst[ob + i] = R[off + i];
      first = false;
      k = 1;
    }
    const ext4 = keys ? (isMax ? max4Key : min4Key) : small ? (isMax ? max4Int : min4Int) : isMax ? max4 : min4;
    for (; k + 4 <= srcs.length; k += 4) {
      ext4(dst, ob, plane, srcs[k], offs[k], srcs[k + 1], offs[k + 1], srcs[k + 2], offs[k + 2], srcs[k + 3], offs[k + 3]);
    }
    for (; k < srcs.length; k++) {
      const R = srcs[k];
      const off = offs[k];
      if (first) {
        for (let i = 0; i < plane; i++) dst[ob + i] = R[off + i];
        first = false;
      } else if (isMax) maxInto(dst, ob, R, off, plane);
      else minInto(dst, ob, R, off, plane);
    }
    if (outside) {
      for (let i = 0; i < plane; i++) {
        const v = dst[ob + i];
        dst[ob + i] = isMax ? (cval > v ? cval : v) : cval < v ? cval : v;
      }
    }
    if (keys) for (let i = ob; i < ob + plane; i++) dst[i] = bitsKey(dst[i]); // keys back to float bits (an involution)
  }
  for (const arrays of [...cache.values(), ...spare]) giveScratch(...arrays);
}

function rankFilter(volume: Volume, options: RankOptions, op: RankParams["op"]): Volume {
  const p = prepareRank(volume, options, op);
  const out = allocOut(p.dtype, volume.data.length, `the ${op} output`);
  runInSlabs(volume.shape[0], (z0, z1) => rankPlanes(volume, p, z0, z1, out), options ?? {});
  return createVolume(out, volume.shape, volume.spacing);
}

/**
 * Median filter over a cube (side 2R+1) or ball of radius R, equal to
 * `scipy.ndimage.median_filter(v, footprint=..., mode=...)`. 8- and 16-bit data
 * use a sliding histogram (fast whatever R); 32-bit and float data select the
 * median of each neighbourhood. The output keeps the input's dtype.
 *
 * @example
 * const m = median(ct, { radiusVoxels: 1 });                  // 3×3×3
 * const mb = median(ct, { radiusVoxels: 2, footprint: "ball" });
 */
export function median(volume: Volume, options: RankOptions): Volume {
  return rankFilter(volume, options, "median");
}

/**
 * Grey-value minimum (erosion) over a cube (separable, van Herk/Gil–Werman) or
 * a ball, equal to `scipy.ndimage.minimum_filter`. Keeps the input's dtype.
 *
 * @example
 * const eroded = minimum(ct, { radiusVoxels: 2 });
 */
export function minimum(volume: Volume, options: RankOptions): Volume {
  return rankFilter(volume, options, "minimum");
}

/**
 * Grey-value maximum (dilation) over a cube or a ball, equal to
 * `scipy.ndimage.maximum_filter`. Keeps the input's dtype.
 *
 * @example
 * const dilated = maximum(ct, { radiusVoxels: 1, footprint: "ball" });
 */
export function maximum(volume: Volume, options: RankOptions): Volume {
  return rankFilter(volume, options, "maximum");
}
