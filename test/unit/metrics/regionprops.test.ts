import { describe, expect, test } from "vitest";
import { createVolume } from "../../../kernel-lib/src/volume";
import { regionProperties } from "../../../kernel-lib/src/metrics";
import { pythonWith } from "./helpers";

/** Three ellipsoids with different semi-axes and orientations, labels 1..3, one touching the border. */
function ellipsoids(): { data: Uint16Array; shape: [number, number, number] } {
  const shape: [number, number, number] = [40, 44, 48];
  const [nz, ny, nx] = shape;
  const data = new Uint16Array(nz * ny * nx);
  const bodies = [
    { c: [12, 13, 14], a: [9, 5, 3], ang: 0.4 },
    { c: [26, 28, 30], a: [11, 6, 4], ang: -1.1 },
    { c: [4, 35, 8], a: [6, 4, 4], ang: 0.9 }, // cut by z = 0
  ];
  bodies.forEach((b, k) => {
    const cs = Math.cos(b.ang), sn = Math.sin(b.ang);
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      const dz = z - b.c[0], dy = y - b.c[1], dx = x - b.c[2];
      // Rotate in the z–x plane then tilt towards y.
      const u = cs * dz + sn * dx;
      const w = -sn * dz + cs * dx;
      const v = 0.8 * dy + 0.6 * w;
      const t = -0.6 * dy + 0.8 * w;
      if ((u / b.a[0]) ** 2 + (v / b.a[1]) ** 2 + (t / b.a[2]) ** 2 <= 1) data[(z * ny + y) * nx + x] = k + 1;
    }
  });
  return { data, shape };
}

describe("region properties vs skimage.measure.regionprops", () => {
  test("volume, centroid, bbox, equivalent diameter, inertia eigenvalues on labelled ellipsoids", () => {
    const { data, shape } = ellipsoids();
    const rp = regionProperties(createVolume(data, shape));
    expect(rp.count).toBe(3);
    const peer = pythonWith<{ area: number; centroid: number[]; bbox: number[]; ed: number; ev: number[] }[]>(
      { l: { data, shape } },
      `
from skimage import measure
out = []
for r in measure.regionprops(A["l"].astype(np.int32)):
    out.append({"area": float(r.area), "centroid": [float(c) for c in r.centroid], "bbox": [int(b) for b in r.bbox],
                "ed": float(r.equivalent_diameter), "ev": [float(e) for e in r.inertia_tensor_eigvals]})
print(json.dumps(out))
`,
    );
    const c = rp.columns;
    peer.forEach((p, j) => {
      expect(c.voxelCount[j]).toBe(p.area);
      expect(c.centroid_z[j]).toBeCloseTo(p.centroid[0], 9);
      expect(c.centroid_y[j]).toBeCloseTo(p.centroid[1], 9);
      expect(c.centroid_x[j]).toBeCloseTo(p.centroid[2], 9);
      expect([c.bbox_z0[j], c.bbox_y0[j], c.bbox_x0[j], c.bbox_z1[j], c.bbox_y1[j], c.bbox_x1[j]]).toEqual(p.bbox);
      expect(c.equivalentDiameter_um[j]).toBeCloseTo(p.ed, 9);
      // skimage's inertia tensor is tr(C)·I − C for the covariance C: its eigenvalues are tr(C) − λ(C).
      const lam = [c.majorAxisLength_um[j], c.intermediateAxisLength_um[j], c.minorAxisLength_um[j]].map((L) => (L / 2) ** 2 / 5);
      const tr = lam[0] + lam[1] + lam[2];
      const ev = [tr - lam[2], tr - lam[1], tr - lam[0]];
      for (let k = 0; k < 3; k++) expect(ev[k]).toBeCloseTo(p.ev[k], 8);
    });
    expect([...c.touchesBorder]).toEqual([0, 0, 1]);
  });

  test("axis lengths ≈ the ellipsoid's full axes, orientation, sphericity of a voxelised ball ≈ 0.92, spacing", () => {
    const { data, shape } = ellipsoids();
    const rp = regionProperties(createVolume(data, shape));
    const c = rp.columns;
    // Ellipsoid 2: semi-axes 11, 6, 4 → full axes 22, 12, 8 (voxelisation: within 5%).
    expect(Math.abs(c.majorAxisLength_um[1] / 22 - 1)).toBeLessThan(0.05);
    expect(Math.abs(c.intermediateAxisLength_um[1] / 12 - 1)).toBeLessThan(0.05);
    expect(Math.abs(c.minorAxisLength_um[1] / 8 - 1)).toBeLessThan(0.08);
    // Its major axis is the rotated u axis: (cos, 0, sin) of −1.1 in (z, y, x), sign-normalised.
    const u = [Math.cos(-1.1), 0, Math.sin(-1.1)];
    const dot = Math.abs(u[0] * c.majorAxis_z[1] + u[1] * c.majorAxis_y[1] + u[2] * c.majorAxis_x[1]);
    expect(dot).toBeGreaterThan(0.995);
    expect(c.majorAxisAngleToZ_deg[1]).toBeCloseTo((Math.acos(Math.abs(u[0])) * 180) / Math.PI, 0);

    // A voxelised ball: marching-cubes area is ~8% above 4πr², so sphericity ≈ 0.92.
    const n = 30;
    const ball = new Uint8Array(n * n * n);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++)
      if ((z - 14.5) ** 2 + (y - 14.5) ** 2 + (x - 14.5) ** 2 <= 144) ball[(z * n + y) * n + x] = 1;
    const b = regionProperties(createVolume(ball, [n, n, n], [0.5, 0.5, 0.5])).columns;
    expect(b.sphericity[0]).toBeGreaterThan(0.9);
    expect(b.sphericity[0]).toBeLessThan(0.95);
    expect(Math.abs(b.equivalentDiameter_um[0] / 12 - 1)).toBeLessThan(0.01);
    expect(b.centroid_z_um[0]).toBeCloseTo(7.5, 9); // (14.5 + 0.5) × 0.5 µm
    expect(Math.abs(b.majorAxisLength_um[0] / 12 - 1)).toBeLessThan(0.02);
  });

  test("anisotropic spacing: a ball in µm stored as an ellipsoid in voxels has three equal axes in µm", () => {
    const shape: [number, number, number] = [26, 50, 50];
    const sp = [1, 0.5, 0.5] as const; // radius 10 µm: 10 voxels along z, 20 along y and x
    const d = new Uint8Array(26 * 50 * 50);
    for (let z = 0; z < 26; z++) for (let y = 0; y < 50; y++) for (let x = 0; x < 50; x++)
      if (((z - 12.5) * sp[0]) ** 2 + ((y - 24.5) * sp[1]) ** 2 + ((x - 24.5) * sp[2]) ** 2 <= 100) d[(z * 50 + y) * 50 + x] = 1;
    const c = regionProperties(createVolume(d, shape, sp)).columns;
    for (const L of [c.majorAxisLength_um[0], c.intermediateAxisLength_um[0], c.minorAxisLength_um[0]]) expect(Math.abs(L / 20 - 1)).toBeLessThan(0.02);
    expect(Math.abs(c.equivalentDiameter_um[0] / 20 - 1)).toBeLessThan(0.01);
    expect(c.centroid_z_um[0]).toBeCloseTo(13, 9);
    expect(c.centroid_x_um[0]).toBeCloseTo(12.5, 9);
    // Surface area scales with the spacing too: sphericity as for an isotropic voxelised ball.
    expect(c.sphericity[0]).toBeGreaterThan(0.88);
    expect(c.sphericity[0]).toBeLessThan(0.96);
  });

  test("bad labels (negative, fractional) are refused with INVALID_ARGUMENT", () => {
    expect(() => regionProperties(createVolume(new Float32Array([0, 1.5, 2, 0]), [1, 2, 2]))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
