import { checkNumber } from "../errors";
import { type DType, type VoxelArray, type Volume, DTYPE_RANGE, createVolume, isFloatDType } from "../volume";
import { type ProgressOptions, allocOut, checkGreyInput, giveScratch, perAxis, runInSlabs, takeScratch } from "./common";
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

/** @internal */
export interface UnsharpParams {
  blur: SeparableParams;
  amount: number;
  scale: number;
  lo: number;
  hi: number;
  outDType: DType;
}

/** @internal Validates the options of unsharpMask. */
export function prepareUnsharp(volume: Volume, options: UnsharpOptions): UnsharpParams {
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
  // skimage blurs a float32 image in float32 (gaussian_filter on a float32 array: float32 after
  // each pass); integers and float64 in float64. The same here: half the memory traffic for float32.
  const f32 = inDType === "float32";
  const blur: SeparableParams = {
    weights: sig.map((s) => (s > 1e-15 ? gaussianKernel1d(s, 4) : [])) as [number[], number[], number[]],
    mode: "reflect",
    cval: 0,
    outDType: f32 ? "float32" : "float64",
    float32Passes: f32,
  };
  return { blur, amount, scale, lo, hi, outDType };
}

/** Planes per blur buffer: bounds the float64 scratch at 8 planes. */
const UNSHARP_SLAB = 8;

/** @internal Planes [z0, z1) of the unsharp mask: blurred 8 planes at a time into a scratch buffer, then combined. */
export function unsharpPlanes(volume: Volume, p: UnsharpParams, z0: number, z1: number, out: VoxelArray): void {
  const plane = volume.shape[1] * volume.shape[2];
  const blur = p.blur.outDType === "float32" ? takeScratch(Float32Array, plane * UNSHARP_SLAB) : takeScratch(Float64Array, plane * UNSHARP_SLAB);
  const src = volume.data;
  const { amount, scale, lo, hi } = p;
  for (let a = z0; a < z1; a += UNSHARP_SLAB) {
    const b = Math.min(z1, a + UNSHARP_SLAB);
    separablePlanes(volume, p.blur, a, b, blur, a);
    for (let z = a; z < b; z++) {
      const o = z * plane;
      const q = (z - a) * plane;
      for (let i = 0; i < plane; i++) {
        const v = src[o + i] * scale;
        let r = v + (v - blur[q + i] * scale) * amount;
        if (r < lo) r = lo;
        else if (r > hi) r = hi;
        out[o + i] = r;
      }
    }
  }
  giveScratch(blur);
}

/**
 * Unsharp mask as `skimage.filters.unsharp_mask` defines it:
 * `out = v + amount · (v − gaussian(v, σ = radius, mode "reflect", truncate 4))`.
 * Output float32 (float64 for float64 input). See `preserveRange` for scaling and clipping.
 * `parallel.unsharpMask` gives the same numbers on worker threads.
 *
 * @example
 * const sharp = unsharpMask(denoised, { radiusVoxels: 2, amount: 0.7 });
 */
export function unsharpMask(volume: Volume, options: UnsharpOptions = {}): Volume {
  const p = prepareUnsharp(volume, options);
  const out = allocOut(p.outDType, volume.data.length, "the unsharp mask output");
  runInSlabs(volume.shape[0], (z0, z1) => unsharpPlanes(volume, p, z0, z1, out), options ?? {}, UNSHARP_SLAB);
  return createVolume(out, volume.shape, volume.spacing);
}
