import { describe, expect, test } from "vitest";
import { createVolume, labelVolume, crop } from "../../../kernel-lib/src/volume";
import { read } from "../../../kernel-lib/src/io";
import { specificSurfaceArea, triplePhaseBoundary, volumeFractions, isosurfaceArea } from "../../../kernel-lib/src/metrics";
import { maskSurfaceArea } from "../../../kernel-lib/src/metrics/marchingCubes";
import { SAMPLE, ball, phantom, pythonWith } from "./helpers";

const AREA_PEER = `
from skimage import measure
out = {}
for k, m in A.items():
    m = m.astype(float)
    r = {}
    for meth in ("lewiner", "lorensen"):
        v, f, _, _ = measure.marching_cubes(m, 0.5, method=meth)
        r[meth] = float(measure.mesh_surface_area(v, f))
    out[k] = r
print(json.dumps(out))
`;

describe("marching cubes and face counting on analytic shapes", () => {
  test("sphere r = 10, 12: MC equals skimage; MC ≈ 1.09 × 4πr² (staircase), face counting ≈ 1.5 × 4πr² (reported, not hidden)", () => {
    const n = 32;
    const found: Record<string, number>[] = [];
    const radii = [10, 12];
    const masks = radii.map((r) => ball([n, n, n], [15.3, 15.6, 15.1], r));
    // One Python call for both balls (importing skimage dominates the peer's time).
    const peers = pythonWith<Record<string, { lewiner: number; lorensen: number }>>(
      Object.fromEntries(masks.map((m, k) => [`r${radii[k]}`, { data: m, shape: [n, n, n] }])),
      AREA_PEER,
    );
    radii.forEach((r, k) => {
      const m = masks[k];
      const s = specificSurfaceArea(createVolume(m, [n, n, n]), { phases: [1] });
      const total = n ** 3;
      const mc = s.phases[0].specificSurfaceArea_per_um * total;
      const fc = s.phases[0].specificSurfaceAreaFaceCount_per_um * total;
      const exact = 4 * Math.PI * r * r;
      const peer = peers[`r${r}`];
      // skimage keeps vertices in float32: agreement to 1e-6 relative.
      expect(Math.abs(mc / peer.lewiner - 1)).toBeLessThan(1e-6);
      expect(Math.abs(mc / peer.lorensen - 1)).toBeLessThan(1e-6);
      // Unsmoothed marching cubes of a 0/1 sphere overestimates the area by ~6-10%.
      expect(mc / exact).toBeGreaterThan(1.04);
      expect(mc / exact).toBeLessThan(1.12);
      // Face counting: the staircase area, ~1.5× (the mean |n_x|+|n_y|+|n_z| over a sphere is 3/2).
      expect(fc / exact).toBeGreaterThan(1.4);
      expect(fc / exact).toBeLessThan(1.6);
      // With the optional Gaussian smoothing (sigma 0.8 voxel) the marching-cubes area is within 1% of 4πr²
      // (measured 0.992–1.002 for r = 10–16; sigma 1 gives 0.98–0.995: the blur moves the 0.5 level inward).
      const sm = specificSurfaceArea(createVolume(m, [n, n, n]), { phases: [1], smoothSigmaVoxels: 0.8, interfaces: false });
      const smooth = sm.phases[0].surfaceArea_um2;
      expect(Math.abs(smooth / exact - 1)).toBeLessThan(0.01);
      found.push({ r, exact, mc, skimage: peer.lewiner, fc, smooth, mcRatio: mc / exact, fcRatio: fc / exact, smoothRatio: smooth / exact });
    });
    console.log("sphere areas", JSON.stringify(found));
  });

  test("cube 10³: face counting exact (600), marching cubes exact for its chamfered cube", () => {
    const n = 20;
    const m = phantom([n, n, n], (z, y, x) => z >= 5 && z < 15 && y >= 5 && y < 15 && x >= 5 && x < 15);
    const s = specificSurfaceArea(createVolume(m, [n, n, n]), { phases: [1] });
    expect(s.phases[0].faceCount).toBe(600);
    // Flat faces 9×9, 12 edge bevels 9 × √2/2 wide, 8 corner triangles of side √2/2.
    const exact = 6 * 81 + 12 * 9 * Math.SQRT1_2 + 8 * (Math.sqrt(3) / 4) * 0.5;
    expect(s.phases[0].surfaceArea_um2).toBeCloseTo(exact, 9);
  });

  test("slab: both methods exact, open at the border, anisotropic spacing scales each axis", () => {
    const n = 20;
    const m = phantom([n, n, n], (z) => z >= 5 && z < 15);
    const iso = specificSurfaceArea(createVolume(m, [n, n, n]), { phases: [1] });
    expect(iso.phases[0].surfaceArea_um2).toBeCloseTo(2 * 19 * 19, 9); // cubes span 19 voxel pitches
    expect(iso.phases[0].surfaceAreaFaceCount_um2).toBe(2 * 20 * 20);
    const sp = [2, 0.5, 0.25] as const;
    const an = specificSurfaceArea(createVolume(m, [n, n, n], sp), { phases: [1] });
    expect(an.phases[0].surfaceArea_um2).toBeCloseTo(2 * 19 * 0.5 * 19 * 0.25, 9);
    expect(an.phases[0].surfaceAreaFaceCount_um2).toBeCloseTo(2 * 20 * 20 * 0.5 * 0.25, 9);
    expect(an.totalVolume_um3).toBeCloseTo(n ** 3 * 0.25, 9);
    // A slab normal to x measures dz·dy areas.
    const mx = phantom([n, n, n], (_z, _y, x) => x >= 5 && x < 15);
    const ax = specificSurfaceArea(createVolume(mx, [n, n, n], sp), { phases: [1] });
    expect(ax.phases[0].surfaceArea_um2).toBeCloseTo(2 * 19 * 2 * 19 * 0.5, 9);
    expect(ax.phases[0].specificSurfaceAreaFaceCount_per_um).toBeCloseTo((2 * 20 * 20 * 2 * 0.5) / (n ** 3 * 0.25), 12);
  });

  test("anisotropic sphere (ellipsoid in voxels, sphere in µm): area scales with spacing like skimage's spacing", () => {
    const n = 28;
    // Radius 10 µm with spacing [1, 0.8, 0.8] → semi-axes 10, 12.5, 12.5 voxels (the last two clipped to n).
    const sp = [1, 0.8, 0.8] as const;
    const m = phantom([n, 34, 34], (z, y, x) => ((z - 13.5) * sp[0]) ** 2 + ((y - 16.7) * sp[1]) ** 2 + ((x - 16.4) * sp[2]) ** 2 <= 100);
    const s = specificSurfaceArea(createVolume(m, [n, 34, 34], sp), { phases: [1], interfaces: false });
    const peer = pythonWith<number>({ m: { data: m, shape: [n, 34, 34] } }, `
from skimage import measure
v, f, _, _ = measure.marching_cubes(A["m"].astype(float), 0.5, spacing=(1, 0.8, 0.8))
print(json.dumps(float(measure.mesh_surface_area(v, f))))
`);
    expect(Math.abs(s.phases[0].surfaceArea_um2 / peer - 1)).toBeLessThan(1e-6);
  });

  test("isosurfaceArea interpolates: a linear ramp crossing 0.5 gives a flat plane", () => {
    const n = 10;
    const d = new Float32Array(n * n * n);
    for (let i = 0; i < d.length; i++) d[i] = (Math.floor(i / (n * n)) - 4.3) / 9; // z ramp, 0.5 at z = 8.8
    const a = isosurfaceArea(createVolume(d, [n, n, n], [1, 2, 3]), { level: 0.5 });
    expect(a).toBeCloseTo(9 * 2 * 9 * 3, 6);
  });
});

describe("three-phase volumes", () => {
  test("interfaces: face counts add up per phase; MC interfaces of a two-phase volume equal the phase surface", () => {
    const n = 24;
    const d = phantom([n, n, n], (z, y, x) => (x - 11) ** 2 + (y - 12) ** 2 + (z - 11.5) ** 2 < 49, 1);
    const b2 = phantom([n, n, n], (z, y) => z >= 16 && y < 12, 2);
    for (let i = 0; i < d.length; i++) if (b2[i] && !d[i]) d[i] = 2;
    const s = specificSurfaceArea(createVolume(d, [n, n, n], [0.5, 0.5, 0.5]));
    for (const p of s.phases) {
      const sum = s.interfaces
        .filter((f) => f.valueA === p.value || f.valueB === p.value)
        .reduce((a, f) => a + f.areaFaceCount_um2, 0);
      expect(sum).toBeCloseTo(p.surfaceAreaFaceCount_um2, 9);
      // MC: S_A ≈ Σ interfaces of A (inclusion–exclusion is exact up to the junction lines).
      const mc = s.interfaces.filter((f) => f.valueA === p.value || f.valueB === p.value).reduce((a, f) => a + f.area_um2, 0);
      expect(Math.abs(mc / p.surfaceArea_um2 - 1)).toBeLessThan(0.03);
    }
    // The one-pass union areas equal marching cubes on each union's own mask.
    for (const f of s.interfaces) {
      const u = d.map((v) => (v === f.valueA || v === f.valueB ? 1 : 0));
      const su = maskSurfaceArea(u, [n, n, n], [0.5, 0.5, 0.5]);
      const pa = s.phases.find((p) => p.value === f.valueA)!.surfaceArea_um2;
      const pb = s.phases.find((p) => p.value === f.valueB)!.surfaceArea_um2;
      expect(f.area_um2).toBeCloseTo((pa + pb - su) / 2, 9);
      expect(pa).toBeCloseTo(maskSurfaceArea(d.map((v) => (v === f.valueA ? 1 : 0)), [n, n, n], [0.5, 0.5, 0.5]), 9);
    }
    const two = phantom([n, n, n], (z, y, x) => (x - 11) ** 2 + (y - 12) ** 2 + (z - 11.5) ** 2 < 49, 1);
    const t = specificSurfaceArea(createVolume(two, [n, n, n]));
    expect(t.interfaces).toHaveLength(1);
    expect(t.interfaces[0].area_um2).toBeCloseTo((t.phases[0].surfaceArea_um2 + t.phases[1].surfaceArea_um2) / 2, 9);
  });

  test("triple-phase boundary: a straight triple line along z has length nz·dz", () => {
    const [nz, ny, nx] = [7, 8, 8];
    const d = phantom([nz, ny, nx], (_z, y, x) => y < 4 && x >= 4, 1);
    const c = phantom([nz, ny, nx], (_z, y) => y >= 4, 2);
    for (let i = 0; i < d.length; i++) d[i] |= c[i];
    const t = triplePhaseBoundary(createVolume(d, [nz, ny, nx], [0.7, 1, 1]), { phases: [0, 1, 2] });
    expect(t.edgeCount).toEqual([nz, 0, 0]);
    expect(t.length_um).toBeCloseTo(nz * 0.7, 12);
    expect(t.density_per_um2).toBeCloseTo((nz * 0.7) / (nz * ny * nx * 0.7), 12);
  });

  test("TauFactor electrode 256³: volume fractions and face-counting SSA equal TauFactor 2's published values", async () => {
    const v = await read(SAMPLE, { spacing_um: [1, 1, 1] });
    const labels = labelVolume(v as never, [
      { value: 0, name: "pore", color: "#000000" },
      { value: 85, name: "NMC", color: "#E69F00" },
      { value: 170, name: "CBD", color: "#56B4E9" },
    ]);
    const vf = volumeFractions(labels);
    expect(vf.phases.map((p) => +p.volumeFraction.toFixed(6))).toEqual([0.449917, 0.400466, 0.149616]);
    expect(vf.porosity).toBeCloseTo(0.449917, 6);
    const t0 = performance.now();
    const s = specificSurfaceArea(labels, { interfaces: false });
    const ms = performance.now() - t0;
    expect(s.phases.map((p) => +p.specificSurfaceAreaFaceCount_per_voxel.toFixed(5))).toEqual([0.30684, 0.1461, 0.34223]);
    const tpb = triplePhaseBoundary(labels);
    console.log("electrode 256³ SSA (MC per voxel):", s.phases.map((p) => p.specificSurfaceArea_per_um), "face count:",
      s.phases.map((p) => p.specificSurfaceAreaFaceCount_per_voxel), `time ${ms.toFixed(0)} ms`, "TPB density /voxel²:", tpb.density_per_um2);
    expect(ms).toBeLessThan(20_000); // generous on a shared 2-core CI machine; the bench measures speed
  });

  test("TauFactor electrode 96³ crop: marching cubes vs skimage per phase", async () => {
    const v = await read(SAMPLE, { spacing_um: [1, 1, 1] });
    const c = crop(v, { z: [0, 96], y: [0, 96], x: [0, 96] });
    const s = specificSurfaceArea(c, { interfaces: false });
    const masks: Record<string, { data: Uint8Array; shape: number[] }> = {};
    for (const p of [0, 85, 170]) masks[`p${p}`] = { data: (c.data as Uint8Array).map((x) => (x === p ? 1 : 0)), shape: [96, 96, 96] };
    const peer = pythonWith<Record<string, { lewiner: number; lorensen: number }>>(masks, AREA_PEER);
    const rows = s.phases.map((p) => ({
      value: p.value, ours: p.surfaceArea_um2, lorensen: peer[`p${p.value}`].lorensen, lewiner: peer[`p${p.value}`].lewiner,
    }));
    console.log("electrode 96³ MC areas vs skimage", JSON.stringify(rows));
    for (const r of rows) {
      // Same face rule as skimage's Lorensen tables on these data: within 0.1%.
      expect(Math.abs(r.ours / r.lorensen - 1)).toBeLessThan(1e-3);
      // Lewiner resolves degenerate ambiguous faces (values exactly at 0.5) with tunnels: up to ~4% more on thin CBD.
      expect(r.ours / r.lewiner).toBeGreaterThan(0.95);
      expect(r.ours / r.lewiner).toBeLessThan(1.001);
    }
  });
});
