import { describe, expect, test } from "vitest";
import { createVolume } from "../../../kernel-lib/src/volume";
import { label } from "../../../kernel-lib/src/morphology";
import { localThickness, chordLengths, particleSizeDistribution } from "../../../kernel-lib/src/metrics";
import { ball, phantom, pythonWith } from "./helpers";

describe("local thickness (sphere insertion on the EDT)", () => {
  test("slab W = 11 voxels: every voxel 2r = W + 1 (the EDT reaches the first outside voxel), spacing scales it", () => {
    const n = 20;
    const m = phantom([n, 8, 8], (z) => z >= 4 && z < 15);
    const lt = localThickness(createVolume(m, [n, 8, 8]), { phase: 1, sizes: "exact" });
    for (let i = 0; i < m.length; i++) expect(lt.thickness.data[i]).toBe(m[i] ? 12 : 0);
    expect(lt.meanThickness_um).toBe(12);
    const an = localThickness(createVolume(m, [n, 8, 8], [0.5, 3, 3]), { phase: 1, sizes: "exact" });
    expect(an.meanThickness_um).toBeCloseTo(6, 5);
  });

  test("ball R = 10 (centre on a voxel): one inserted ball covers it all; 2r = 2·√101 ≈ 2R (+0.5%)", () => {
    const n = 26;
    const m = ball([n, n, n], [12, 12, 12], 10);
    const lt = localThickness(createVolume(m, [n, n, n], [0.5, 0.5, 0.5]), { phase: 1, sizes: "exact" });
    // The EDT of the centre voxel is √101 voxels (nearest outside voxel at offset (10, 1, 0)).
    const vals = new Set<number>();
    for (let i = 0; i < m.length; i++) if (m[i]) vals.add(lt.thickness.data[i]);
    expect(vals.size).toBe(1);
    expect(lt.meanThickness_um).toBeCloseTo(2 * Math.sqrt(101) * 0.5, 5);
    expect(Math.abs(lt.meanThickness_um / (2 * 10 * 0.5) - 1)).toBeLessThan(0.01);
    // Off-grid centre: the voxelised ball's largest inscribed distance is smaller (√53 = 7.28 for R = 8);
    // most of the volume takes that ball's diameter, all of it lies within [2(R − 1.5), 2(R + 1)].
    const m8 = ball([24, 24, 24], [11.5, 11.5, 11.5], 8);
    const l8 = localThickness(createVolume(m8, [24, 24, 24]), { phase: 1, sizes: "exact" });
    expect(l8.radii_um[0]).toBeCloseTo(Math.sqrt(53), 5);
    expect(l8.meanThickness_um).toBeGreaterThan(13);
    expect(l8.meanThickness_um).toBeLessThan(18);
    expect(lt.distribution.volumeFraction.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  test("equals a PoreSpy-style SciPy sphere insertion (25 log-spaced radii) on two touching balls and a rod", () => {
    const shape: [number, number, number] = [30, 30, 30];
    const m = phantom(shape, (z, y, x) =>
      (z - 10) ** 2 + (y - 10) ** 2 + (x - 12) ** 2 <= 49 ||
      (z - 18) ** 2 + (y - 17) ** 2 + (x - 15) ** 2 <= 25 ||
      ((y - 22) ** 2 + (x - 6) ** 2 <= 6.25 && z > 3 && z < 27));
    const lt = localThickness(createVolume(m, shape), { phase: 1, sizes: 25 });
    const peer = pythonWith<number[]>({ m: { data: m, shape } }, `
from scipy import ndimage as ndi
im = A["m"].astype(bool)
dt = ndi.distance_transform_edt(im)
out = np.zeros(im.shape)
sizes = np.logspace(np.log10(dt.max()), 0, 25)
sizes[0] = dt.max()  # as tomolyte: the log10 round trip must not lose the largest ball
for r in sizes:
    seeds = dt >= r
    if not seeds.any(): continue
    cov = ndi.distance_transform_edt(~seeds) < r
    out[(out == 0) & cov & im] = r
print(json.dumps((2 * out).ravel().tolist()))
`);
    let same = 0;
    let inPhase = 0;
    for (let i = 0; i < m.length; i++) {
      if (!m[i] || peer[i] === 0) continue;
      inPhase++;
      if (Math.abs(lt.thickness.data[i] - peer[i]) < 1e-4 * peer[i]) same++;
    }
    // float32 vs float64 distances can flip a comparison exactly at a radius: allow 0.5% of voxels.
    expect(same / inPhase).toBeGreaterThan(0.995);
  });
});

describe("chord lengths", () => {
  test("slab: chords across it are exactly W·dz, chords along it touch the border and are trimmed", () => {
    const m = phantom([16, 6, 7], (z) => z >= 3 && z < 10);
    const c = chordLengths(createVolume(m, [16, 6, 7], [0.5, 1, 1]), { phase: 1 });
    const z = c.axes.find((a) => a.axis === "z")!;
    expect(z.lengths_um.length).toBe(42);
    expect([...new Set(z.lengths_um)]).toEqual([3.5]);
    expect(c.axes.find((a) => a.axis === "x")!.lengths_um.length).toBe(0);
    const untrimmed = chordLengths(createVolume(m, [16, 6, 7]), { phase: 1, axes: ["x"], trimEdges: false });
    expect([...new Set(untrimmed.axes[0].lengths_um)]).toEqual([7]);
    expect(untrimmed.axes[0].lengths_um.length).toBe(7 * 6);
  });

  test("ball: mean chord ≈ 4V/S = 4R/3 (Cauchy), within the voxel staircase", () => {
    const n = 40;
    const R = 15;
    const m = ball([n, n, n], [19.5, 19.5, 19.5], R);
    const c = chordLengths(createVolume(m, [n, n, n]), { phase: 1 });
    // Grid lines sample chords uniformly over the projected area: mean = V / A_proj = 4R/3 for a ball.
    for (const a of c.axes) expect(Math.abs(a.meanLength_um / ((4 * R) / 3) - 1)).toBeLessThan(0.03);
  });
});

describe("discrete particle size distribution", () => {
  test("labelled balls: equivalent diameters (6V/π)^(1/3), number and volume fractions", () => {
    const shape: [number, number, number] = [30, 30, 30];
    const m = phantom(shape, (z, y, x) => (z - 8) ** 2 + (y - 8) ** 2 + (x - 8) ** 2 <= 25 || (z - 19) ** 2 + (y - 19) ** 2 + (x - 19) ** 2 <= 64 || (z < 3 && x < 3 && y < 3));
    const { labels } = label(createVolume(m, shape, [0.5, 0.5, 0.5]), { phase: 1 });
    const psd = particleSizeDistribution(labels, { bins: 10 });
    expect(psd.equivalentDiameter_um.length).toBe(3);
    const vols = [27, 515, 2109]; // voxel counts of the corner cube and the balls (checked below)
    const counts = [...psd.equivalentDiameter_um].map((d) => (Math.PI * d ** 3) / 6 / 0.125).sort((a, b) => a - b);
    expect(counts[0]).toBeCloseTo(vols[0], 6);
    expect(psd.numberFraction.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(psd.volumeFraction.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const inner = particleSizeDistribution(labels, { excludeBorder: true });
    expect(inner.equivalentDiameter_um.length).toBe(2);
    expect(psd.d50Volume_um).toBeCloseTo(Math.max(...psd.equivalentDiameter_um), 9);
  });
});
