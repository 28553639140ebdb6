/**
 * The finite-volume operator of steady diffusion on a voxel grid, stored
 * matrix-free as face conductances, and the kernels that apply it.
 *
 * Each cell owns the conductance of its "+" face along x, y and z (to the next
 * cell, or to the first cell of the row across a periodic wrap). A face that is
 * closed (a non-conducting neighbour, a zero-flux side, the transport axis'
 * ends) has conductance 0, so the loops need no branches on the phase: an
 * inactive cell has no faces and an inverse diagonal of 0 and stays at 0.
 * Non-periodic sides use the same wrap indexing as periodic ones with a zero
 * wrap conductance, which keeps one code path.
 *
 * The Dirichlet faces of the transport axis (half a voxel outside the first
 * and last slice) are kept apart in `bLo` / `bHi` (one value per cell of the
 * first / last slice): they add to the diagonal, and the inlet one (c = 1)
 * to the right-hand side.
 */

export interface Level {
  readonly nz: number;
  readonly ny: number;
  readonly nx: number;
  readonly n: number;
  /** Transport axis: 0 = z, 1 = y, 2 = x. */
  readonly axis: 0 | 1 | 2;
  /** Conductance of each cell's + face along x, y, z. */
  readonly gx: Float32Array;
  readonly gy: Float32Array;
  readonly gz: Float32Array;
  /**
   * 1 / diagonal (faces + Dirichlet faces); 0 for cells outside the conducting phase.
   * Float64: with Float32 the SOR fixed point x_i = (b_i + Σ g x_j) / d_i is that of a
   * perturbed operator, a same-signed sink that left a 1e-4 flux spread at 32³.
   */
  readonly invD: Float64Array;
  /** Dirichlet conductances of the first / last slice along `axis`, indexed by position in the slice. */
  readonly bLo: Float64Array;
  readonly bHi: Float64Array;
}

/** Sizes and strides of the transport axis (a) and the two others (b, c) of a level. */
export function sliceGeometry(L: { nz: number; ny: number; nx: number; axis: 0 | 1 | 2 }) {
  const shape = [L.nz, L.ny, L.nx];
  const strides = [L.ny * L.nx, L.nx, 1];
  const a = L.axis;
  const [b, c] = a === 0 ? [1, 2] : a === 1 ? [0, 2] : [0, 1];
  return { na: shape[a], sa: strides[a], nb: shape[b], sb: strides[b], nc: shape[c], sc: strides[c] };
}

/** y = A x (the full operator, Dirichlet faces included); returns x·y, which CG needs, for free. */
export function applyA(L: Level, X: Float64Array, Y: Float64Array): number {
  const { nz, ny, nx, gx, gy, gz } = L;
  let xy = 0;
  for (let z = 0; z < nz; z++) {
    const zm = z === 0 ? nz - 1 : z - 1;
    const zp = z === nz - 1 ? 0 : z + 1;
    for (let y = 0; y < ny; y++) {
      const ym = y === 0 ? ny - 1 : y - 1;
      const yp = y === ny - 1 ? 0 : y + 1;
      const i0 = (z * ny + y) * nx;
      const iym = (z * ny + ym) * nx;
      const iyp = (z * ny + yp) * nx;
      const izm = (zm * ny + y) * nx;
      const izp = (zp * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const i = i0 + x;
        const l = x === 0 ? i0 + nx - 1 : i - 1;
        const r = x === nx - 1 ? i0 : i + 1;
        const xi = X[i];
        const gl = gx[l];
        const gr = gx[i];
        const gd = gy[iym + x];
        const gu = gy[i];
        const gb = gz[izm + x];
        const gf = gz[i];
        const yi =
          gl * (xi - X[l]) + gr * (xi - X[r]) + gd * (xi - X[iym + x]) + gu * (xi - X[iyp + x]) +
          gb * (xi - X[izm + x]) + gf * (xi - X[izp + x]);
        Y[i] = yi;
        xy += xi * yi;
      }
    }
  }
  const { na, sa, nb, sb, nc, sc } = sliceGeometry(L);
  const last = (na - 1) * sa;
  const { bLo, bHi } = L;
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const s = u * nc + v;
      const i = u * sb + v * sc;
      const a = bLo[s] * X[i];
      const b = bHi[s] * X[i + last];
      Y[i] += a;
      Y[i + last] += b;
      xy += a * X[i] + b * X[i + last];
    }
  }
  return xy;
}

/**
 * One red-black Gauss-Seidel / SOR half-sweep over the cells of one colour
 * ((z + y + x) & 1 === colour), in place: x_i += omega (x_i^GS - x_i).
 */
export function sweepColour(L: Level, X: Float64Array, B: Float64Array, colour: number, omega: number): void {
  const { nz, ny, nx, gx, gy, gz, invD } = L;
  for (let z = 0; z < nz; z++) {
    const zm = z === 0 ? nz - 1 : z - 1;
    const zp = z === nz - 1 ? 0 : z + 1;
    for (let y = 0; y < ny; y++) {
      const ym = y === 0 ? ny - 1 : y - 1;
      const yp = y === ny - 1 ? 0 : y + 1;
      const i0 = (z * ny + y) * nx;
      const iym = (z * ny + ym) * nx;
      const iyp = (z * ny + yp) * nx;
      const izm = (zm * ny + y) * nx;
      const izp = (zp * ny + y) * nx;
      for (let x = (colour + z + y) & 1; x < nx; x += 2) {
        const i = i0 + x;
        const l = x === 0 ? i0 + nx - 1 : i - 1;
        const r = x === nx - 1 ? i0 : i + 1;
        const num =
          B[i] + gx[l] * X[l] + gx[i] * X[r] + gy[iym + x] * X[iym + x] + gy[i] * X[iyp + x] +
          gz[izm + x] * X[izm + x] + gz[i] * X[izp + x];
        const xi = X[i];
        X[i] = xi + omega * (num * invD[i] - xi);
      }
    }
  }
}

/** Cells along an axis after 2×2×2 aggregation (an axis of 1 stays 1). */
export function coarseShape(n: number): number {
  return n === 1 ? 1 : (n + 1) >> 1;
}

/**
 * rc = R (b - A x): the residual summed over each 2×2×2 block (the transpose
 * of piecewise-constant prolongation), fused so the fine residual is never stored.
 */
export function residualRestrict(L: Level, X: Float64Array, B: Float64Array, C: Level, RC: Float64Array): void {
  const { nz, ny, nx, gx, gy, gz } = L;
  const nyc = C.ny;
  const nxc = C.nx;
  const fz = nz === 1 ? 0 : 1;
  const fy = ny === 1 ? 0 : 1;
  RC.fill(0);
  for (let z = 0; z < nz; z++) {
    const zm = z === 0 ? nz - 1 : z - 1;
    const zp = z === nz - 1 ? 0 : z + 1;
    for (let y = 0; y < ny; y++) {
      const ym = y === 0 ? ny - 1 : y - 1;
      const yp = y === ny - 1 ? 0 : y + 1;
      const i0 = (z * ny + y) * nx;
      const iym = (z * ny + ym) * nx;
      const iyp = (z * ny + yp) * nx;
      const izm = (zm * ny + y) * nx;
      const izp = (zp * ny + y) * nx;
      const c0 = ((z >> fz) * nyc + (y >> fy)) * nxc;
      const sh = nx === 1 ? 0 : 1;
      for (let x = 0; x < nx; x++) {
        const i = i0 + x;
        const l = x === 0 ? i0 + nx - 1 : i - 1;
        const r = x === nx - 1 ? i0 : i + 1;
        const xi = X[i];
        const ax =
          gx[l] * (xi - X[l]) + gx[i] * (xi - X[r]) + gy[iym + x] * (xi - X[iym + x]) + gy[i] * (xi - X[iyp + x]) +
          gz[izm + x] * (xi - X[izm + x]) + gz[i] * (xi - X[izp + x]);
        RC[c0 + (x >> sh)] += B[i] - ax;
      }
    }
  }
  // Dirichlet faces: their part of A x.
  const { na, sa, nb, sb, nc, sc } = sliceGeometry(L);
  const last = (na - 1) * sa;
  const { bLo, bHi } = L;
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const s = u * nc + v;
      const i = u * sb + v * sc;
      RC[coarseIndexOf(L, C, i)] -= bLo[s] * X[i];
      RC[coarseIndexOf(L, C, i + last)] -= bHi[s] * X[i + last];
    }
  }
}

function coarseIndexOf(L: Level, C: Level, i: number): number {
  const x = i % L.nx;
  const t = (i - x) / L.nx;
  const y = t % L.ny;
  const z = (t - y) / L.ny;
  const cz = L.nz === 1 ? 0 : z >> 1;
  const cy = L.ny === 1 ? 0 : y >> 1;
  const cx = L.nx === 1 ? 0 : x >> 1;
  return (cz * C.ny + cy) * C.nx + cx;
}

/** x += alpha * P xc (piecewise-constant prolongation). */
export function prolongAdd(L: Level, X: Float64Array, C: Level, XC: Float64Array, alpha: number): void {
  const { nz, ny, nx } = L;
  const nyc = C.ny;
  const nxc = C.nx;
  const fz = nz === 1 ? 0 : 1;
  const fy = ny === 1 ? 0 : 1;
  const sh = nx === 1 ? 0 : 1;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const i0 = (z * ny + y) * nx;
      const c0 = ((z >> fz) * nyc + (y >> fy)) * nxc;
      for (let x = 0; x < nx; x++) X[i0 + x] += alpha * XC[c0 + (x >> sh)];
    }
  }
}

/**
 * The Galerkin coarse operator P^T A P for 2×2×2 aggregation with
 * piecewise-constant P. On a 7-point grid operator it is again a 7-point grid
 * operator: the conductance between two blocks is the sum of the fine faces
 * they share, and Dirichlet faces add up per block. This holds for any
 * geometry (holes, several phases), which is why aggregation is used here
 * rather than geometric interpolation that would smear conductances across walls.
 */
export function coarsen(L: Level): Level {
  const { nz, ny, nx, gx, gy, gz } = L;
  const cz = coarseShape(nz);
  const cy = coarseShape(ny);
  const cx = coarseShape(nx);
  const nc = cz * cy * cx;
  const Gx = new Float32Array(nc);
  const Gy = new Float32Array(nc);
  const Gz = new Float32Array(nc);
  const fz = nz === 1 ? 0 : 1;
  const fy = ny === 1 ? 0 : 1;
  const sh = nx === 1 ? 0 : 1;
  for (let z = 0; z < nz; z++) {
    // A fine + face crosses into the next block when the cell is the last of its block.
    const zCross = cz > 1 && ((z & 1) === 1 || z === nz - 1);
    for (let y = 0; y < ny; y++) {
      const yCross = cy > 1 && ((y & 1) === 1 || y === ny - 1);
      const i0 = (z * ny + y) * nx;
      const c0 = ((z >> fz) * cy + (y >> fy)) * cx;
      for (let x = 0; x < nx; x++) {
        const i = i0 + x;
        const c = c0 + (x >> sh);
        if (cx > 1 && ((x & 1) === 1 || x === nx - 1)) Gx[c] += gx[i];
        if (yCross) Gy[c] += gy[i];
        if (zCross) Gz[c] += gz[i];
      }
    }
  }
  const geom = sliceGeometry(L);
  const C0 = { nz: cz, ny: cy, nx: cx, axis: L.axis };
  const cg = sliceGeometry(C0);
  const bLo = new Float64Array(cg.nb * cg.nc);
  const bHi = new Float64Array(cg.nb * cg.nc);
  for (let u = 0; u < geom.nb; u++) {
    for (let v = 0; v < geom.nc; v++) {
      const s = u * geom.nc + v;
      const cu = geom.nb === 1 ? 0 : u >> 1;
      const cv = geom.nc === 1 ? 0 : v >> 1;
      bLo[cu * cg.nc + cv] += L.bLo[s];
      bHi[cu * cg.nc + cv] += L.bHi[s];
    }
  }
  return finishLevel(cz, cy, cx, L.axis, Gx, Gy, Gz, bLo, bHi);
}

/** Computes the inverse diagonal from the faces and Dirichlet faces. */
export function finishLevel(
  nz: number, ny: number, nx: number, axis: 0 | 1 | 2,
  gx: Float32Array, gy: Float32Array, gz: Float32Array, bLo: Float64Array, bHi: Float64Array,
): Level {
  const n = nz * ny * nx;
  // The diagonal is built in invD itself and inverted in place: no temporary array.
  const invD = new Float64Array(n);
  const L: Level = { nz, ny, nx, n, axis, gx, gy, gz, invD, bLo, bHi };
  diagonal(L, invD);
  for (let i = 0; i < n; i++) {
    const d = invD[i];
    invD[i] = d > 0 ? 1 / d : 0;
  }
  return L;
}

/** The diagonal of A (Float64), from the faces; used at setup and by the coarse direct solver. */
export function diagonal(L: Level, out?: Float64Array): Float64Array {
  const { nz, ny, nx, gx, gy, gz } = L;
  const d = out ?? new Float64Array(L.n);
  for (let z = 0; z < nz; z++) {
    const zm = z === 0 ? nz - 1 : z - 1;
    for (let y = 0; y < ny; y++) {
      const ym = y === 0 ? ny - 1 : y - 1;
      const i0 = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const i = i0 + x;
        const l = x === 0 ? i0 + nx - 1 : i - 1;
        d[i] = gx[l] + gx[i] + gy[(z * ny + ym) * nx + x] + gy[i] + gz[(zm * ny + y) * nx + x] + gz[i];
      }
    }
  }
  const { na, sa, nb, sb, nc, sc } = sliceGeometry(L);
  const last = (na - 1) * sa;
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const s = u * nc + v;
      const i = u * sb + v * sc;
      d[i] += L.bLo[s];
      d[i + last] += L.bHi[s];
    }
  }
  return d;
}

/**
 * Exact solver for the coarsest level: dense Cholesky over its active cells
 * (a few hundred at most), factored once.
 */
export class DenseCoarseSolver {
  private readonly idx: Int32Array;
  private readonly f: Float64Array;
  private readonly m: number;
  private readonly w: Float64Array;

  constructor(L: Level) {
    const d = diagonal(L);
    const act: number[] = [];
    const pos = new Int32Array(L.n).fill(-1);
    for (let i = 0; i < L.n; i++) if (d[i] > 0) { pos[i] = act.length; act.push(i); }
    const m = act.length;
    this.m = m;
    this.idx = Int32Array.from(act);
    this.w = new Float64Array(m);
    // Assemble A on the active cells: apply A to unit vectors via the faces.
    const a = new Float64Array(m * m);
    const { nz, ny, nx, gx, gy, gz } = L;
    const add = (i: number, j: number, g: number) => {
      if (g === 0 || i === j) return;
      const pi = pos[i];
      const pj = pos[j];
      if (pi < 0 || pj < 0) return;
      a[pi * m + pj] -= g;
      a[pj * m + pi] -= g;
    };
    for (let k = 0; k < m; k++) a[k * m + k] = d[act[k]];
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const i = (z * ny + y) * nx + x;
          add(i, (z * ny + y) * nx + (x === nx - 1 ? 0 : x + 1), gx[i]);
          add(i, (z * ny + (y === ny - 1 ? 0 : y + 1)) * nx + x, gy[i]);
          add(i, ((z === nz - 1 ? 0 : z + 1) * ny + y) * nx + x, gz[i]);
        }
      }
    }
    // In-place Cholesky (lower triangle).
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
    this.f = a;
  }

  solve(B: Float64Array, X: Float64Array): void {
    const { m, f, idx, w } = this;
    for (let i = 0; i < m; i++) {
      let t = B[idx[i]];
      for (let k = 0; k < i; k++) t -= f[i * m + k] * w[k];
      w[i] = t / f[i * m + i];
    }
    for (let i = m - 1; i >= 0; i--) {
      let t = w[i];
      for (let k = i + 1; k < m; k++) t -= f[k * m + i] * w[k];
      w[i] = t / f[i * m + i];
    }
    X.fill(0);
    for (let i = 0; i < m; i++) X[idx[i]] = w[i];
  }
}
