import { describe, expect, it } from "vitest";
import {
  TomolyteError, createVolume, zeros, slice, crop, statistics, histogram, astype, labelVolume,
  distinctValues, setMemoryBudget,
} from "../../kernel-lib/src";

/** A small volume whose voxel value is its linear index: easy to check by hand. */
function ramp(shape: [number, number, number]) {
  const n = shape[0] * shape[1] * shape[2];
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = i;
  return createVolume(d, shape, [2, 1, 0.5]);
}

describe("Volume", () => {
  it("validates data length and spacing", () => {
    expect(() => createVolume(new Uint8Array(5), [1, 2, 3])).toThrowError(TomolyteError);
    try { createVolume(new Uint8Array(5), [1, 2, 3]); } catch (e) { expect((e as TomolyteError).code).toBe("SHAPE_MISMATCH"); }
    expect(() => createVolume(new Uint8Array(6), [1, 2, 3], [1, 0, 1])).toThrow(/spacing/);
    expect(() => createVolume(new Uint8Array(6), [1, 2, 3], [1, NaN, 1])).toThrow(/spacing/);
    expect(createVolume(new Uint8Array(6), [1, 2, 3]).spacing).toEqual([1, 1, 1]);
  });

  it("slices along each axis in C order", () => {
    const v = ramp([3, 4, 5]);
    const z = slice(v, "z", 1);
    expect([z.height, z.width]).toEqual([4, 5]);
    expect(z.data[0]).toBe(20);
    const y = slice(v, "y", 2); // rows z, columns x
    expect([y.height, y.width]).toEqual([3, 5]);
    expect(Array.from(y.data.slice(5, 10))).toEqual([30, 31, 32, 33, 34]);
    const x = slice(v, "x", 4); // rows z, columns y
    expect([x.height, x.width]).toEqual([3, 4]);
    expect(x.data[4 + 1]).toBe((1 * 4 + 1) * 5 + 4);
    expect(x.spacing).toEqual([2, 1]);
    expect(() => slice(v, "z", 3)).toThrow(TomolyteError);
  });

  it("crops half-open boxes, negative indices from the end", () => {
    const v = ramp([3, 4, 5]);
    const c = crop(v, { z: [1, 3], y: [-2, 4], x: [1, 2] });
    expect(c.shape).toEqual([2, 2, 1]);
    expect(Array.from(c.data)).toEqual([20 + 10 + 1, 20 + 15 + 1, 40 + 10 + 1, 40 + 15 + 1]);
    expect(c.spacing).toEqual(v.spacing);
    expect(() => crop(v, { x: [3, 3] })).toThrow(TomolyteError);
  });

  it("computes statistics like NumPy (population std)", () => {
    const v = createVolume(new Float64Array([1, 2, 3, 4, NaN, 6]), [1, 2, 3]);
    const s = statistics(v);
    expect(s.min).toBe(1);
    expect(s.max).toBe(6);
    expect(s.mean).toBeCloseTo(16 / 5, 12);
    // numpy.nanstd([1,2,3,4,6]) = 1.7204650534085253
    expect(s.std).toBeCloseTo(1.7204650534085253, 12);
    expect(s.nanCount).toBe(1);
  });

  it("bins a histogram as numpy.histogram does", () => {
    const v = createVolume(new Uint8Array([0, 1, 1, 2, 3, 4, 4, 4]), [1, 2, 4]);
    const h = histogram(v, { bins: 4 });
    // numpy.histogram([0,1,1,2,3,4,4,4], bins=4) -> [1, 2, 1, 4], edges 0,1,2,3,4
    expect(Array.from(h.counts)).toEqual([1, 2, 1, 4]);
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4]);
    const r = histogram(v, { bins: 2, range: [1, 3] });
    expect(Array.from(r.counts)).toEqual([2, 2]);
  });

  it("converts dtypes with clipping or rescaling", () => {
    const v = createVolume(new Float32Array([-5, 0.4, 0.6, 300, 1000, 500]), [1, 2, 3]);
    expect(Array.from(astype(v, "uint8").data)).toEqual([0, 0, 1, 255, 255, 255]);
    const r = astype(v, "uint8", { rescale: true });
    expect(r.data[0]).toBe(0);
    expect(r.data[4]).toBe(255);
    expect(r.data[5]).toBe(Math.round((505 / 1005) * 255));
  });

  it("labels carry a phase table", () => {
    const v = createVolume(new Uint8Array([0, 85, 170, 85]), [1, 2, 2]);
    expect(distinctValues(v)).toEqual([0, 85, 170]);
    const l = labelVolume(v);
    expect(l.phases.map((p) => p.value)).toEqual([0, 85, 170]);
    expect(() => labelVolume(createVolume(new Float32Array(4), [1, 2, 2]) as never)).toThrow(TomolyteError);
    const c = crop(l, { x: [0, 1] });
    expect(c.phases).toEqual(l.phases);
  });

  it("refuses allocations over the memory budget before allocating", () => {
    setMemoryBudget(1024 * 1024);
    try {
      expect(() => zeros([100, 100, 100], "float32")).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY" }));
      expect(zeros([10, 10, 10], "float32").data.length).toBe(1000);
    } finally {
      setMemoryBudget(undefined);
    }
  });
});
