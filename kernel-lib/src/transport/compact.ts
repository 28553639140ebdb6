/**
 * The diffusion operator stored on the conducting cells only ("compact"
 * levels), and the kernels of the multigrid-preconditioned CG that run on it.
 *
 * Layout of a level (fine or coarse):
 * - the cells that take part (percolating conducting voxels; on a coarse level the
 *   2×2×2 blocks holding at least one of them) are numbered colour by colour
 *   (red: (z + y + x) even, then black), each colour in grid order. So one colour of
 *   a z-slab is one contiguous index range (`zOff`), which is what red-black
 *   Gauss-Seidel over z-slabs on several threads needs;
 * - `map` is an Int32 index over the grid padded by one cell on every side: the
 *   compact index of each cell, or of a stand-in. Stand-ins sit after the `m` real
 *   cells: one "ghost" per inlet cell (in the pad before the first slice along the
 *   axis; its + face is the inlet's Dirichlet face, and the solution holds 1 there),
 *   then one zero cell (`len - 1`) for every other pad or non-conducting voxel; with
 *   periodic sides the side pads point at the cell across the wrap. Every vector
 *   keeps its stand-ins at 0 (the solution: ghosts 1), so the stencil loops need no
 *   branches: a missing face has conductance 0 and a neighbour value 0;
 * - `gx`, `gy`, `gz`: Float32 conductance of each cell's + face (to the next cell,
 *   across the wrap, or the outlet's Dirichlet face); a − face is the − neighbour's + face.
 *   The diagonal is the sum of the six, computed where needed (storing it would cost
 *   4 more bytes per cell; Float32 rounding of a stored diagonal would break flux
 *   conservation, see grid.ts).
 *
 * On the TauFactor electrode (ε = 0.45) this is about 5 floats per voxel in all
 * (docs/tortuosity.md), against 14 for the full-grid layout of grid.ts.
 */
import { coarseShape } from "./grid";

export type Vec = Float32Array | Float64Array;

/** Where the arrays live: the ordinary heap, or SharedArrayBuffers for worker threads. */
export interface Allocator {
  f32(n: number): Float32Array;
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
}

export const heapAllocator: Allocator = {
  f32: (n) => new Float32Array(n),
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
};

export interface CLevel {
  readonly nz: number;
  readonly ny: number;
  readonly nx: number;
  readonly axis: 0 | 1 | 2;
  /** Periodic wraps along z, y, x (side axes only). */
  readonly wrap: readonly [boolean, boolean, boolean];
  /** Strides of the padded grid along y and z (x: 1), and along the transport axis. */
  readonly sy: number;
  readonly sz: number;
  readonly sa: number;
  /** Real cells, ghosts (inlet cells), vector length m + ng + 1 (the last is the zero cell). */
  readonly m: number;
  readonly ng: number;
  readonly len: number;
  /** Padded-grid index of each real cell. */
  readonly pos: Int32Array;
  /** Compact index of each padded-grid position (see the file comment). */
  readonly map: Int32Array;
  readonly gx: Float32Array;
  readonly gy: Float32Array;
  readonly gz: Float32Array;
  /** zOff[c (nz + 1) + z]: first index of colour c at plane z (z = nz: end of the colour). */
  readonly zOff: Int32Array;
  /** The real cell of each ghost. */
  readonly ghostCell: Int32Array;
}

interface Layout {
  sy: number; sz: number; sa: number; m: number; ng: number; len: number;
  pos: Int32Array; map: Int32Array; zOff: Int32Array; ghostCell: Int32Array;
  /** Filled when `faces` is given (the fine level), else zero arrays for the caller to fill. */
  gx: Float32Array; gy: Float32Array; gz: Float32Array;
}

/** Face conductances of bulk (area / distance) along x, y, z and the transport axis: the fine level's faces. */
interface FineFaces {
  kx: number; ky: number; kz: number; ka: number;
}

/** Numbers the cells with real[i] > 0 (i over the unpadded grid) and builds map, pos, zOff, ghosts. */
function layout(
  nz: number, ny: number, nx: number, axis: 0 | 1 | 2, wrap: readonly boolean[],
  real: ArrayLike<number>, A: Allocator, faces?: FineFaces,
): Layout {
  const px = nx + 2;
  const sy = px;
  const sz = px * (ny + 2);
  const sa = axis === 0 ? sz : axis === 1 ? sy : 1;
  const cnt = new Int32Array(2 * nz);
  let ng = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      // Cells of the inlet slice: the whole plane (axis z), the row (y) or the first cell (x).
      const inletRow = axis === 0 ? z === 0 : axis === 1 ? y === 0 : false;
      let even = 0;
      let odd = 0;
      for (let x = 0; x < nx; x++, i++) {
        if (real[i] > 0) {
          if ((x & 1) === 0) even++;
          else odd++;
        }
      }
      if (inletRow) ng += even + odd;
      else if (axis === 2 && real[i - nx] > 0) ng++;
      // Colour 0 = (z + y + x) even: the even x when z + y is even.
      const zy = (z + y) & 1;
      cnt[z] += zy === 0 ? even : odd;
      cnt[nz + z] += zy === 0 ? odd : even;
    }
  }
  const zOff = A.i32(2 * (nz + 1));
  let k = 0;
  for (let c = 0; c < 2; c++) {
    for (let z = 0; z < nz; z++) {
      zOff[c * (nz + 1) + z] = k;
      k += cnt[c * nz + z];
    }
    zOff[c * (nz + 1) + nz] = k;
  }
  const m = k;
  const len = m + ng + 1;
  const zero = len - 1;
  const map = A.i32((nz + 2) * sz).fill(zero);
  const pos = A.i32(m);
  const ghostCell = A.i32(ng);
  const gx = A.f32(len);
  const gy = A.f32(len);
  const gz = A.f32(len);
  const ga = axis === 0 ? gz : axis === 1 ? gy : gx;
  const last = (axis === 0 ? nz : axis === 1 ? ny : nx) - 1;
  let kr = 0;
  let kb = zOff[nz + 1];
  let t = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const i0 = i;
      for (let x = 0; x < nx; x++, i++) {
        const di = real[i];
        if (!(di > 0)) continue;
        const p = (z + 1) * sz + (y + 1) * sy + x + 1;
        const kk = ((z + y + x) & 1) === 0 ? kr++ : kb++;
        pos[kk] = p;
        map[p] = kk;
        const c = axis === 0 ? z : axis === 1 ? y : x;
        if (c === 0) {
          map[p - sa] = m + t;
          ghostCell[t++] = kk;
        }
        if (faces) {
          // The fine level's + faces, in the same pass: harmonic-mean diffusivity × area / distance;
          // the Dirichlet faces, half a voxel away, 2 × D × area / h (rounded like grid.ts, so a
          // uniform block has an exactly linear solution).
          const { kx, ky, kz } = faces;
          if (x < nx - 1) gx[kk] = kx * harm(di, real[i + 1]);
          else if (wrap[2]) gx[kk] = kx * harm(di, real[i0]);
          if (y < ny - 1) gy[kk] = ky * harm(di, real[i + nx]);
          else if (wrap[1]) gy[kk] = ky * harm(di, real[z * ny * nx + x]);
          if (z < nz - 1) gz[kk] = kz * harm(di, real[i + ny * nx]);
          else if (wrap[0]) gz[kk] = kz * harm(di, real[y * nx + x]);
          if (c === last) ga[kk] = 2 * Math.fround(faces.ka * di); // outlet: + face to the zero cell
          if (c === 0) ga[m + t - 1] = 2 * Math.fround(faces.ka * di); // inlet: the ghost's + face
        }
      }
    }
  }
  // Periodic sides: the pads hold the cell across the wrap.
  if (wrap[2]) {
    for (let z = 1; z <= nz; z++) for (let y = 1; y <= ny; y++) {
      const r = z * sz + y * sy;
      map[r] = map[r + nx];
      map[r + nx + 1] = map[r + 1];
    }
  }
  if (wrap[1]) {
    for (let z = 1; z <= nz; z++) for (let x = 1; x <= nx; x++) {
      const r = z * sz + x;
      map[r] = map[r + ny * sy];
      map[r + (ny + 1) * sy] = map[r + sy];
    }
  }
  if (wrap[0]) {
    for (let y = 1; y <= ny; y++) for (let x = 1; x <= nx; x++) {
      const r = y * sy + x;
      map[r] = map[r + nz * sz];
      map[r + (nz + 1) * sz] = map[r + sz];
    }
  }
  return { sy, sz, sa, m, ng, len, pos, map, zOff, ghostCell, gx, gy, gz };
}

/** Harmonic mean of two diffusivities (0 if either is 0); equal ones (one phase) need no division. */
function harm(a: number, b: number): number {
  return a === b ? a : a > 0 && b > 0 ? (2 * a * b) / (a + b) : 0;
}

/**
 * The fine level from the relative diffusivity of each voxel (0 = not conducting
 * or removed). Face conductance = harmonic-mean diffusivity × area / distance; the
 * Dirichlet faces, half a voxel away, 2 × D × area / h (rounded like grid.ts, so
 * a uniform block has an exactly linear solution).
 */
export function fineLevel(
  D: Float32Array, shape: readonly number[], spacing: readonly number[], axis: 0 | 1 | 2, periodic: boolean,
  A: Allocator = heapAllocator,
): CLevel {
  const [nz, ny, nx] = shape;
  const wrap = [periodic && axis !== 0 && nz > 1, periodic && axis !== 1 && ny > 1, periodic && axis !== 2 && nx > 1] as const;
  const [dz, dy, dx] = spacing;
  const kx = (dy * dz) / dx;
  const ky = (dz * dx) / dy;
  const kz = (dx * dy) / dz;
  const lay = layout(nz, ny, nx, axis, wrap, D, A, { kx, ky, kz, ka: [kz, ky, kx][axis] });
  return { nz, ny, nx, axis, wrap, ...lay };
}

/**
 * The Galerkin coarse level P^T A P for 2×2×2 aggregation (piecewise-constant P):
 * again a 7-point conductance grid, a block-to-block conductance being the sum of
 * the fine faces the blocks share, Dirichlet faces summed per block. Holds for any
 * geometry, so walls and throats stay exact on every level.
 */
export function coarsen(F: CLevel, A: Allocator = heapAllocator): CLevel {
  const { nz, ny, nx, axis } = F;
  const cz = coarseShape(nz);
  const cy = coarseShape(ny);
  const cx = coarseShape(nx);
  const fz = nz === 1 ? 0 : 1;
  const fy = ny === 1 ? 0 : 1;
  const fx = nx === 1 ? 0 : 1;
  const mask = new Uint8Array(cz * cy * cx);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    const r = (z + 1) * F.sz + (y + 1) * F.sy + 1;
    const c0 = ((z >> fz) * cy + (y >> fy)) * cx;
    for (let x = 0; x < nx; x++) if (F.map[r + x] < F.m) mask[c0 + (x >> fx)] = 1;
  }
  const wrap = [F.wrap[0] && cz > 1, F.wrap[1] && cy > 1, F.wrap[2] && cx > 1] as const;
  const lay = layout(cz, cy, cx, axis, wrap, mask, A);
  const { gx, gy, gz } = lay;
  const G = [gz, gy, gx];
  const g = [F.gz, F.gy, F.gx];
  // A fine + face crosses into the next block when its cell is the last of the block
  // (odd coordinate or the last one). Along the transport axis the last cell's face is
  // the outlet, kept even when the coarse axis has one cell.
  const crosses = (a: number, c: number, n: number, nc: number) =>
    a === axis ? (c & 1) === 1 || c === n - 1 : nc > 1 && ((c & 1) === 1 || c === n - 1);
  for (let z = 0; z < nz; z++) {
    const zc = crosses(0, z, nz, cz);
    for (let y = 0; y < ny; y++) {
      const yc = crosses(1, y, ny, cy);
      const r = (z + 1) * F.sz + (y + 1) * F.sy + 1;
      const cr = ((z >> fz) + 1) * lay.sz + ((y >> fy) + 1) * lay.sy + 1;
      for (let x = 0; x < nx; x++) {
        const k = F.map[r + x];
        if (k >= F.m) continue;
        const cp = cr + (x >> fx);
        const kc = lay.map[cp];
        if (crosses(2, x, nx, cx)) gx[kc] += F.gx[k];
        if (yc) gy[kc] += F.gy[k];
        if (zc) gz[kc] += F.gz[k];
        if ((axis === 0 ? z : axis === 1 ? y : x) === 0) {
          // Inlet: the fine ghost's conductance adds to the block's ghost.
          G[axis][lay.map[cp - lay.sa]] += g[axis][F.map[r + x - F.sa]];
        }
      }
    }
  }
  return { nz: cz, ny: cy, nx: cx, axis, wrap, ...lay };
}

/** Bytes held by a level's arrays. */
export function levelBytes(L: CLevel): number {
  return L.pos.byteLength + L.map.byteLength + L.gx.byteLength + L.gy.byteLength + L.gz.byteLength + L.zOff.byteLength + L.ghostCell.byteLength;
}

/** One red-black Gauss-Seidel half-sweep of colour c over planes [z0, z1): X_k = (B_k + Σ g X_j) / Σ g. */
export function sweep(L: CLevel, X: Vec, B: Vec, c: number, z0: number, z1: number): void {
  const { pos, map, gx, gy, gz, sy, sz } = L;
  const k0 = L.zOff[c * (L.nz + 1) + z0];
  const k1 = L.zOff[c * (L.nz + 1) + z1];
  for (let k = k0; k < k1; k++) {
    const p = pos[k];
    const jl = map[p - 1];
    const jr = map[p + 1];
    const jd = map[p - sy];
    const ju = map[p + sy];
    const jb = map[p - sz];
    const jf = map[p + sz];
    const gl = gx[jl];
    const gr = gx[k];
    const gd = gy[jd];
    const gu = gy[k];
    const gb = gz[jb];
    const gf = gz[k];
    X[k] = (B[k] + gl * X[jl] + gr * X[jr] + gd * X[jd] + gu * X[ju] + gb * X[jb] + gf * X[jf]) / (gl + gr + gd + gu + gb + gf);
  }
}

/**
 * Y = A X on the cells of planes [z0, z1) (both colours); part[z] = Σ x·y over plane z,
 * so a dot product is summed plane by plane in a fixed order whatever the threads.
 */
export function matvec(L: CLevel, X: Vec, Y: Vec, z0: number, z1: number, part: Float64Array, base: number): void {
  const { pos, map, gx, gy, gz, sy, sz, zOff, nz } = L;
  for (let z = z0; z < z1; z++) {
    let s = 0;
    for (let c = 0; c < 2; c++) {
      const k1 = zOff[c * (nz + 1) + z + 1];
      for (let k = zOff[c * (nz + 1) + z]; k < k1; k++) {
        const p = pos[k];
        const jl = map[p - 1];
        const jr = map[p + 1];
        const jd = map[p - sy];
        const ju = map[p + sy];
        const jb = map[p - sz];
        const jf = map[p + sz];
        const gl = gx[jl];
        const gr = gx[k];
        const gd = gy[jd];
        const gu = gy[k];
        const gb = gz[jb];
        const gf = gz[k];
        const xk = X[k];
        const y = (gl + gr + gd + gu + gb + gf) * xk - (gl * X[jl] + gr * X[jr] + gd * X[jd] + gu * X[ju] + gb * X[jb] + gf * X[jf]);
        Y[k] = y;
        s += xk * y;
      }
    }
    part[base + z] = s;
  }
}

/**
 * R = b − A X for the solution vector (ghosts at 1 carry the inlet's right-hand side),
 * planes [z0, z1); part[z] = Σ r² over plane z. A twin of matvec for the Float64
 * solution, so the hot matvec sees one array type.
 */
export function residualOfSolution(L: CLevel, X: Float64Array, R: Vec, z0: number, z1: number, part: Float64Array, base: number): void {
  const { pos, map, gx, gy, gz, sy, sz, zOff, nz } = L;
  for (let z = z0; z < z1; z++) {
    let s = 0;
    for (let c = 0; c < 2; c++) {
      const k1 = zOff[c * (nz + 1) + z + 1];
      for (let k = zOff[c * (nz + 1) + z]; k < k1; k++) {
        const p = pos[k];
        const jl = map[p - 1];
        const jr = map[p + 1];
        const jd = map[p - sy];
        const ju = map[p + sy];
        const jb = map[p - sz];
        const jf = map[p + sz];
        const gl = gx[jl];
        const gr = gx[k];
        const gd = gy[jd];
        const gu = gy[k];
        const gb = gz[jb];
        const gf = gz[k];
        const r = gl * X[jl] + gr * X[jr] + gd * X[jd] + gu * X[ju] + gb * X[jb] + gf * X[jf] - (gl + gr + gd + gu + gb + gf) * X[k];
        R[k] = r;
        s += r * r;
      }
    }
    part[base + z] = s;
  }
}

/**
 * The first red half-sweep of a cycle that starts from zero: X_k = B_k / Σ g (the
 * neighbours are 0), so X needs no clearing beforehand and the black cells are
 * overwritten by the next half-sweep without being read.
 */
export function sweepFromZero(L: CLevel, X: Vec, B: Vec, z0: number, z1: number): void {
  const { pos, map, gx, gy, gz, sy, sz } = L;
  const k0 = L.zOff[z0];
  const k1 = L.zOff[z1];
  for (let k = k0; k < k1; k++) {
    const p = pos[k];
    X[k] = B[k] / (gx[map[p - 1]] + gx[k] + gy[map[p - sy]] + gy[k] + gz[map[p - sz]] + gz[k]);
  }
}

/** Compact index on C of the parent block of the fine cell at padded position p of plane z. */
function parentOf(F: CLevel, C: CLevel, z: number, p: number, fz: number, fy: number, fx: number): number {
  const q = p - (z + 1) * F.sz;
  const y1 = (q / F.sy) | 0;
  const x1 = q - y1 * F.sy;
  return C.map[((z >> fz) + 1) * C.sz + (((y1 - 1) >> fy) + 1) * C.sy + ((x1 - 1) >> fx) + 1];
}

/**
 * BC = Pᵀ (B − A X) right after a pre-smoothing that ended with a black half-sweep: the
 * black residuals are then 0, so only the red cells of fine planes [z0, z1) are visited,
 * each adding its residual to its block. z0 and z1 must be even (or nz), so the coarse
 * planes [z0/2, ⌈z1/2⌉) belong to this caller alone and each block sums its children in
 * the same order whatever the split. Clears those coarse planes first.
 */
export function restrictRed(F: CLevel, X: Vec, B: Vec, C: CLevel, BC: Vec, z0: number, z1: number): void {
  const { pos, map, gx, gy, gz, sy, sz, zOff } = F;
  const fz = F.nz === 1 ? 0 : 1;
  const fy = F.ny === 1 ? 0 : 1;
  const fx = F.nx === 1 ? 0 : 1;
  const ca = z0 >> fz;
  const cb = fz ? (z1 + 1) >> 1 : z1;
  BC.fill(0, C.zOff[ca], C.zOff[cb]);
  BC.fill(0, C.zOff[C.nz + 1 + ca], C.zOff[C.nz + 1 + cb]);
  for (let z = z0; z < z1; z++) {
    const k1 = zOff[z + 1];
    for (let k = zOff[z]; k < k1; k++) {
      const p = pos[k];
      const jl = map[p - 1];
      const jr = map[p + 1];
      const jd = map[p - sy];
      const ju = map[p + sy];
      const jb = map[p - sz];
      const jf = map[p + sz];
      const gl = gx[jl];
      const gr = gx[k];
      const gd = gy[jd];
      const gu = gy[k];
      const gb = gz[jb];
      const gf = gz[k];
      const r = B[k] + gl * X[jl] + gr * X[jr] + gd * X[jd] + gu * X[ju] + gb * X[jb] + gf * X[jf] -
        (gl + gr + gd + gu + gb + gf) * X[k];
      BC[parentOf(F, C, z, p, fz, fy, fx)] += r;
    }
  }
}

/**
 * X += alpha P XC on the red cells of fine planes [z0, z1) only: the post-smoothing
 * starts with a black half-sweep, which overwrites the black cells without reading them.
 */
export function prolongRed(F: CLevel, X: Vec, C: CLevel, XC: Vec, alpha: number, z0: number, z1: number): void {
  const { pos, zOff } = F;
  const fz = F.nz === 1 ? 0 : 1;
  const fy = F.ny === 1 ? 0 : 1;
  const fx = F.nx === 1 ? 0 : 1;
  for (let z = z0; z < z1; z++) {
    const k1 = zOff[z + 1];
    for (let k = zOff[z]; k < k1; k++) X[k] += alpha * XC[parentOf(F, C, z, pos[k], fz, fy, fx)];
  }
}

/** X += αP, R −= αQ over [k0, k1). */
export function updateXR(X: Float64Array, R: Vec, P: Vec, Q: Vec, alpha: number, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) {
    X[k] += alpha * P[k];
    R[k] -= alpha * Q[k];
  }
}

/** P = Z + βP over [k0, k1). */
export function updateP(P: Vec, Z: Vec, beta: number, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) P[k] = Z[k] + beta * P[k];
}

/** part[z] = Σ u·v over the cells of plane z, z in [z0, z1). */
export function dotPlanes(L: CLevel, U: Vec, V: Vec, z0: number, z1: number, part: Float64Array, base: number): void {
  const { zOff, nz } = L;
  for (let z = z0; z < z1; z++) {
    let s = 0;
    for (let c = 0; c < 2; c++) {
      const k1 = zOff[c * (nz + 1) + z + 1];
      for (let k = zOff[c * (nz + 1) + z]; k < k1; k++) s += U[k] * V[k];
    }
    part[base + z] = s;
  }
}

/**
 * Flux through the planes normal to the axis, per z plane of cells: row z of `out`
 * (na + 1 values) gets the + face flux of the cells of plane z (plane coordinate + 1)
 * and, for inlet cells, the inlet face flux (plane 0). Summing the rows in z order
 * gives the plane fluxes, whatever the threads.
 */
export function planeFluxRows(L: CLevel, X: Float64Array, z0: number, z1: number, out: Float64Array): void {
  const { pos, map, zOff, nz, sy, sz, sa, axis } = L;
  const g = axis === 0 ? L.gz : axis === 1 ? L.gy : L.gx;
  const na = axis === 0 ? L.nz : axis === 1 ? L.ny : L.nx;
  const w = na + 1;
  for (let z = z0; z < z1; z++) {
    const row = z * w;
    out.fill(0, row, row + w);
    for (let c = 0; c < 2; c++) {
      const k1 = zOff[c * (nz + 1) + z + 1];
      for (let k = zOff[c * (nz + 1) + z]; k < k1; k++) {
        const p = pos[k];
        let co = z;
        if (axis !== 0) {
          const q = p - (z + 1) * sz;
          const y1 = (q / sy) | 0;
          co = axis === 1 ? y1 - 1 : q - y1 * sy - 1;
        }
        const xk = X[k];
        out[row + co + 1] += g[k] * (xk - X[map[p + sa]]);
        if (co === 0) {
          const j = map[p - sa];
          out[row] += g[j] * (X[j] - xk);
        }
      }
    }
  }
}

/** Dense Cholesky factor of the coarsest level (a few hundred cells), for an exact solve. */
export interface DenseCoarse {
  readonly m: number;
  readonly f: Float64Array;
}

export function denseFactor(L: CLevel): DenseCoarse {
  const { m, pos, map, gx, gy, gz, sy, sz } = L;
  const a = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    const p = pos[k];
    a[k * m + k] = gx[map[p - 1]] + gx[k] + gy[map[p - sy]] + gy[k] + gz[map[p - sz]] + gz[k];
    const nb = [[map[p + 1], gx[k]], [map[p + sy], gy[k]], [map[p + sz], gz[k]]];
    for (const [j, g] of nb) {
      if (j < m && j !== k && g !== 0) {
        a[k * m + j] -= g;
        a[j * m + k] -= g;
      }
    }
  }
  for (let j = 0; j < m; j++) {
    let s = a[j * m + j];
    for (let k = 0; k < j; k++) s -= a[j * m + k] * a[j * m + k];
    const djj = Math.sqrt(Math.max(s, 1e-300));
    a[j * m + j] = djj;
    for (let i = j + 1; i < m; i++) {
      let t = a[i * m + j];
      for (let k = 0; k < j; k++) t -= a[i * m + k] * a[j * m + k];
      a[i * m + j] = t / djj;
    }
  }
  return { m, f: a };
}

/** X = A⁻¹ B on the real cells of the coarsest level. */
export function denseSolve(D: DenseCoarse, B: Vec, X: Vec): void {
  const { m, f } = D;
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let t = B[i];
    for (let k = 0; k < i; k++) t -= f[i * m + k] * w[k];
    w[i] = t / f[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let t = w[i];
    for (let k = i + 1; k < m; k++) t -= f[k * m + i] * w[k];
    w[i] = t / f[i * m + i];
  }
  for (let i = 0; i < m; i++) X[i] = w[i];
}
