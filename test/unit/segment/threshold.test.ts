import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume } from "../../../kernel-lib/src/volume";
import { otsuThreshold, multiOtsuThresholds, applyThresholds, greyHistogram } from "../../../kernel-lib/src/segment";
import { gauss, peer, rng } from "../morphology/peer";

const SHAPE = [16, 24, 32] as const;
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];

/** Three (or more) Gaussian grey populations: means, sd, weights. */
function mixture(seed: number, means: number[], sd: number): Float64Array {
  const r = rng(seed);
  const g = gauss(r);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = means[Math.floor(r() * means.length)] + sd * g();
  return out;
}

describe("Otsu and multi-Otsu vs scikit-image 0.19", () => {
  const base = mixture(11, [40, 90, 160, 200], 12);
  const u8 = Uint8Array.from(base, (x) => Math.max(0, Math.min(255, Math.round(x))));
  // Narrow uint8 (about 100 grey values) keeps skimage's brute-force 5-class search quick.
  const u8n = Uint8Array.from(mixture(12, [60, 90, 110, 130, 150], 5), (x) => Math.max(0, Math.min(255, Math.round(x))));
  const u16 = Uint16Array.from(mixture(13, [1000, 1200, 1500], 40), (x) => Math.round(x));
  const f32 = Float32Array.from(mixture(14, [0.1, 0.35, 0.8], 0.07));
  const f64 = mixture(15, [-3, 0.5, 4, 7], 0.9);
  const ref = peer(`
from skimage.filters import threshold_otsu, threshold_multiotsu
J = {}
for k in ["u8", "u8n", "u16", "f32", "f64"]:
    a = I[k]
    J[k] = {"otsu": float(threshold_otsu(a))}
    for c in ([3, 4] if k in ("u8", "f32", "f64") else [3, 4, 5] if k == "u8n" else [3]):
        J[k][str(c)] = [float(t) for t in threshold_multiotsu(a, classes=c)]
`, {
    u8: { data: u8, shape: SHAPE }, u8n: { data: u8n, shape: SHAPE }, u16: { data: u16, shape: SHAPE },
    f32: { data: f32, shape: SHAPE }, f64: { data: f64, shape: SHAPE },
  });
  const J = ref.json as Record<string, Record<string, number | number[]>>;
  const data = { u8, u8n, u16, f32, f64 } as const;

  for (const [k, arr] of Object.entries(data)) {
    it(`equals skimage's thresholds exactly on ${k}`, () => {
      const v = createVolume(arr, SHAPE);
      // Same histogram, same criterion: the thresholds are the same bin centres, so equality is exact.
      expect(otsuThreshold(v)).toBe(J[k].otsu);
      for (const c of Object.keys(J[k]).filter((x) => x !== "otsu")) {
        expect(multiOtsuThresholds(v, { classes: Number(c) })).toEqual(J[k][c]);
      }
    });
  }

  it("two-class multi-Otsu is Otsu; applyThresholds gives labels in grey order", () => {
    const v = createVolume(u8, SHAPE);
    expect(multiOtsuThresholds(v, { classes: 2 })).toEqual([otsuThreshold(v)]);
    const t = multiOtsuThresholds(v, { classes: 3 });
    const lab = applyThresholds(v, t, { names: ["pore", "binder", "NMC"] });
    expect(lab.phases.map((p) => p.name)).toEqual(["pore", "binder", "NMC"]);
    for (let i = 0; i < N; i++) {
      const want = u8[i] > t[1] ? 2 : u8[i] > t[0] ? 1 : 0;
      if (lab.data[i] !== want) throw new Error(`voxel ${i}`);
    }
  });

  it("integer histograms have one bin per grey value", () => {
    const h = greyHistogram(createVolume(new Uint16Array([3, 5, 5, 9]), [1, 1, 4]));
    expect(Array.from(h.centers)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(h.counts)).toEqual([1, 0, 2, 0, 0, 0, 1]);
    // Signed 8/16-bit data: the same, negative values included (the one-pass table is offset).
    const s16 = greyHistogram(createVolume(new Int16Array([-32768, -2, 1, 1]), [1, 1, 4]));
    expect(s16.centers[0]).toBe(-32768);
    expect(s16.centers[s16.centers.length - 1]).toBe(1);
    expect(s16.counts.length).toBe(32770);
    expect([s16.counts[0], s16.counts[32766], s16.counts[32769]]).toEqual([1, 1, 2]);
    const s8 = greyHistogram(createVolume(new Int8Array([-1, 127, -1]), [1, 1, 3]));
    expect(Array.from(s8.centers.slice(0, 2))).toEqual([-1, 0]);
    expect([s8.counts[0], s8.counts[128], s8.counts.length]).toEqual([2, 1, 129]);
  });

  it("explains bad input", () => {
    const flat = createVolume(new Uint8Array(10).fill(7), [1, 1, 10]);
    expect(() => otsuThreshold(flat)).toThrowError(TomolyteError);
    expect(() => otsuThreshold(flat)).toThrowError(/single grey value/);
    const two = createVolume(new Uint8Array([1, 1, 2, 2]), [1, 1, 4]);
    expect(() => multiOtsuThresholds(two, { classes: 3 })).toThrowError(/fewer classes/);
    expect(multiOtsuThresholds(createVolume(new Uint8Array([1, 2, 2, 9]), [1, 1, 4]), { classes: 3 })).toEqual([1, 2]);
    expect(() => multiOtsuThresholds(two, { classes: 6 })).toThrowError(TomolyteError);
    expect(() => applyThresholds(two, [2, 1])).toThrowError(/ascending/);
    // A label volume where the greyscale scan is expected (the reverse mistake).
    const labels = applyThresholds(createVolume(u8, SHAPE), [100]);
    expect(() => otsuThreshold(labels)).toThrowError(/label volume/);
  });
});
