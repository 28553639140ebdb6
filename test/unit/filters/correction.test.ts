/** Anisotropic diffusion (analytic checks), cupping correction (synthetic cylinder), isotropic resampling (scipy.ndimage.zoom). */
import { describe, expect, it } from "vitest";
import { anisotropicDiffusion, correctCupping, resampleIsotropic } from "../../../kernel-lib/src/filters";
import { createVolume, statistics } from "../../../kernel-lib/src/volume";
import { gauss, maxRelErr, peer, rng } from "./peer";

describe("anisotropicDiffusion (Perona–Malik)", () => {
  it("leaves a constant volume constant and conserves the mean (zero-flux faces)", () => {
    const c = anisotropicDiffusion(createVolume(new Uint16Array(6 * 7 * 8).fill(1234), [6, 7, 8]), { kappa: 10, iterations: 5 });
    for (const v of c.data) expect(v).toBe(1234);
    const r = rng(3);
    const v = createVolume(Float64Array.from({ length: 10 * 11 * 12 }, () => r() * 100), [10, 11, 12]);
    for (const conductance of ["exp", "quadratic"] as const) {
      const d = anisotropicDiffusion(v, { kappa: 20, iterations: 20, conductance });
      // float64 throughout: the antisymmetric fluxes cancel to rounding (~1e-14 relative).
      expect(Math.abs(statistics(d).mean - statistics(v).mean) / statistics(v).mean).toBeLessThan(1e-12);
      expect(statistics(d).std).toBeLessThan(statistics(v).std);
    }
  });

  it("keeps a step edge (gradient falls < 10%) while halving the noise on flat regions; small kappa keeps it better", () => {
    const r = rng(4);
    const [nz, ny, nx] = [12, 16, 24];
    const c = nx / 2;
    const d = Float32Array.from({ length: nz * ny * nx }, (_, i) => (i % nx < c ? 100 : 200) + 10 * gauss(r));
    const v = createVolume(d, [nz, ny, nx]);
    const edge = (a: ArrayLike<number>) => {
      let s = 0;
      for (let zy = 0; zy < nz * ny; zy++) s += a[zy * nx + c] - a[zy * nx + c - 1];
      return s / (nz * ny);
    };
    const flatStd = (a: ArrayLike<number>) => {
      // the left flat region away from the edge and the x faces
      const vals: number[] = [];
      for (let zy = 0; zy < nz * ny; zy++) for (let x = 2; x < c - 3; x++) vals.push(a[zy * nx + x]);
      const m = vals.reduce((p, q) => p + q, 0) / vals.length;
      return Math.sqrt(vals.reduce((p, q) => p + (q - m) ** 2, 0) / vals.length);
    };
    for (const conductance of ["exp", "quadratic"] as const) {
      const out = anisotropicDiffusion(v, { kappa: 15, step: 1 / 7, iterations: 15, conductance });
      expect(edge(out.data) / edge(d)).toBeGreaterThan(0.9);
      expect(flatStd(out.data) / flatStd(d)).toBeLessThan(0.5);
    }
    const sharp = edge(anisotropicDiffusion(v, { kappa: 15, iterations: 15 }).data);
    const soft = edge(anisotropicDiffusion(v, { kappa: 200, iterations: 15 }).data);
    expect(sharp).toBeGreaterThan(soft);
  });

  it("rejects an unstable step, a missing kappa and a label volume", () => {
    const v = createVolume(new Float32Array(27), [3, 3, 3]);
    expect(() => anisotropicDiffusion(v, { kappa: 1, step: 0.2 })).toThrow(/unstable/);
    expect(() => anisotropicDiffusion(v, {} as never)).toThrow(/kappa/);
    const ac = new AbortController();
    ac.abort();
    expect(() => anisotropicDiffusion(v, { kappa: 1, signal: ac.signal })).toThrow(/cancelled/);
  });
});

describe("correctCupping", () => {
  // A cylinder (radius 20 voxels) whose grey value rises from 800 at the axis to 1000 at the rim (cupping), in air (100).
  const [nz, ny, nx] = [8, 48, 48];
  const R0 = 20;
  const cy = 23.5;
  const cx = 24.5;
  const r = rng(8);
  const d = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const rr = Math.hypot(y - cy, x - cx);
        d[(z * ny + y) * nx + x] = (rr <= R0 ? 800 + 200 * (rr / R0) ** 2 : 100) + 5 * gauss(r);
      }
  const v = createVolume(d, [nz, ny, nx], [1, 0.5, 0.5]);

  it("finds the axis and leaves the radial profile flat within 2% of its mean", () => {
    const { volume, diagnostic } = correctCupping(v);
    expect(Math.abs(diagnostic.center[0] - cy)).toBeLessThan(0.5);
    expect(Math.abs(diagnostic.center[1] - cx)).toBeLessThan(0.5);
    expect(Math.abs(diagnostic.objectRadiusVoxels - R0)).toBeLessThan(1);
    const { r_um, meanAfter, meanBefore } = diagnostic.perRadius;
    const inside = meanAfter.filter((_, i) => r_um[i] / 0.5 <= R0 - 2);
    const mean = inside.reduce((a, b) => a + b, 0) / inside.length;
    for (const m of inside) expect(Math.abs(m - mean) / mean).toBeLessThan(0.02);
    // before, the same profile spans ±10%
    const before = meanBefore.filter((_, i) => r_um[i] / 0.5 <= R0 - 2);
    expect(Math.max(...before) - Math.min(...before)).toBeGreaterThan(150);
    expect(volume.data).toBeInstanceOf(Float32Array);
    expect(diagnostic.perSlice.z.length).toBe(nz);
    // the correction keeps the object's mean (count-weighted reference)
    expect(Math.abs(diagnostic.perSlice.meanAfter[0] - diagnostic.perSlice.meanBefore[0]) / diagnostic.perSlice.meanBefore[0]).toBeLessThan(0.01);
  });

  it("background flattening removes a slow in-plane ramp", () => {
    const rr = rng(2);
    const ramp = createVolume(Float32Array.from({ length: 16 * 32 * 32 }, (_, i) => 500 + 4 * (i % 32) + 3 * gauss(rr)), [16, 32, 32]);
    const { volume } = correctCupping(ramp, { method: "background", backgroundSigmaVoxels: 6 });
    // column means across x: before they span 124 grey levels; after, only what the low-pass missed near the faces
    const col = (a: ArrayLike<number>, x: number) => {
      let s = 0;
      for (let k = 0; k < 16 * 32; k++) s += a[k * 32 + x];
      return s / (16 * 32);
    };
    expect(Math.abs(col(volume.data, 16) - col(volume.data, 8))).toBeLessThan(2);
  });
});

describe("resampleIsotropic", () => {
  it("equals scipy.ndimage.zoom(order=1, grid_mode=True, mode='nearest')", () => {
    const r = rng(6);
    const v = createVolume(Float32Array.from({ length: 7 * 10 * 12 }, () => r() * 100), [7, 10, 12], [2, 1, 0.75]);
    const iso = resampleIsotropic(v);
    expect(iso.shape).toEqual([19, 13, 12]);
    expect(iso.spacing[0]).toBeCloseTo(14 / 19, 12);
    const R = peer(
      `
from scipy import ndimage as ndi
v = I["v"].astype(np.float64)
R["z"] = ndi.zoom(v, [19/7, 13/10, 12/12], order=1, grid_mode=True, mode="nearest")
`,
      { v },
    );
    expect(maxRelErr(iso.data, R.z as Float64Array)).toBeLessThan(1e-6);
  });
});
