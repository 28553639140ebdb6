import { describe, expect, it } from "vitest";
import { createVolume, histogram, labelVolume } from "../../../kernel-lib/src/volume";
import { distributionFigure, histogramFigure, isFigure, profileFigure, sliceFigure } from "../../../kernel-lib/src/plot";

describe("plot builders", () => {
  it("histogram bars sit on bin centres with threshold markers, JSON-clean", () => {
    const v = createVolume(new Uint8Array([0, 10, 10, 20, 30, 40, 40, 40]), [1, 2, 4]);
    const fig = histogramFigure(histogram(v, { bins: 4 }), { thresholds: [25] });
    expect(isFigure(fig)).toBe(true);
    const bars = fig.data[0] as { x: number[]; y: number[]; width: number };
    expect(bars.x).toEqual([5, 15, 25, 35]);
    expect(bars.y).toEqual([1, 2, 1, 4]);
    expect(bars.width).toBe(10);
    const shapes = fig.layout.shapes as { x0: number }[];
    expect(shapes.map((s) => s.x0)).toEqual([25]);
    // Survives a JSON round trip unchanged (no typed arrays, no NaN).
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });

  it("slice heatmaps use micrometre coordinates and one trace per phase", () => {
    const data = new Uint8Array(2 * 3 * 4);
    data[12 + 5] = 1; // z=1, y=1, x=1
    const labels = labelVolume(createVolume(data, [2, 3, 4], [1, 0.5, 0.25]), [
      { value: 0, name: "pore", color: "#000000" },
      { value: 1, name: "NMC", color: "#E69F00" },
    ]);
    const fig = sliceFigure(labels, { axis: "z", index: 1 });
    expect(fig.data.map((t) => t.name)).toEqual(["pore", "NMC"]);
    const nmc = fig.data[1] as { x: number[]; y: number[]; z: (number | null)[][] };
    expect(nmc.x).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(nmc.y).toEqual([0.25, 0.75, 1.25]);
    expect(nmc.z[1][1]).toBe(1);
    expect(nmc.z[0][0]).toBeNull();
    expect((fig.layout.xaxis as { title: { text: string } }).title.text).toBe("x (µm)");
  });

  it("distributions carry a cumulative curve that ends at the total", () => {
    const fig = distributionFigure([1, 2, 3], [0.2, 0.5, 0.3]);
    const cum = fig.data[1] as { y: number[] };
    expect(cum.y[2]).toBeCloseTo(1, 12);
    expect(cum.y[0]).toBeCloseTo(0.2, 12);
  });

  it("profiles place slice values at slice centres in µm", () => {
    const fig = profileFigure([{ name: "pore", values: [0.4, 0.5] }], { spacing_um: 2, axis: "z" });
    expect((fig.data[0] as { x: number[] }).x).toEqual([1, 3]);
  });
});
