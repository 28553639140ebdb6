/** volume/resample.ts against NumPy (reshape-mean, slicing) and scipy.stats.mode. */
import { describe, expect, it } from "vitest";
import {
  TomolyteError,
  createVolume,
  downsample,
  downsampleFactorFor,
  downsampleLabels,
  labelVolume,
  volumeDType,
} from "../../../kernel-lib/src";
import { runPython } from "../../helpers/python";
import { rng, tempRaw } from "./helpers";

const shape = [9, 10, 11] as const; // not multiples of the factors: exercises partial blocks
const n = shape[0] * shape[1] * shape[2];

describe("downsample (block mean)", () => {
  const r = rng(1);
  const f32 = new Float32Array(n).map(() => r() * 1000 - 300);
  const u16 = new Uint16Array(n).map(() => Math.floor(r() * 65536));
  const vf = createVolume(f32, shape, [0.5, 0.25, 0.25]);
  const vu = createVolume(u16, shape, [1, 1, 1]);

  // NumPy peer: "trim" is reshape-mean exactly; "partial" averages each (possibly
  // partial) block, computed with np.add.reduceat over block starts / block sizes.
  const ref = runPython<Record<string, number[]>>(
    `import sys, json, numpy as np
f32 = np.fromfile(sys.argv[1], dtype="<f4").reshape(9, 10, 11).astype(np.float64)
u16 = np.fromfile(sys.argv[2], dtype="<u2").reshape(9, 10, 11).astype(np.float64)
def trim(a, f):
    s = [n // k for n, k in zip(a.shape, f)]
    b = a[:s[0]*f[0], :s[1]*f[1], :s[2]*f[2]]
    return b.reshape(s[0], f[0], s[1], f[1], s[2], f[2]).mean(axis=(1, 3, 5))
def partial(a, f):
    for ax, k in enumerate(f):
        starts = np.arange(0, a.shape[ax], k)
        sums = np.add.reduceat(a, starts, axis=ax)
        sizes = np.diff(np.append(starts, a.shape[ax]))
        sh = [1, 1, 1]; sh[ax] = -1
        a = sums / sizes.reshape(sh)
    return a
print(json.dumps({
  "trim_f32": trim(f32, (2, 3, 2)).ravel().tolist(),
  "partial_f32": partial(f32, (2, 3, 2)).ravel().tolist(),
  "partial_u16": partial(u16, (4, 4, 4)).ravel().tolist(),
  "trim_u16_shape": list(trim(u16, (4, 4, 4)).shape),
}))`,
    [tempRaw("f32.raw", f32), tempRaw("u16.raw", u16)],
  );

  it("edge 'trim' equals NumPy reshape-mean", () => {
    const d = downsample(vf, { factor: [2, 3, 2], edge: "trim" });
    expect(d.shape).toEqual([4, 3, 5]);
    expect(d.spacing).toEqual([1, 0.75, 0.5]);
    expect(volumeDType(d)).toBe("float32");
    // float32 output of a float64 mean: relative error <= 2^-24 of values up to 1000.
    ref.trim_f32.forEach((x, i) => expect(Math.abs(d.data[i] - x)).toBeLessThan(1e-4));
  });

  it("edge 'partial' (default) averages the partial last blocks", () => {
    const d = downsample(vf, [2, 3, 2]);
    expect(d.shape).toEqual([5, 4, 6]);
    expect(d.data.length).toBe(ref.partial_f32.length);
    ref.partial_f32.forEach((x, i) => expect(Math.abs(d.data[i] - x)).toBeLessThan(1e-4));
    const d64 = downsample(createVolume(Float64Array.from(f32), shape), [2, 3, 2]);
    expect(volumeDType(d64)).toBe("float64");
    ref.partial_f32.forEach((x, i) => expect(Math.abs(d64.data[i] - x)).toBeLessThan(1e-9));
  });

  it("dtype 'same' rounds to the nearest integer; default float32 keeps the fraction", () => {
    const same = downsample(vu, { factor: 4, dtype: "same" });
    expect(volumeDType(same)).toBe("uint16");
    expect(same.shape).toEqual([3, 3, 3]);
    // Means of integers are multiples of 1/64 here, never within 1e-9 of a .5 tie
    // except exact halves, which round up (away from zero).
    ref.partial_u16.forEach((x, i) => expect(same.data[i]).toBe(Math.floor(x + 0.5)));
    const fl = downsample(vu, 4);
    ref.partial_u16.forEach((x, i) => expect(Math.abs(fl.data[i] - x)).toBeLessThan(x * 1e-7 + 1e-3));
    expect(() => downsample(vu, { factor: 4, edge: "trim" })).not.toThrow();
    expect(downsample(vu, { factor: 4, edge: "trim" }).shape).toEqual(ref.trim_u16_shape);
  });

  it("rounds negative halves away from zero and clips to the dtype", () => {
    const v = createVolume(new Int8Array([-3, -2, 127, 126]), [1, 1, 4]);
    expect([...downsample(v, { factor: [1, 1, 2], dtype: "same" }).data]).toEqual([-3, 127]); // -2.5 -> -3, 126.5 -> 127
  });

  it("factor 1 is an exact copy; NaN blocks stay NaN; progress reaches 1", () => {
    const same = downsample(vf, 1);
    expect([...same.data]).toEqual([...f32]);
    const withNaN = Float32Array.from(f32);
    withNaN[0] = NaN;
    const progress: number[] = [];
    const d = downsample(createVolume(withNaN, shape), { factor: 2, onProgress: (p) => progress.push(p) });
    expect(Number.isNaN(d.data[0])).toBe(true);
    expect(Number.isNaN(d.data[1])).toBe(false);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it("refuses label volumes, bad factors and aborted signals with TomolyteErrors", () => {
    const lv = labelVolume(createVolume(new Uint8Array(8), [2, 2, 2]));
    expect(() => downsample(lv, 2)).toThrow(/downsampleLabels/);
    for (const bad of [0, 1.5, -2, [1, 2] as unknown as number, "2" as unknown as number]) {
      expect(() => downsample(vf, bad)).toThrow(TomolyteError);
    }
    expect(() => downsample(vf, { factor: 20, edge: "trim" })).toThrow(/nothing is left/);
    const ac = new AbortController();
    ac.abort();
    expect(() => downsample(vf, { factor: 2, signal: ac.signal })).toThrow(expect.objectContaining({ code: "CANCELLED" }));
  });
});

describe("downsampleLabels", () => {
  const r = rng(7);
  // Few labels with skewed frequencies (ties do happen in 2×2×2 blocks), values not contiguous.
  const values = [0, 3, 7, 200];
  const lab = new Uint8Array(n).map(() => values[Math.min(3, Math.floor(r() * r() * 5))]);
  const phases = values.map((value, i) => ({ value, name: `p${i}`, color: "#123456" }));
  const lv = labelVolume(createVolume(lab, shape, [2, 2, 2]), phases);
  const ref = runPython<{ mode: number[]; nearest: number[]; modeShape: number[] }>(
    `import sys, json, numpy as np
from scipy import stats
a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(9, 10, 11)
f = 2
b = a[:8, :10, :10].reshape(4, 2, 5, 2, 5, 2).transpose(0, 2, 4, 1, 3, 5).reshape(4, 5, 5, 8)
m = stats.mode(b, axis=-1, keepdims=False).mode   # ties -> smallest value
print(json.dumps({"mode": m.ravel().tolist(), "modeShape": list(m.shape),
                  "nearest": a[1::2, 1::2, 1::2][:4, :5, :5].ravel().tolist()}))`,
    [tempRaw("lab.raw", lab)],
  );

  it("mode equals scipy.stats.mode per block (ties to the smallest value) and keeps the phase table", () => {
    const d = downsampleLabels(lv, { factor: 2, edge: "trim" });
    expect(d.shape).toEqual(ref.modeShape);
    expect([...d.data]).toEqual(ref.mode);
    expect(d.phases).toEqual(phases);
    expect(d.spacing).toEqual([4, 4, 4]);
    expect(volumeDType(d)).toBe("uint8");
  });

  it("nearest picks the voxel at floor(f/2) inside each block, as NumPy slicing v[f//2::f]", () => {
    const d = downsampleLabels(lv, { factor: 2, method: "nearest", edge: "trim" });
    expect([...d.data]).toEqual(ref.nearest);
  });

  it("partial blocks and 32-bit labels", () => {
    const big = new Uint32Array([5, 5, 1e9, 1e9, 1e9, 7]);
    const d = downsampleLabels(createVolume(big, [1, 1, 6]), [1, 1, 4]);
    // Block [5, 5, 1e9, 1e9]: a tie, the smaller value 5 wins; partial block [1e9, 7]: tie, 7 wins.
    expect([...d.data]).toEqual([5, 7]);
    const three = downsampleLabels(createVolume(new Uint32Array([1e9, 1e9, 7, 1e9]), [1, 1, 4]), 4);
    expect([...three.data]).toEqual([1e9]);
  });
});

describe("downsampleFactorFor", () => {
  it("finds the smallest isotropic factor under the cap", () => {
    expect(downsampleFactorFor([256, 256, 256], 16 * 1024 ** 2)).toEqual([1, 1, 1]);
    expect(downsampleFactorFor([257, 256, 256], 16 * 1024 ** 2)).toEqual([2, 2, 2]);
    expect(downsampleFactorFor([1000, 1000, 1000], 16 * 1024 ** 2)).toEqual([4, 4, 4]); // 250³ = 15.6 M
    expect(downsampleFactorFor([2, 5000, 5000], 1e6)).toEqual([2, 5, 5]); // z saturates at its length
    expect(() => downsampleFactorFor([2, 2, 2], 0)).toThrow(TomolyteError);
  });
});
