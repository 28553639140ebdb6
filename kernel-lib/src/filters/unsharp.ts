import { checkNumber } from "../errors";
import { type DType, type Volume, DTYPE_RANGE, createVolume, isFloatDType } from "../volume";
import { type ProgressOptions, allocOut, checkGreyInput, perAxis, runInSlabs } from "./common";
import { type SeparableParams, gaussianKernel1d, separablePlanes } from "./gaussian";

export interface UnsharpOptions extends ProgressOptions {
  /** Gaussian sigma of the blur, in voxels (skimage's `radius`); default 1. */
  radiusVoxels?: number | readonly [number, number, number];
  /** Gaussian sigma of the blur in micrometres. */
  radius_um?: number | readonly [number, number, number];
  /** Weight of the detail added back (skimage's `amount`); default 1. */
  amount?: number;
  /**
   * true (default): compute in the input's grey units, no clipping (skimage's
   * preserve_range=True, what CT grey values need). false: skimage's default:
   * integers scaled to [0, 1] (or [-1, 1] for signed) by their dtype's maximum,
   * and the result clipped to [0, 1] (or [-1, 1] when any input value is negative).
   */
  preserveRange?: boolean;
}

/**
 * Unsharp mask as `skimage.filters.unsharp_mask` defines it:
 * `out = v + amount · (v − gaussian(v, σ = radius, mode "reflect", truncate 4))`.
 * Output float32 (float64 for float64 input). See `preserveRange` for scaling and clipping.
 *
 * @example
 * const sharp = unsharpMask(denoised, { radiusVoxels: 2, amount: 0.7 });
 */
export function unsharpMask(volume: Volume, options: UnsharpOptions = {}): Volume {
  const inDType = checkGreyInput(volume, "unsharpMask");
  const o = options ?? {};
  const sig = perAxis("radius", o.radiusVoxels, o.radius_um, volume.spacing, { allowZero: true, defaultVoxels: 1 });
  const amount = checkNumber("amount", o.amount ?? 1);
  const preserve = o.preserveRange ?? true;
  const outDType: DType = inDType === "float64" ? "float64" : "float32";
  let scale = 1;
  let lo = -Infinity;
  let hi = Infinity;
  if (!preserve) {
    // skimage's img_as_float: integers divided by their dtype's maximum.
    if (!isFloatDType(inDType)) scale = 1 / DTYPE_RANGE[inDType][1];
    let negative = false;
    const d = volume.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] < 0) {
        negative = true;
        break;
      }
    }
    lo = negative ? -1 : 0;
    hi = 1;
  }
  const p: SeparableParams = {
    weights: sig.map((s) => (s > 1e-15 ? gaussianKernel1d(s, 4) : [])) as [number[], number[], number[]],
    mode: "reflect",
    cval: 0,
    outDType: "float64",
  };
  const plane = volume.shape[1] * volume.shape[2];
  const out = allocOut(outDType, volume.data.length, "the unsharp mask output");
  const SLAB = 8;
  const blur = new Float64Array(plane * SLAB);
  const src = volume.data;
  runInSlabs(
    volume.shape[0],
    (z0, z1) => {
      separablePlanes(volume, p, z0, z1, blur, z0);
      for (let z = z0; z < z1; z++) {
        const o = z * plane;
        const b = (z - z0) * plane;
        for (let i = 0; i < plane; i++) {
          const v = src[o + i] * scale;
          let r = v + (v - blur[b + i] * scale) * amount;
          if (r < lo) r = lo;
          else if (r > hi) r = hi;
          out[o + i] = r;
        }
      }
    },
    o,
    SLAB,
  );
  return createVolume(out, volume.shape, volume.spacing);
}
