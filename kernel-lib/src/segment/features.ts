import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Triple, type Volume, createVolume, crop } from "../volume";
import { gaussian } from "../filters";

/**
 * The multi-scale feature stack of the voxel classifier, per sigma (voxels):
 * Gaussian, difference of Gaussians G(σ) − G(previous σ) (the raw value
 * before the first σ; no extra blur needed), gradient magnitude,
 * Laplacian and the three Hessian eigenvalues (ascending) of G(σ), plus the
 * raw grey value first. Derivatives are central differences of G(σ).
 */
export interface FeatureSpec {
  readonly sigmas: readonly number[];
}

export const DEFAULT_SIGMAS: readonly number[] = [0.7, 1.6, 3.5];

/**
 * Names of the features a spec computes, in the order of the stack.
 *
 * @example
 * featureNames({ sigmas: [1] }) // ["raw", "gaussian(1)", "dog(1)", ...] (8 names)
 */
export function featureNames(spec: FeatureSpec): string[] {
  const out = ["raw"];
  for (const s of spec.sigmas) {
    out.push(`gaussian(${s})`, `dog(${s})`, `gradientMagnitude(${s})`, `laplacian(${s})`,
      `hessianEig1(${s})`, `hessianEig2(${s})`, `hessianEig3(${s})`);
  }
  return out;
}

export function checkSigmas(sigmas: unknown): number[] {
  if (!Array.isArray(sigmas) || sigmas.length === 0 || sigmas.length > 8) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "sigmas must be a list of 1 to 8 positive numbers (voxels)");
  }
  return sigmas.map((s, k) => checkNumber(`sigmas[${k}]`, s, { min: 0.3, max: 32 }));
}

/** Voxels of context a slab needs on each side so that its features equal the whole volume's. */
export function featureHalo(spec: FeatureSpec): number {
  const smax = Math.max(...spec.sigmas);
  return Math.floor(4 * smax + 0.5) + 2;
}

/** Eigenvalues of a symmetric 3×3 matrix, ascending (trigonometric closed form). */
function eig3(a: number, b: number, c: number, d: number, e: number, f: number, out: Float64Array): void {
  // Matrix [[a, d, e], [d, b, f], [e, f, c]].
  const p1 = d * d + e * e + f * f;
  if (p1 === 0) {
    const x = Math.min(a, b, c), z = Math.max(a, b, c);
    out[0] = x; out[2] = z; out[1] = a + b + c - x - z;
    return;
  }
  const q = (a + b + c) / 3;
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const ip = 1 / p;
  const b11 = (a - q) * ip, b22 = (b - q) * ip, b33 = (c - q) * ip, b12 = d * ip, b13 = e * ip, b23 = f * ip;
  let r = (b11 * (b22 * b33 - b23 * b23) - b12 * (b12 * b33 - b23 * b13) + b13 * (b12 * b23 - b22 * b13)) / 2;
  r = r < -1 ? -1 : r > 1 ? 1 : r;
  const phi = Math.acos(r) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  out[2] = e1; out[0] = e3; out[1] = 3 * q - e1 - e3;
}

/**
 * Features of the planes [z0, z1) of `volume`, as one Float32Array per
 * feature (plane-major, (z1 − z0)·ny·nx each). Works on a slab with a halo so
 * that memory stays bounded; the values equal those of the whole volume.
 */
export function featureSlab(volume: Volume, spec: FeatureSpec, z0: number, z1: number, signal?: AbortSignal): Float32Array[] {
  const [nz, ny, nx] = volume.shape;
  const halo = featureHalo(spec);
  const a = Math.max(0, z0 - halo);
  const b = Math.min(nz, z1 + halo);
  const slab = a === 0 && b === nz ? volume : crop(volume, { z: [a, b] });
  const sz = b - a;
  const plane = ny * nx;
  const m = (z1 - z0) * plane;
  const off = (z0 - a) * plane;
  const feats: Float32Array[] = [];
  const raw = new Float32Array(m);
  for (let i = 0; i < m; i++) raw[i] = slab.data[off + i];
  feats.push(raw);
  const shape: Triple = [sz, ny, nx];
  const ev = new Float64Array(3);
  // The previous scale's smoothed slab (the raw slab before the first sigma), for the DoG.
  let prev: ArrayLike<number> = slab.data;
  for (const s of spec.sigmas) {
    const g = gaussian(slab, { sigmaVoxels: s, mode: "reflect", dtype: "float32", signal }).data as Float32Array;
    const G = new Float32Array(m), D = new Float32Array(m), GM = new Float32Array(m), L = new Float32Array(m);
    const E1 = new Float32Array(m), E2 = new Float32Array(m), E3 = new Float32Array(m);
    for (let z = z0; z < z1; z++) {
      const zs = z - a;
      // Neighbour planes, clamped at the volume's faces (nearest).
      const zm = (z > 0 ? zs - 1 : zs) * plane, zp = (z < nz - 1 ? zs + 1 : zs) * plane, zc = zs * plane;
      for (let y = 0; y < ny; y++) {
        const ym = (y > 0 ? y - 1 : y) * nx, yp = (y < ny - 1 ? y + 1 : y) * nx, yc = y * nx;
        for (let x = 0; x < nx; x++) {
          const xm = x > 0 ? x - 1 : x, xp = x < nx - 1 ? x + 1 : x;
          const c = g[zc + yc + x];
          const o = (z - z0) * plane + yc + x;
          G[o] = c;
          D[o] = c - prev[zc + yc + x];
          const gz = (g[zp + yc + x] - g[zm + yc + x]) / 2;
          const gy = (g[zc + yp + x] - g[zc + ym + x]) / 2;
          const gx = (g[zc + yc + xp] - g[zc + yc + xm]) / 2;
          GM[o] = Math.sqrt(gz * gz + gy * gy + gx * gx);
          const hzz = g[zp + yc + x] - 2 * c + g[zm + yc + x];
          const hyy = g[zc + yp + x] - 2 * c + g[zc + ym + x];
          const hxx = g[zc + yc + xp] - 2 * c + g[zc + yc + xm];
          const hzy = (g[zp + yp + x] - g[zp + ym + x] - g[zm + yp + x] + g[zm + ym + x]) / 4;
          const hzx = (g[zp + yc + xp] - g[zp + yc + xm] - g[zm + yc + xp] + g[zm + yc + xm]) / 4;
          const hyx = (g[zc + yp + xp] - g[zc + yp + xm] - g[zc + ym + xp] + g[zc + ym + xm]) / 4;
          L[o] = hzz + hyy + hxx;
          eig3(hzz, hyy, hxx, hzy, hzx, hyx, ev);
          E1[o] = ev[0]; E2[o] = ev[1]; E3[o] = ev[2];
        }
      }
    }
    feats.push(G, D, GM, L, E1, E2, E3);
    prev = g;
  }
  void shape;
  return feats;
}

/**
 * The whole feature stack as volumes (for looking at them; the classifier
 * itself works slab by slab).
 *
 * @example
 * const stack = featureStack(ct, { sigmas: [1, 2] }); // 15 float32 volumes
 */
export function featureStack(volume: Volume, options: { sigmas?: readonly number[] } = {}): { names: string[]; volumes: Volume<Float32Array>[] } {
  const spec = { sigmas: checkSigmas(options.sigmas ?? DEFAULT_SIGMAS) };
  const f = featureSlab(volume, spec, 0, volume.shape[0]);
  return { names: featureNames(spec), volumes: f.map((d) => createVolume(d, volume.shape, volume.spacing)) };
}
