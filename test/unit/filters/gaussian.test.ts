import { describe, expect, it } from "vitest";
import { isTomolyteError } from "../../../kernel-lib/src/errors";
import { gaussian, gaussianKernel1d } from "../../../kernel-lib/src/filters";
import { type Volume, createVolume, labelVolume } from "../../../kernel-lib/src/volume";
import { maxRelErr, peer, rng } from "./peer";

const MODES = ["reflect", "nearest", "constant", "wrap", "mirror"] as const;

function noisyU8(shape: [number, number, number], seed: number): Volume<Uint8Array> {
  const r = rng(seed);
  const d = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < d.length; i++) d[i] = Math.floor(r() * 256);
  return createVolume(d, shape, [1, 1, 1]);
}

describe("gaussian", () => {
  it("matches SciPy's kernel formula", () => {
    const w = gaussianKernel1d(1.5, 4);
    expect(w.length).toBe(2 * Math.floor(4 * 1.5 + 0.5) + 1);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it("equals scipy.ndimage.gaussian_filter in every mode, isotropic and anisotropic", () => {
    const v = noisyU8([14, 17, 19], 1);
    const aniso = createVolume(v.data, v.shape, [2, 1, 0.5]);
    const ours: Record<string, Float32Array> = {};
    for (const m of MODES) {
      ours[`iso_${m}`] = gaussian(v, { sigmaVoxels: 1.3, mode: m, cval: 7 }).data as Float32Array;
      // sigma 1 µm -> [0.5, 1, 2] voxels; truncate 3 -> radii 2, 3, 6 (the x radius exceeds nothing but tests far reflections on y/z too)
      ours[`an_${m}`] = gaussian(aniso, { sigma_um: 1, mode: m, cval: 7, truncate: 3 }).data as Float32Array;
    }
    ours.skip = gaussian(v, { sigmaVoxels: [0, 2, 0.7] }).data as Float32Array;
    // Large sigma on a small axis: reflections reach beyond the volume more than once.
    ours.far = gaussian(v, { sigmaVoxels: [6, 1, 1], mode: "reflect" }).data as Float32Array;
    // ... and along y and x (padded rows and lines longer than the axis), in the other modes too
    for (const m of ["mirror", "wrap", "nearest"] as const) ours[`farYX_${m}`] = gaussian(v, { sigmaVoxels: [0.8, 5, 6], mode: m }).data as Float32Array;
    // a 2-voxel-wide x axis: the 4-wide inner loops run only their tails
    const thin = createVolume(v.data.slice(0, 14 * 17 * 2), [14, 17, 2], [1, 1, 1]);
    ours.thin = gaussian(thin, { sigmaVoxels: 1.1, mode: "mirror" }).data as Float32Array;
    const R = peer(
      `
from scipy import ndimage as ndi
a = I["v"].astype(np.float64)
for m in ${JSON.stringify(MODES)}:
    R["iso_" + m] = ndi.gaussian_filter(a, 1.3, mode=m, cval=7)
    R["an_" + m] = ndi.gaussian_filter(a, [0.5, 1, 2], mode=m, cval=7, truncate=3)
R["skip"] = ndi.gaussian_filter(a, [0, 2, 0.7])
R["far"] = ndi.gaussian_filter(a, [6, 1, 1], mode="reflect")
for m in ["mirror", "wrap", "nearest"]:
    R["farYX_" + m] = ndi.gaussian_filter(a, [0.8, 5, 6], mode=m)
R["thin"] = ndi.gaussian_filter(I["thin"].astype(np.float64), 1.1, mode="mirror")
`,
      { v, thin },
    );
    for (const k of Object.keys(ours)) {
      // float32 output of a float64 computation: relative rounding <= 2^-24 ~ 6e-8; 1e-6 leaves room for summation order.
      expect(maxRelErr(ours[k], R[k] as Float64Array), k).toBeLessThan(1e-6);
    }
  });

  it("on a float32 volume rounds after each axis, as gaussian_filter does on a float32 array", () => {
    // A smooth-ish float32 map (values below ~20, as a distance map), small and large sigma.
    const r = rng(5);
    const d = new Float32Array(16 * 18 * 21);
    for (let i = 0; i < d.length; i++) d[i] = 10 + 8 * Math.sin(i / 37) + r();
    const v = createVolume(d, [16, 18, 21]);
    const ours = { s04: gaussian(v, { sigmaVoxels: 0.4 }).data, s13: gaussian(v, { sigmaVoxels: 1.3, mode: "nearest" }).data };
    const R = peer(
      `
from scipy import ndimage as ndi
R["s04"] = ndi.gaussian_filter(I["v"], 0.4)
R["s13"] = ndi.gaussian_filter(I["v"], 1.3, mode="nearest")
`,
      { v },
    );
    for (const k of ["s04", "s13"] as const) {
      // Same float32 stores as SciPy; only the order of the float64 sum inside one pass
      // differs, which flips a float32 rounding very rarely: at most a few voxels, by 1 ulp.
      const theirs = R[k] as Float64Array;
      let differ = 0;
      for (let i = 0; i < d.length; i++) if (ours[k][i] !== theirs[i]) differ++;
      expect(differ, k).toBeLessThanOrEqual(d.length * 1e-3);
      expect(maxRelErr(ours[k], theirs), k).toBeLessThan(2.5e-7);
    }
  });

  it("keeps float64, accepts signed ints, and an integer output dtype rounds", () => {
    const d = new Float64Array(5 * 6 * 7).map((_, i) => Math.sin(i));
    const f = gaussian(createVolume(d, [5, 6, 7]), { sigmaVoxels: 1 });
    expect(f.data).toBeInstanceOf(Float64Array);
    const u = gaussian(noisyU8([5, 6, 7], 3), { sigmaVoxels: 1, dtype: "uint8" });
    expect(u.data).toBeInstanceOf(Uint8Array);
    const c = gaussian(createVolume(new Int16Array(60).fill(-300), [3, 4, 5]), { sigmaVoxels: 2 });
    for (const x of c.data) expect(x).toBeCloseTo(-300, 3);
  });

  it("rejects bad input with TomolyteErrors that say what to change", () => {
    const v = noisyU8([4, 4, 4], 2);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isTomolyteError(e)).toBe(true);
        return (e as { code: string }).code;
      }
      return "no error";
    };
    expect(codeOf(() => gaussian(v, { sigmaVoxels: 0 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => gaussian(v, { sigmaVoxels: -1 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => gaussian(v, {}))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => gaussian(v, { sigmaVoxels: 1, mode: "edge" as never }))).toBe("INVALID_ARGUMENT");
    const nan = new Float32Array(64);
    nan[5] = NaN;
    expect(codeOf(() => gaussian(createVolume(nan, [4, 4, 4]), { sigmaVoxels: 1 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => gaussian(labelVolume(v), { sigmaVoxels: 1 }))).toBe("INVALID_ARGUMENT");
    const ac = new AbortController();
    ac.abort();
    expect(codeOf(() => gaussian(v, { sigmaVoxels: 1, signal: ac.signal }))).toBe("CANCELLED");
  });
});
