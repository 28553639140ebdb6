import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume } from "../../../kernel-lib/src/volume";
import {
  label, componentSizes, componentsTouching, keepLargest, removeSmall, keepTouching,
  selectComponents, distanceTransform, erode, dilate, opening, closing, fillHoles, toMask,
} from "../../../kernel-lib/src/morphology";
import { peer, rng } from "./peer";

const SHAPE = [24, 28, 32] as const;
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];

/** Random 0/1 voxels with P(1) = p. */
function randomMask(seed: number, p: number, shape: readonly number[] = SHAPE): Uint8Array {
  const r = rng(seed);
  const n = shape[0] * shape[1] * shape[2];
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = r() < p ? 1 : 0;
  return m;
}

/** Random blobs: union of spheres, radius 2..5, at random centres (smooth shapes for the ball operations). */
function blobs(seed: number, count: number, shape: readonly number[] = SHAPE): Uint8Array {
  const r = rng(seed);
  const [nz, ny, nx] = shape;
  const m = new Uint8Array(nz * ny * nx);
  for (let k = 0; k < count; k++) {
    const cz = r() * nz, cy = r() * ny, cx = r() * nx, rad = 2 + 3 * r();
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= rad * rad) m[(z * ny + y) * nx + x] = 1;
    }
  }
  return m;
}

describe("label (connected components)", () => {
  const masks = [randomMask(1, 0.3), randomMask(2, 0.5)];
  // One Python run for all the reference labellings: SciPy numbers components in raster order, as we do.
  const ref = peer(`
import scipy.ndimage as ndi
J = {}
for name in ["m0", "m1"]:
    for c, s in [(6, ndi.generate_binary_structure(3, 1)), (18, ndi.generate_binary_structure(3, 2)), (26, ndi.generate_binary_structure(3, 3))]:
        l, n = ndi.label(I[name], structure=s)
        out(f"{name}_{c}", l)
        J[f"{name}_{c}"] = int(n)
`, {
    m0: { data: masks[0], shape: SHAPE },
    m1: { data: masks[1], shape: SHAPE },
  });
  const counts = ref.json as Record<string, number>;

  for (const [mi, m] of masks.entries()) {
    for (const c of [6, 18, 26] as const) {
      it(`matches scipy.ndimage.label exactly (mask ${mi}, ${c}-connectivity)`, () => {
        const v = createVolume(m, SHAPE, [1, 1, 1]);
        const { labels, count } = label(v, { connectivity: c });
        expect(count).toBe(counts[`m${mi}_${c}`]);
        const r = ref.arrays[`m${mi}_${c}`];
        let diff = 0;
        for (let i = 0; i < N; i++) if (labels.data[i] !== r[i]) diff++;
        expect(diff).toBe(0);
        const sizes = componentSizes({ labels, count });
        const rs = new Float64Array(count + 1);
        for (let i = 0; i < N; i++) rs[r[i]]++;
        expect(Array.from(sizes)).toEqual(Array.from(rs));
      });
    }
  }

  it("labels one phase of a multi-phase volume, and by predicate", () => {
    const r = rng(3);
    const d = new Uint8Array(N);
    for (let i = 0; i < N; i++) d[i] = Math.floor(r() * 3) * 85;
    const v = createVolume(d, SHAPE);
    const a = label(v, { phase: 85, connectivity: 26 });
    const b = label(createVolume(d.map((x) => (x === 85 ? 1 : 0)), SHAPE), { connectivity: 26 });
    expect(a.count).toBe(b.count);
    expect(Array.from(a.labels.data)).toEqual(Array.from(b.labels.data));
    const c = label(v, { where: (x) => x === 85, connectivity: 26 });
    expect(Array.from(c.labels.data)).toEqual(Array.from(b.labels.data));
    expect(label(v, { phase: [0, 170] }).count).toBeGreaterThan(0);
  });

  it("keeps the largest, removes small ones, finds those touching faces", () => {
    // Three boxes: a big slab through z, a medium block touching x-, a single voxel.
    const shape = [10, 10, 10] as const;
    const d = new Uint8Array(1000);
    const set = (z: number, y: number, x: number) => { d[(z * 10 + y) * 10 + x] = 1; };
    for (let z = 0; z < 10; z++) for (let y = 0; y < 3; y++) for (let x = 4; x < 7; x++) set(z, y, x); // 90 voxels, z- to z+
    for (let z = 2; z < 5; z++) for (let y = 6; y < 9; y++) for (let x = 0; x < 2; x++) set(z, y, x); // 18 voxels, x-
    set(7, 7, 7); // 1 voxel
    const v = createVolume(d, shape);
    const comps = label(v);
    expect(comps.count).toBe(3);
    expect(Array.from(componentSizes(comps))).toEqual([1000 - 109, 90, 18, 1]);
    expect(Array.from(keepLargest(v).data).reduce((a, b) => a + b, 0)).toBe(90);
    expect(Array.from(removeSmall(v, { minSizeVoxels: 18 }).data).reduce((a, b) => a + b, 0)).toBe(108);
    expect(Array.from(removeSmall(createVolume(d, shape, [2, 2, 2]), { minVolume_um3: 8 * 18 + 1 }).data).reduce((a, b) => a + b, 0)).toBe(90);
    expect(componentsTouching(comps, ["z-", "z+"])).toEqual([1]);
    expect(componentsTouching(comps, ["x-", "z+"], { mode: "any" })).toEqual([1, 2]);
    expect(componentsTouching(comps, ["x-"])).toEqual([2]);
    expect(componentsTouching(comps.labels, ["y-"])).toEqual([1]);
    expect(Array.from(keepTouching(v, { faces: ["z-", "z+"] }).data).reduce((a, b) => a + b, 0)).toBe(90);
    expect(Array.from(selectComponents(comps, [2, 3]).data).reduce((a, b) => a + b, 0)).toBe(19);
  });

  it("rejects bad input with TomolyteError", () => {
    const v = createVolume(new Uint8Array(8), [2, 2, 2]);
    expect(() => label(v, { connectivity: 4 as 6 })).toThrowError(TomolyteError);
    expect(() => componentsTouching(label(v), ["q" as "z-"])).toThrowError(/faces/);
    expect(() => componentSizes(createVolume(new Float32Array([0.5, 1, 0, 0, 0, 0, 0, 0]), [2, 2, 2]))).toThrowError(/greyscale/);
    expect(() => removeSmall(v, {})).toThrowError(TomolyteError);
    expect(label(v).count).toBe(0);
    const ac = new AbortController();
    ac.abort();
    expect(() => label(v, { signal: ac.signal })).toThrowError(/cancelled/);
    expect(() => distanceTransform(v, { signal: ac.signal })).toThrowError(/cancelled/);
    // A greyscale float volume where a mask is expected: say so instead of labelling "non-zero".
    const grey = createVolume(new Float32Array([0.2, 0.7, 0, 1, 0.5, 0.1, 0.9, 0.3]), [2, 2, 2]);
    expect(() => label(grey)).toThrowError(/greyscale/);
    expect(() => distanceTransform(grey)).toThrowError(/greyscale/);
    expect(label(grey, { where: (x) => x > 0.4 }).count).toBeGreaterThan(0);
    // A float 0/1 mask is fine: voxels 1, 2 and 7 touch only diagonally, so 3 components (6-connected).
    expect(label(createVolume(new Float32Array([0, 1, 1, 0, 0, 0, 0, 1]), [2, 2, 2])).count).toBe(3);
  });
});

describe("distanceTransform", () => {
  const m = randomMask(4, 0.93);
  const sp = [0.7, 1.3, 0.4] as const;
  const ref = peer(`
import scipy.ndimage as ndi
out("iso", ndi.distance_transform_edt(I["m"]))
d, ind = ndi.distance_transform_edt(I["m"], sampling=${JSON.stringify(sp)}, return_indices=True)
out("aniso", d)
`, { m: { data: m, shape: SHAPE } });

  it("equals scipy.ndimage.distance_transform_edt within 1e-5 (isotropic and anisotropic)", () => {
    // float64 output: the only error is rounding in the envelope intersections (~1e-15 relative).
    const iso = distanceTransform(createVolume(m, SHAPE, sp), { unit: "voxels", dtype: "float64" }).distance.data;
    const an = distanceTransform(createVolume(m, SHAPE, sp), { dtype: "float64" }).distance.data;
    let e1 = 0, e2 = 0;
    for (let i = 0; i < N; i++) {
      e1 = Math.max(e1, Math.abs(iso[i] - ref.arrays.iso[i]));
      e2 = Math.max(e2, Math.abs(an[i] - ref.arrays.aniso[i]));
    }
    expect(e1).toBeLessThan(1e-5);
    expect(e2).toBeLessThan(1e-5);
    // float32 output (the default): distances up to ~10 µm, float32 rounding ~1e-6.
    const f32 = distanceTransform(createVolume(m, SHAPE, sp)).distance.data;
    let e3 = 0;
    for (let i = 0; i < N; i++) e3 = Math.max(e3, Math.abs(f32[i] - ref.arrays.aniso[i]));
    expect(f32).toBeInstanceOf(Float32Array);
    expect(e3).toBeLessThan(1e-5);
  });

  it("returns nearest-background indices whose distance is the distance", () => {
    const { distance, indices } = distanceTransform(createVolume(m, SHAPE, sp), { dtype: "float64", returnIndices: true });
    const [nz, ny, nx] = SHAPE;
    let err = 0, notBackground = 0;
    for (let i = 0; i < N; i++) {
      const j = indices!.data[i];
      if (m[j] !== 0) notBackground++;
      const z = Math.floor(i / (ny * nx)), y = Math.floor(i / nx) % ny, x = i % nx;
      const z2 = Math.floor(j / (ny * nx)), y2 = Math.floor(j / nx) % ny, x2 = j % nx;
      const d = Math.hypot((z - z2) * sp[0], (y - y2) * sp[1], (x - x2) * sp[2]);
      err = Math.max(err, Math.abs(d - distance.data[i]));
    }
    expect(notBackground).toBe(0);
    expect(err).toBeLessThan(1e-9);
    void nz;
  });

  it("is analytic for a single background voxel and a half space", () => {
    const shape = [9, 9, 9] as const;
    const d = new Uint8Array(729).fill(1);
    d[(4 * 9 + 4) * 9 + 4] = 0;
    const out = distanceTransform(createVolume(d, shape, [2, 1, 0.5]), { dtype: "float64" }).distance.data;
    expect(out[(0 * 9 + 0) * 9 + 0]).toBeCloseTo(Math.hypot(8, 4, 2), 12);
    expect(out[(4 * 9 + 4) * 9 + 8]).toBeCloseTo(2, 12);
    const all = distanceTransform(createVolume(new Uint8Array(8).fill(1), [2, 2, 2])).distance.data;
    expect(all[0]).toBe(Infinity);
    const phase = distanceTransform(createVolume(new Uint8Array([3, 3, 0, 3, 3, 3, 3, 3]), [1, 1, 8]), { phase: 3 }).distance.data;
    expect(Array.from(phase)).toEqual([2, 1, 0, 1, 2, 3, 4, 5]);
  });
});

describe("binary morphology by a ball", () => {
  const m = blobs(5, 14);
  const holes = m.slice();
  // Punch a few enclosed holes into the foreground, and one reaching the border.
  const r = rng(9);
  for (let k = 0; k < 40; k++) holes[Math.floor(r() * N)] = 0;
  const ref = peer(`
import scipy.ndimage as ndi
def ball(r):
    R = int(np.floor(r)); g = np.mgrid[-R:R+1, -R:R+1, -R:R+1]
    return (g ** 2).sum(0) <= r * r
for r in [1, 2, 3.5]:
    b = ball(r); k = str(r).replace(".", "_")
    out("e" + k, ndi.binary_erosion(I["m"], structure=b))
    out("d" + k, ndi.binary_dilation(I["m"], structure=b))
    out("o" + k, ndi.binary_opening(I["m"], structure=b))
    out("c" + k, ndi.binary_closing(I["m"], structure=b))
out("fill6", ndi.binary_fill_holes(I["h"]))
out("fill26", ndi.binary_fill_holes(I["h"], structure=np.ones((3,3,3))))
`, { m: { data: m, shape: SHAPE }, h: { data: holes, shape: SHAPE } });

  const mismatch = (a: Uint8Array, b: Float64Array) => { let c = 0; for (let i = 0; i < N; i++) if (a[i] !== b[i]) c++; return c; };

  for (const rad of [1, 2, 3.5]) {
    it(`erosion, dilation, opening, closing equal SciPy's with a ball of radius ${rad}`, () => {
      const v = createVolume(m, SHAPE, [0.5, 0.5, 0.5]);
      const k = String(rad).replace(".", "_");
      expect(mismatch(erode(v, { radiusVoxels: rad }).data, ref.arrays["e" + k])).toBe(0);
      expect(mismatch(dilate(v, { radiusVoxels: rad }).data, ref.arrays["d" + k])).toBe(0);
      expect(mismatch(opening(v, { radiusVoxels: rad }).data, ref.arrays["o" + k])).toBe(0);
      expect(mismatch(closing(v, { radiusVoxels: rad }).data, ref.arrays["c" + k])).toBe(0);
      // The same ball given in µm (isotropic 0.5 µm voxels).
      expect(mismatch(erode(v, { radius_um: rad * 0.5 }).data, ref.arrays["e" + k])).toBe(0);
    });
  }

  it("fills holes like scipy.ndimage.binary_fill_holes", () => {
    const v = createVolume(holes, SHAPE);
    expect(mismatch(fillHoles(v).data, ref.arrays.fill6)).toBe(0);
    expect(mismatch(fillHoles(v, { connectivity: 26 }).data, ref.arrays.fill26)).toBe(0);
  });

  it("needs a radius, and never changes its input", () => {
    const v = createVolume(m.slice(), SHAPE);
    expect(() => erode(v, {} as never)).toThrowError(TomolyteError);
    expect(() => dilate(v, { radiusVoxels: -1 })).toThrowError(TomolyteError);
    dilate(v, { radiusVoxels: 2 });
    expect(Array.from(v.data)).toEqual(Array.from(m));
    expect(Array.from(toMask(createVolume(new Uint16Array([0, 5, 7, 0]), [1, 1, 4]), { phase: 7 }).data)).toEqual([0, 0, 1, 0]);
    // borderValue 1: a full volume does not erode from its border.
    const full = createVolume(new Uint8Array(125).fill(1), [5, 5, 5]);
    expect(Array.from(erode(full, { radiusVoxels: 1, borderValue: 1 }).data).every((x) => x === 1)).toBe(true);
    expect(erode(full, { radiusVoxels: 1 }).data[0]).toBe(0);
  });
});
