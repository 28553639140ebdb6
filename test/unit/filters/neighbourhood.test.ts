/** mean, median, minimum, maximum against scipy.ndimage in every boundary mode. */
import { describe, expect, it } from "vitest";
import { isTomolyteError } from "../../../kernel-lib/src/errors";
import { maximum, mean, median, minimum } from "../../../kernel-lib/src/filters";
import { type Volume, createVolume, labelVolume } from "../../../kernel-lib/src/volume";
import { countDiff, maxRelErr, peer, rng } from "./peer";

const MODES = ["reflect", "nearest", "constant", "wrap", "mirror"] as const;
const SHAPE: [number, number, number] = [9, 11, 13];

function vol(kind: "uint8" | "uint16" | "int16" | "float32", seed: number): Volume {
  const r = rng(seed);
  const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
  if (kind === "uint8") return createVolume(Uint8Array.from({ length: n }, () => Math.floor(r() * 256)), SHAPE);
  if (kind === "uint16") return createVolume(Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)), SHAPE);
  if (kind === "int16") return createVolume(Int16Array.from({ length: n }, () => Math.floor(r() * 2000) - 1000), SHAPE);
  return createVolume(Float32Array.from({ length: n }, () => r() * 10 - 5), SHAPE);
}

// The digital ball dz²+dy²+dx² <= R² (skimage.morphology.ball's rule).
const PY_BALL = `
def ball(r):
    g = np.mgrid[-r:r+1, -r:r+1, -r:r+1]
    return (g**2).sum(0) <= r*r
`;

describe("mean / median / minimum / maximum vs scipy.ndimage", () => {
  const u8 = vol("uint8", 11);
  const u16 = vol("uint16", 12);
  const i16 = vol("int16", 13);
  const f32 = vol("float32", 14);
  const ours: Record<string, ArrayLike<number>> = {};
  for (const m of MODES) {
    const cval = 3;
    ours[`mean_cube_${m}`] = mean(u8, { radiusVoxels: 2, mode: m, cval }).data;
    ours[`mean_ball_${m}`] = mean(u8, { radiusVoxels: 2, footprint: "ball", mode: m, cval }).data;
    ours[`mean_aniso_${m}`] = mean(f32, { radiusVoxels: [1, 0, 3], mode: m, cval }).data;
    // radii above 3 take the van Herk path (smaller ones the comparison chains)
    ours[`min_bigcube_u16_${m}`] = minimum(u16, { radiusVoxels: [1, 4, 5], mode: m, cval }).data;
    ours[`max_bigcube_f32_${m}`] = maximum(f32, { radiusVoxels: [4, 0, 5], mode: m, cval }).data;
    for (const [name, v] of [["u8", u8], ["u16", u16], ["i16", i16], ["f32", f32]] as const) {
      ours[`median_cube_${name}_${m}`] = median(v, { radiusVoxels: 1, mode: m, cval }).data;
      ours[`median_ball_${name}_${m}`] = median(v, { radiusVoxels: 2, footprint: "ball", mode: m, cval }).data;
      ours[`min_cube_${name}_${m}`] = minimum(v, { radiusVoxels: 2, mode: m, cval }).data;
      ours[`max_cube_${name}_${m}`] = maximum(v, { radiusVoxels: [1, 2, 3], mode: m, cval }).data;
      ours[`min_ball_${name}_${m}`] = minimum(v, { radiusVoxels: 2, footprint: "ball", mode: m, cval }).data;
      ours[`max_ball_${name}_${m}`] = maximum(v, { radiusVoxels: 3, footprint: "ball", mode: m, cval }).data;
    }
  }
  const R = peer(
    PY_BALL +
      `
from scipy import ndimage as ndi
for m in ${JSON.stringify(MODES)}:
    c = 3
    a = I["u8"].astype(np.float64)
    R["mean_cube_" + m] = ndi.uniform_filter(a, 5, mode=m, cval=c)
    b = ball(2).astype(np.float64); b /= b.sum()
    R["mean_ball_" + m] = ndi.correlate(a, b, mode=m, cval=c)
    R["mean_aniso_" + m] = ndi.uniform_filter(I["f32"].astype(np.float64), [3, 1, 7], mode=m, cval=c)
    R["min_bigcube_u16_" + m] = ndi.minimum_filter(I["u16"], [3, 9, 11], mode=m, cval=c)
    R["max_bigcube_f32_" + m] = ndi.maximum_filter(I["f32"], [9, 1, 11], mode=m, cval=c)
    for name in ["u8", "u16", "i16", "f32"]:
        v = I[name]
        R[f"median_cube_{name}_{m}"] = ndi.median_filter(v, 3, mode=m, cval=c)
        R[f"median_ball_{name}_{m}"] = ndi.median_filter(v, footprint=ball(2), mode=m, cval=c)
        R[f"min_cube_{name}_{m}"] = ndi.minimum_filter(v, 5, mode=m, cval=c)
        R[f"max_cube_{name}_{m}"] = ndi.maximum_filter(v, [3, 5, 7], mode=m, cval=c)
        R[f"min_ball_{name}_{m}"] = ndi.minimum_filter(v, footprint=ball(2), mode=m, cval=c)
        R[f"max_ball_{name}_{m}"] = ndi.maximum_filter(v, footprint=ball(3), mode=m, cval=c)
`,
    { u8, u16, i16, f32 },
  );

  it("mean equals uniform_filter / correlate with a ball, every mode (float32 rounding, 1e-6 relative)", () => {
    for (const k of Object.keys(ours).filter((k) => k.startsWith("mean"))) {
      expect(maxRelErr(ours[k], R[k] as Float64Array), k).toBeLessThan(1e-6);
    }
  });

  it("median, minimum, maximum are bit-identical to scipy for 8/16-bit and float data, every mode", () => {
    // Rank filters pick one of the input values: any difference is a bug, so no tolerance.
    for (const k of Object.keys(ours).filter((k) => !k.startsWith("mean"))) {
      expect(countDiff(ours[k], R[k] as Float64Array), k).toBe(0);
    }
  });

  it("keeps the input dtype for rank filters and gives float32 means", () => {
    expect(median(u16, { radiusVoxels: 1 }).data).toBeInstanceOf(Uint16Array);
    expect(maximum(i16, { radiusVoxels: 1 }).data).toBeInstanceOf(Int16Array);
    expect(mean(u8, { radiusVoxels: 1 }).data).toBeInstanceOf(Float32Array);
  });

  it("rejects radii beyond the volume, label volumes and bad cvals with clear errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isTomolyteError(e)).toBe(true);
        return (e as { code: string; message: string }).code;
      }
      return "none";
    };
    expect(code(() => median(u8, { radiusVoxels: 9 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => median(u8, { radiusVoxels: 0 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => median(u8, { radiusVoxels: 1.5 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => median(u8, { radiusVoxels: 1, mode: "constant", cval: 300 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => mean(labelVolume(u8 as Volume<Uint8Array>), { radiusVoxels: 1 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => median(u8, {} as never))).toBe("INVALID_ARGUMENT");
  });

  it("median of float data with many ties equals a sort-based median (the selection's partition)", () => {
    const r = rng(31);
    const shape: [number, number, number] = [7, 8, 9];
    for (const levels of [2, 3, 1000]) {
      const d = Float32Array.from({ length: 7 * 8 * 9 }, () => Math.floor(r() * levels));
      const got = median(createVolume(d, shape), { radiusVoxels: 1, mode: "nearest" }).data;
      const cl = (i: number, n: number) => Math.min(n - 1, Math.max(0, i));
      let bad = 0;
      for (let z = 0; z < 7; z++)
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 9; x++) {
            const a: number[] = [];
            for (let dz = -1; dz <= 1; dz++)
              for (let dy = -1; dy <= 1; dy++)
                for (let dx = -1; dx <= 1; dx++) a.push(d[(cl(z + dz, 7) * 8 + cl(y + dy, 8)) * 9 + cl(x + dx, 9)]);
            a.sort((p, q) => p - q);
            if (a[13] !== got[(z * 8 + y) * 9 + x]) bad++;
          }
      expect(bad, `${levels} levels`).toBe(0);
    }
  });

  it("radius in micrometres is rounded per axis with the spacing", () => {
    const a = createVolume(u8.data, u8.shape, [2, 1, 1]);
    // 2 µm -> [1, 2, 2] voxels
    expect(countDiff(median(a, { radius_um: 2 }).data, median(a, { radiusVoxels: [1, 2, 2] }).data)).toBe(0);
  });
});
