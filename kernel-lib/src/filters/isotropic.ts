import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type DType, type Volume, createVolume, isFloatDType } from "../volume";
import { type ProgressOptions, allocOut, checkGreyInput, storePlane } from "./common";

export interface IsotropicOptions extends ProgressOptions {
  /** Target voxel size in µm (default: the smallest of the current spacings). */
  spacing_um?: number;
  /** Output dtype (default: the input's; integers are rounded and clipped). */
  dtype?: DType;
}

/**
 * Resamples to (nearly) isotropic voxels by trilinear interpolation. Each axis
 * gets n' = round(n · d / s) voxels whose centres cover the same extent
 * (voxel i' sits at input coordinate (i' + 0.5) · n / n' − 0.5, edges clamped),
 * so the new spacing is n · d / n' (equal to `spacing_um` up to the rounding of
 * n'). The same as `scipy.ndimage.zoom(v, n'/n, order=1, grid_mode=True, mode="nearest")`.
 *
 * @example
 * const iso = resampleIsotropic(scan);                    // to the finest spacing
 * const coarse = resampleIsotropic(scan, { spacing_um: 1 });
 */
export function resampleIsotropic(volume: Volume, options: IsotropicOptions = {}): Volume {
  const inDType = checkGreyInput(volume, "resampleIsotropic");
  const o = options ?? {};
  const target = checkNumber("spacing_um", o.spacing_um ?? Math.min(...volume.spacing), { min: 0, exclusiveMin: true });
  const outDType = o.dtype ?? inDType;
  if (!isFloatDType(outDType) && !["uint8", "int8", "uint16", "int16", "uint32", "int32"].includes(outDType)) {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `unknown dtype ${String(outDType)}`);
  }
  const ns = [0, 1, 2].map((a) => Math.max(1, Math.round((volume.shape[a] * volume.spacing[a]) / target))) as [number, number, number];
  const [mz, my, mx] = ns;
  const [nz, ny, nx] = volume.shape;
  const out = allocOut(outDType, mz * my * mx, `the resampled ${ns.join("×")} volume`);
  // Per axis: lower index and weight of the upper neighbour.
  const axis = (n: number, m: number) => {
    const i0 = new Int32Array(m);
    const i1 = new Int32Array(m);
    const f = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let c = ((i + 0.5) * n) / m - 0.5;
      if (c < 0) c = 0;
      if (c > n - 1) c = n - 1;
      const a = Math.floor(c);
      i0[i] = a;
      i1[i] = Math.min(n - 1, a + 1);
      f[i] = c - a;
    }
    return { i0, i1, f };
  };
  const az = axis(nz, mz);
  const ay = axis(ny, my);
  const ax = axis(nx, mx);
  const src = volume.data;
  const plane = new Float64Array(my * mx);
  for (let z = 0; z < mz; z++) {
    throwIfAborted(o.signal);
    const z0 = az.i0[z] * ny * nx;
    const z1 = az.i1[z] * ny * nx;
    const fz = az.f[z];
    for (let y = 0; y < my; y++) {
      const y0 = ay.i0[y] * nx;
      const y1 = ay.i1[y] * nx;
      const fy = ay.f[y];
      for (let x = 0; x < mx; x++) {
        const x0 = ax.i0[x];
        const x1 = ax.i1[x];
        const fx = ax.f[x];
        const c00 = src[z0 + y0 + x0] * (1 - fx) + src[z0 + y0 + x1] * fx;
        const c01 = src[z0 + y1 + x0] * (1 - fx) + src[z0 + y1 + x1] * fx;
        const c10 = src[z1 + y0 + x0] * (1 - fx) + src[z1 + y0 + x1] * fx;
        const c11 = src[z1 + y1 + x0] * (1 - fx) + src[z1 + y1 + x1] * fx;
        const c0 = c00 * (1 - fy) + c01 * fy;
        const c1 = c10 * (1 - fy) + c11 * fy;
        plane[y * mx + x] = c0 * (1 - fz) + c1 * fz;
      }
    }
    storePlane(plane, out, z * my * mx, outDType);
    o.onProgress?.((z + 1) / mz);
  }
  const spacing = [0, 1, 2].map((a) => (volume.shape[a] * volume.spacing[a]) / ns[a]);
  return createVolume(out, ns, spacing);
}
