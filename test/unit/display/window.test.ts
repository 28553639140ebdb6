/** Percentiles and the default display window against numpy.percentile / nanpercentile. */
import { describe, expect, it } from "vitest";
import { createVolume, percentiles, robustWindow, TomolyteError } from "../../../kernel-lib/src";
import { runPython } from "../../helpers/python";
import { rng, tempRaw } from "./helpers";

describe("percentiles", () => {
  const r = rng(11);
  const n = 7 * 9 * 13; // 819 voxels: positions (n-1)q/100 fall between samples, exercising interpolation
  const u8 = new Uint8Array(n).map(() => Math.floor(r() * r() * 256));
  const i16 = new Int16Array(n).map(() => Math.floor((r() - 0.7) * 60000));
  const f32 = new Float32Array(n).map(() => (r() - 0.5) * 1e3);
  f32[5] = NaN;
  f32[100] = NaN;
  const f64 = new Float64Array(n).map(() => Math.exp(r() * 10));
  const qs = [0, 0.5, 1, 25, 50, 73.3, 99.5, 100];
  const ref = runPython<Record<string, number[]>>(
    `import sys, json, numpy as np
qs = ${JSON.stringify(qs)}
out = {}
for name, dt, path in [("u8", "u1", sys.argv[1]), ("i16", "<i2", sys.argv[2]), ("f32", "<f4", sys.argv[3]), ("f64", "<f8", sys.argv[4])]:
    a = np.fromfile(path, dtype=dt).astype(np.float64)
    out[name] = np.nanpercentile(a, qs).tolist()   # default method "linear"
print(json.dumps(out))`,
    [tempRaw("u8", u8), tempRaw("i16", i16), tempRaw("f32", f32), tempRaw("f64", f64)],
  );
  const shape = [7, 9, 13];

  it("equal numpy's linear percentiles (counting path for 8/16-bit, sorting for floats; NaN skipped)", () => {
    const cases: [string, ArrayLike<number> & ArrayBufferView][] = [["u8", u8], ["i16", i16], ["f32", f32], ["f64", f64]];
    for (const [name, data] of cases) {
      const got = percentiles(createVolume(data as Uint8Array, shape), qs);
      // Same formula on the same doubles: agreement to rounding of the interpolation.
      got.forEach((g, i) => expect(Math.abs(g - ref[name][i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ref[name][i]))));
    }
  });

  it("estimate large float volumes from a regular sample, close to the exact value", () => {
    const big = new Float32Array(64 * 64 * 64).map(() => r());
    const v = createVolume(big, [64, 64, 64]);
    const exact = percentiles(v, [0.5, 99.5]);
    const sampled = percentiles(v, [0.5, 99.5], { maxSamples: 20000 });
    // Uniform [0,1) data: sample quantiles of 20000 values have standard error ~ sqrt(p(1-p)/n) ≈ 5e-4.
    expect(Math.abs(sampled[0] - exact[0])).toBeLessThan(3e-3);
    expect(Math.abs(sampled[1] - exact[1])).toBeLessThan(3e-3);
  });

  it("robustWindow: the 0.5–99.5 percentiles, widened for near-constant and constant data", () => {
    const v = createVolume(u8, shape);
    expect(robustWindow(v)).toEqual(percentiles(v, [0.5, 99.5]));
    const mostlyZero = new Uint8Array(1000);
    mostlyZero[3] = 9;
    expect(robustWindow(createVolume(mostlyZero, [10, 10, 10]))).toEqual([0, 9]);
    expect(robustWindow(createVolume(new Float32Array(8).fill(4), [2, 2, 2]))).toEqual([3.5, 4.5]);
    expect(robustWindow(createVolume(new Float32Array(8).fill(NaN), [2, 2, 2]))).toEqual([0, 1]);
    expect(() => percentiles(createVolume(u8, shape), [101])).toThrow(TomolyteError);
  });
});
