/** table/: histograms and results as arquero tables (arquero loaded through require(esm)). */
import { describe, expect, it } from "vitest";
import { TomolyteError, arquero, createVolume, histogram, histogramTable, toTable } from "../../../kernel-lib/src";

describe("tables", () => {
  it("histogramTable: one row per bin with edges, counts and fractions", () => {
    // numpy.histogram([0, 0, 3, 3, 3, 3], bins=3) -> counts [2, 0, 4], edges [0, 1, 2, 3]
    const h = histogram(createVolume(new Uint8Array([0, 0, 3, 3, 3, 3]), [1, 1, 6]), { bins: 3 });
    const t = histogramTable(h);
    expect(t.columnNames()).toEqual(["bin_lo", "bin_hi", "count", "fraction"]);
    expect(t.objects()).toEqual([
      { bin_lo: 0, bin_hi: 1, count: 2, fraction: 2 / 6 },
      { bin_lo: 1, bin_hi: 2, count: 0, fraction: 0 },
      { bin_lo: 2, bin_hi: 3, count: 4, fraction: 4 / 6 },
    ]);
    expect(histogramTable(h, { skipEmpty: true }).numRows()).toBe(2);
    expect(() => histogramTable({ counts: new Float64Array(2), edges: new Float64Array(2) })).toThrow(TomolyteError);
  });

  it("toTable: rows, columns, a result with a row array, a single result", () => {
    expect(toTable([{ a: 1, b: "x" }, { a: 2, b: "y" }]).array("a")).toEqual([1, 2]);
    expect(toTable({ r: new Float64Array([1, 2, 3]), c: [4, 5, 6] }).numRows()).toBe(3);
    const res = { phases: [{ value: 0, volumeFraction: 0.45 }, { value: 85, volumeFraction: 0.4 }], voxels: 100 };
    expect(toTable(res).objects()).toEqual(res.phases);
    expect(toTable({ tortuosityFactor: 2.07, converged: true }).objects()).toEqual([{ tortuosityFactor: 2.07, converged: true }]);
    expect(() => toTable({ a: [1, 2], b: [1] })).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => toTable(3)).toThrow(TomolyteError);
    expect(typeof arquero().op).toBe("object");
  });
});
