import { describe, expect, it } from "vitest";
import { estimateSigma, unsharpMask } from "../../../kernel-lib/src/filters";
import { createVolume } from "../../../kernel-lib/src/volume";
import { gauss, maxRelErr, peer, rng } from "./peer";

describe("unsharpMask and estimateSigma vs scikit-image 0.19", () => {
  const r = rng(21);
  const shape: [number, number, number] = [10, 15, 17];
  const n = shape[0] * shape[1] * shape[2];
  const u8 = createVolume(Uint8Array.from({ length: n }, () => Math.floor(r() * 256)), shape);
  const i16 = createVolume(Int16Array.from({ length: n }, () => Math.floor(r() * 2000) - 1000), shape);
  // A linear ramp (db2 has two vanishing moments: the detail band ignores it) plus Gaussian noise of sigma 7.
  const noisy = createVolume(
    Float64Array.from({ length: 24 * 26 * 28 }, (_, i) => 100 + 2 * Math.floor(i / 728) + 0.5 * (Math.floor(i / 28) % 26) + 7 * gauss(r)),
    [24, 26, 28],
  );
  const f32 = createVolume(Float32Array.from({ length: n }, () => 20 + r() * 80), shape);
  const odd = createVolume(Float32Array.from({ length: 5 * 6 * 7 }, () => r()), [5, 6, 7]);
  const ours = {
    pr_u8: unsharpMask(u8, { radiusVoxels: 1.5, amount: 2 }).data,
    pr_i16: unsharpMask(i16, { radiusVoxels: [1, 2, 0.5], amount: 0.7 }).data,
    sk_u8: unsharpMask(u8, { radiusVoxels: 2, amount: 1, preserveRange: false }).data,
    sk_i16: unsharpMask(i16, { radiusVoxels: 1, amount: 1.3, preserveRange: false }).data,
    pr_f32: unsharpMask(f32, { radiusVoxels: 1.2, amount: 0.8 }).data,
  };
  const R = peer(
    `
from skimage.filters import unsharp_mask
from skimage.restoration import estimate_sigma
R["pr_u8"] = unsharp_mask(I["u8"], radius=1.5, amount=2, preserve_range=True)
R["pr_i16"] = unsharp_mask(I["i16"], radius=[1, 2, 0.5], amount=0.7, preserve_range=True)
R["pr_f32"] = unsharp_mask(I["f32"], radius=1.2, amount=0.8, preserve_range=True)
R["sk_u8"] = unsharp_mask(I["u8"], radius=2, amount=1)
R["sk_i16"] = unsharp_mask(I["i16"], radius=1, amount=1.3)
R["sigma_noisy"] = estimate_sigma(I["noisy"])
R["sigma_u8"] = estimate_sigma(I["u8"])  # 0.19 does not rescale integer images
R["sigma_odd"] = estimate_sigma(I["odd"])
`,
    { u8, i16, noisy, odd, f32 },
  );

  it("unsharpMask equals skimage.filters.unsharp_mask with and without preserve_range", () => {
    for (const [k, v] of Object.entries(ours)) {
      if (k === "pr_f32") continue;
      // float32 output vs skimage's float64: 2^-24 relative plus the rounding of the difference term.
      expect(maxRelErr(v, R[k] as Float64Array, 1e-3), k).toBeLessThan(2e-6);
    }
    // float32 input: both blur in float32 (float32 after each pass); skimage also rounds v − blur and the
    // product to float32 where ours rounds once. Results cross zero, so absolute: a few float32 ulps of
    // the values (up to 100 here, ulp 7.6e-6; measured: 1 ulp).
    let worst = 0;
    const theirs = R.pr_f32 as Float64Array;
    for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours.pr_f32[i] - theirs[i]));
    expect(worst).toBeLessThan(4e-5);
  });

  it("estimateSigma equals skimage.restoration.estimate_sigma (db2 HHH band, MAD)", () => {
    expect(estimateSigma(noisy)).toBeCloseTo(R.sigma_noisy as number, 10);
    expect(estimateSigma(u8)).toBeCloseTo(R.sigma_u8 as number, 8);
    expect(estimateSigma(odd)).toBeCloseTo(R.sigma_odd as number, 6);
    // It finds the noise it was given (7) on a larger volume, where the border
    // coefficients (symmetric extension mixes neighbours) are a small share: 5%.
    const big = createVolume(Float32Array.from({ length: 96 ** 3 }, (_, i) => 50 + (i % 96) * 0.25 + 7 * gauss(r)), [96, 96, 96]);
    expect(Math.abs(estimateSigma(big) - 7) / 7).toBeLessThan(0.05);
  });
});
