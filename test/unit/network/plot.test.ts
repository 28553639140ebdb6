import { describe, expect, it } from "vitest";
import { isFigure, networkFigure, networkSizeFigure, snow } from "../../../kernel-lib/src";
import { PORE, sphereLattice } from "./shapes";

describe("network figures", () => {
  const { network } = snow(sphereLattice(3, 13, 7.5), { phase: PORE });

  it("3D figure: one marker per internal pore, one line per internal throat", () => {
    const fig = networkFigure(network);
    expect(isFigure(fig)).toBe(true);
    const [lines, markers] = fig.data as { x: unknown[]; marker?: { size: number[] } }[];
    expect(markers.x.length).toBe(27);
    // 3·3·3·2 = 54 neck throats, each drawn as a segment and a null separator.
    expect(lines.x.length).toBe(54 * 3);
    // Equal spheres: equal marker sizes, at the maximum.
    expect(new Set(markers.marker?.size)).toEqual(new Set([18]));
    const withBoundary = networkFigure(network, { showBoundary: true, maxThroats: 10 });
    expect((withBoundary.data[1] as { x: unknown[] }).x.length).toBe(network.pores.count);
    expect((withBoundary.data[0] as { x: unknown[] }).x.length).toBe(30);
    JSON.stringify(fig); // plain data
  });

  it("size histograms are fractions summing to 1 on shared bins", () => {
    const fig = networkSizeFigure(network, { bins: 16 });
    const [p, t] = fig.data as { x: number[]; y: number[] }[];
    expect(p.x).toEqual(t.x);
    expect(p.y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(t.y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // All pores share one diameter: one bin holds everything, and it is the last one (the largest size).
    expect(p.y[15]).toBe(1);
    expect(() => networkSizeFigure(network, { bins: 0 })).toThrowError(/bins/);
  });
});
