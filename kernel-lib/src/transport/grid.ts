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

/** The diagonal of A (Float64), from the faces; used at setup. */
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
