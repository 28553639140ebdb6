import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume } from "../../../kernel-lib/src/volume";
import { distanceTransform, hMaxima } from "../../../kernel-lib/src/morphology";
import { watershed, separateParticles } from "../../../kernel-lib/src/segment";
import { peer, rng } from "../morphology/peer";

const SHAPE = [30, 34, 56] as const;
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];

function spheres(list: Array<[number, number, number, number]>, shape: readonly number[] = SHAPE): Uint8Array {
  const [nz, ny, nx] = shape;
  const m = new Uint8Array(nz * ny * nx);
  for (const [cz, cy, cx, r] of list) {
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= r * r) m[(z * ny + y) * nx + x] = 1;
    }
  }
  return m;
}

describe("watershed", () => {
  // Two spheres of radius 10 whose centres are 16 voxels apart: a neck of radius 6 at x = 26.
  const two = spheres([[15, 17, 18, 10], [15, 17, 34, 10]]);

  it("splits two touching spheres at the neck, like skimage.segmentation.watershed", () => {
    const v = createVolume(two, SHAPE);
    const { distance } = distanceTransform(v, { dtype: "float64" });
    const markers = hMaxima(distance, { h: 1, mask: v });
    expect(markers.count).toBe(2);
    const neg = createVolume(Float64Array.from(distance.data, (x) => -x), SHAPE);
    const ours6 = watershed(neg, markers, { mask: v });
    const ours26 = watershed(neg, markers, { mask: v, connectivity: 26 });
    const ref = peer(`
from skimage.segmentation import watershed
import scipy.ndimage as ndi
d = ndi.distance_transform_edt(I["m"])
out("w6", watershed(-d, I["k"].astype(np.int32), connectivity=1, mask=I["m"].astype(bool)))
out("w26", watershed(-d, I["k"].astype(np.int32), connectivity=3, mask=I["m"].astype(bool)))
`, { m: { data: two, shape: SHAPE }, k: { data: markers.labels.data, shape: SHAPE } });
    // Same image, same markers, same queue rules and neighbour order: the partitions agree voxel for voxel
    // (measured: 0 of 57120 differ, for 6- and 26-connectivity).
    for (const [ours, theirs] of [[ours6, ref.arrays.w6], [ours26, ref.arrays.w26]] as const) {
      let diff = 0;
      for (let i = 0; i < N; i++) if (ours.data[i] !== theirs[i]) diff++;
      expect(diff).toBe(0);
    }
    // The split is at the neck: left of x = 26 is one label, right of it the other.
    const [, ny, nx] = SHAPE;
    let wrong = 0;
    for (let i = 0; i < N; i++) {
      if (!two[i]) { if (ours26.data[i] !== 0) wrong++; continue; }
      const x = i % nx;
      if (x < 25 && ours26.data[i] !== ours26.data[(15 * ny + 17) * nx + 18]) wrong++;
      if (x > 27 && ours26.data[i] !== ours26.data[(15 * ny + 17) * nx + 34]) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it("separates a phantom of touching spheres into exactly their number", () => {
    // Seven spheres on a jittered grid, neighbours overlapping by 10-30% of the radius.
    const r = rng(21);
    const list: Array<[number, number, number, number]> = [];
    for (const [cz, cy, cx] of [[10, 10, 10], [10, 10, 25], [10, 24, 12], [10, 24, 27], [22, 16, 18], [22, 16, 40], [10, 16, 44]]) {
      list.push([cz + r() - 0.5, cy + r() - 0.5, cx + r() - 0.5, 7 + r()]);
    }
    const m = spheres(list);
    const res = separateParticles(createVolume(m, SHAPE, [0.5, 0.5, 0.5]));
    expect(res.count).toBe(7);
    // Every sphere centre gets a different label.
    const [, ny, nx] = SHAPE;
    const at = list.map(([z, y, x]) => res.labels.data[(Math.round(z) * ny + Math.round(y)) * nx + Math.round(x)]);
    expect(new Set(at).size).toBe(7);
    expect(at.every((l) => l > 0)).toBe(true);
  });

  it("float32 maps with many ties and many markers: voxel for voxel skimage's order", () => {
    // The raw distance map of a pore space has many equal values (FIFO ties decide),
    // its gaussian-smoothed copy almost none (the level bitset decides): both paths of
    // the bucket queue, on float32 values (the 32-bit radix keys).
    const r = rng(9);
    const shape = [24, 30, 32] as const;
    const n = shape[0] * shape[1] * shape[2];
    const list: Array<[number, number, number, number]> = [];
    for (let k = 0; k < 40; k++) list.push([r() * 24, r() * 30, r() * 32, 2 + 4 * r()]);
    const pore = spheres(list, shape);
    const v = createVolume(pore, shape);
    const { distance } = distanceTransform(v, { dtype: "float32" });
    const neg = Float32Array.from(distance.data, (x) => -x);
    const smooth = new Float32Array(n);
    // A cheap 1-2-1 smoothing along x: distinct values without needing another module.
    for (let i = 1; i < n - 1; i++) smooth[i] = pore[i] ? Math.fround(-(distance.data[i - 1] + 2 * distance.data[i] + distance.data[i + 1]) / 4) : 0;
    const markers = new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < n; i += 97) if (pore[i]) markers[i] = ++k;
    // scikit-image queues every marker with age 0, so markers of equal value leave its
    // heap in an order of the heap's own making; distinct marker values keep that out.
    for (let i = 0; i < n; i++) if (markers[i]) { neg[i] -= markers[i] * 1e-3; smooth[i] -= markers[i] * 1e-3; }
    const ours = [neg, smooth].map((img) => watershed(createVolume(img, shape), createVolume(markers, shape), { mask: v }).data);
    const ref = peer(`
from skimage.segmentation import watershed
m = I["m"].astype(bool)
out("raw", watershed(I["neg"], I["k"].astype(np.int32), mask=m))
out("smooth", watershed(I["smooth"], I["k"].astype(np.int32), mask=m))
`, { m: { data: pore, shape }, neg: { data: neg, shape }, smooth: { data: smooth, shape }, k: { data: markers, shape } });
    for (const [name, o] of [["raw", ours[0]], ["smooth", ours[1]]] as const) {
      let diff = 0;
      for (let i = 0; i < n; i++) if (o[i] !== ref.arrays[name][i]) diff++;
      expect(diff, name).toBe(0);
    }
    expect(k).toBeGreaterThan(20);
  });

  it("more than 65 536 distinct values (the radix-sort ranking): float64 and float32, as skimage", () => {
    // Up to 65 536 distinct values are ranked through a hash table; beyond, by the LSD
    // radix sort. A random 42³ image (74 088 voxels, all values distinct) takes the latter.
    const r = rng(17);
    const shape = [42, 42, 42] as const;
    const n = shape[0] * shape[1] * shape[2];
    const img64 = Float64Array.from({ length: n }, () => r() * 2 - 1);
    const img32 = Float32Array.from(img64);
    const markers = new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < n; i += 251) markers[i] = ++k;
    const mask = Uint8Array.from({ length: n }, () => (r() < 0.95 ? 1 : 0)); // ~70 000 flooded voxels
    const ours = [img64, img32].map((img) =>
      watershed(createVolume(img, shape), createVolume(markers, shape), { mask: createVolume(mask, shape), connectivity: 26 }).data);
    const ref = peer(`
from skimage.segmentation import watershed
m = I["m"].astype(bool)
out("f64", watershed(I["a"], I["k"].astype(np.int32), mask=m, connectivity=3))
out("f32", watershed(I["b"], I["k"].astype(np.int32), mask=m, connectivity=3))
`, { m: { data: mask, shape }, a: { data: img64, shape }, b: { data: img32, shape }, k: { data: markers, shape } });
    for (const [name, o] of [["f64", ours[0]], ["f32", ours[1]]] as const) {
      let diff = 0;
      for (let i = 0; i < n; i++) if (o[i] !== ref.arrays[name][i]) diff++;
      expect(diff, name).toBe(0);
    }
  });

  it("floods plateaus from both sides (FIFO ties) and respects the mask", () => {
    // A flat 1 × 1 × 9 line with markers at both ends: the plateau is shared evenly.
    const img = createVolume(new Float32Array(9), [1, 1, 9]);
    const mk = createVolume(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 2]), [1, 1, 9]);
    expect(Array.from(watershed(img, mk).data)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
    const mask = createVolume(new Uint8Array([1, 1, 1, 0, 1, 1, 1, 1, 1]), [1, 1, 9]);
    expect(Array.from(watershed(img, mk, { mask }).data)).toEqual([1, 1, 1, 0, 2, 2, 2, 2, 2]);
    expect(() => watershed(img, createVolume(new Uint8Array(9), [1, 1, 9]))).toThrowError(/marker/);
    expect(() => watershed(img, img)).toThrowError(TomolyteError);
  });
});
