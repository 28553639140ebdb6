/** Small synthetic structures for the network tests (pore = 0, solid = 1). */
import { type Volume, createVolume } from "../../../kernel-lib/src";

export const PORE = 0;
export const SOLID = 1;

/**
 * Inverted lattice: pores = spheres of radius `R` voxels centred in each cell of a
 * cells³ lattice (cell side `cell` voxels, odd so the centres are voxel centres);
 * spheres of face-neighbour cells overlap in a neck when 2R > cell.
 */
export function sphereLattice(cells: number, cell: number, R: number, spacing = 1): Volume<Uint8Array> {
  const n = cells * cell;
  const d = new Uint8Array(n ** 3).fill(SOLID);
  const h = (cell - 1) / 2;
  const r0 = Math.ceil(R);
  for (let a = 0; a < cells; a++) for (let b = 0; b < cells; b++) for (let c = 0; c < cells; c++) {
    const cz = a * cell + h, cy = b * cell + h, cx = c * cell + h;
    for (let z = Math.max(0, Math.floor(cz - r0)); z <= Math.min(n - 1, cz + r0); z++)
      for (let y = Math.max(0, Math.floor(cy - r0)); y <= Math.min(n - 1, cy + r0); y++)
        for (let x = Math.max(0, Math.floor(cx - r0)); x <= Math.min(n - 1, cx + r0); x++)
          if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= R * R) d[(z * n + y) * n + x] = PORE;
  }
  return createVolume(d, [n, n, n], [spacing, spacing, spacing]);
}

/** A straight cylinder of radius R voxels along z through an nz×m×m box, centred on a voxel centre (m odd). */
export function tube(nz: number, m: number, R: number, spacing: readonly [number, number, number] = [1, 1, 1]): Volume<Uint8Array> {
  const d = new Uint8Array(nz * m * m).fill(SOLID);
  const c = (m - 1) / 2;
  for (let z = 0; z < nz; z++) for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) {
    if ((y - c) ** 2 + (x - c) ** 2 <= R * R) d[(z * m + y) * m + x] = PORE;
  }
  return createVolume(d, [nz, m, m], spacing);
}

/** A string of overlapping beads (radius R, centres `pitch` apart) along z: a tube with necks. */
export function beads(count: number, pitch: number, R: number, m: number): Volume<Uint8Array> {
  const nz = count * pitch;
  const d = new Uint8Array(nz * m * m).fill(SOLID);
  const c = (m - 1) / 2;
  const h = (pitch - 1) / 2;
  for (let z = 0; z < nz; z++) for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) {
    for (let k = 0; k < count; k++) {
      if ((z - (k * pitch + h)) ** 2 + (y - c) ** 2 + (x - c) ** 2 <= R * R) d[(z * m + y) * m + x] = PORE;
    }
  }
  return createVolume(d, [nz, m, m], [1, 1, 1]);
}

/** Solid spheres of random radius at seeded random centres; the rest is pore. */
export function blobs(n: number, count: number, r: number, seed = 1): Volume<Uint8Array> {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const d = new Uint8Array(n * n * n);
  for (let k = 0; k < count; k++) {
    const cz = rnd() * n, cy = rnd() * n, cx = rnd() * n, rr = r * (0.6 + 0.8 * rnd());
    const r0 = Math.ceil(rr);
    for (let z = Math.max(0, Math.floor(cz - r0)); z < Math.min(n, cz + r0 + 1); z++)
      for (let y = Math.max(0, Math.floor(cy - r0)); y < Math.min(n, cy + r0 + 1); y++)
        for (let x = Math.max(0, Math.floor(cx - r0)); x < Math.min(n, cx + r0 + 1); x++)
          if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= rr * rr) d[(z * n + y) * n + x] = SOLID;
  }
  return createVolume(d, [n, n, n], [1, 1, 1]);
}

/** The volume rotated by 90° about x: new[z][y][x] = old[y][n−1−z][x] (shape must be cubic in z, y). */
export function rotateX(v: Volume<Uint8Array>): Volume<Uint8Array> {
  const [nz, ny, nx] = v.shape;
  const out = new Uint8Array(v.data.length);
  for (let z = 0; z < ny; z++) for (let y = 0; y < nz; y++) for (let x = 0; x < nx; x++) {
    out[(z * nz + y) * nx + x] = v.data[(y * ny + (ny - 1 - z)) * nx + x];
  }
  return createVolume(out, [ny, nz, nx], [v.spacing[1], v.spacing[0], v.spacing[2]]);
}
