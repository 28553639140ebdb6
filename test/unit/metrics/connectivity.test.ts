import { describe, expect, test } from "vitest";
import { createVolume, labelVolume } from "../../../kernel-lib/src/volume";
import { phaseConnectivity, phaseMetrics, volumeFractions, phaseFractionProfile, volumeChange } from "../../../kernel-lib/src/metrics";
import { ball, phantom } from "./helpers";

describe("connectivity per phase and axis", () => {
  test("through-channel 100% percolating, blind pore dead-end, floating ball isolated (6-connectivity)", () => {
    const shape: [number, number, number] = [30, 24, 24];
    const channel = phantom(shape, (_z, y, x) => y >= 2 && y < 5 && x >= 2 && x < 5);
    const blind = phantom(shape, (z, y, x) => z < 15 && y >= 10 && y < 13 && x >= 2 && x < 5);
    const floating = ball(shape, [15, 16, 16], 4);
    // A diagonal-only contact: 6-connectivity keeps it apart from the channel.
    const d = new Uint8Array(channel.length);
    for (let i = 0; i < d.length; i++) d[i] = channel[i] || blind[i] || floating[i] ? 1 : 0;
    const vol = createVolume(d, shape, [0.4, 0.4, 0.4]);
    const c = phaseConnectivity(vol, { phases: [1] }).phases[0];
    const nc = 30 * 9, nb = 15 * 9;
    let nf = 0;
    for (const v of floating) nf += v;
    const tot = nc + nb + nf;
    expect(c.voxelCount).toBe(tot);
    expect(c.componentCount).toBe(3);
    expect(c.axes.z!.percolatingFraction).toBeCloseTo(nc / tot, 12);
    expect(c.axes.z!.deadEndFraction).toBeCloseTo(nb / tot, 12);
    expect(c.axes.z!.isolatedFraction).toBeCloseTo(nf / tot, 12);
    // Along x nothing reaches x = 23: channel and blind pore touch x = 0? no (x from 2): all isolated.
    expect(c.axes.x!.isolatedFraction).toBeCloseTo(1, 12);
    // The channel alone: 100% percolating.
    const only = phaseConnectivity(createVolume(channel, shape), { phases: [1], axes: ["z"] }).phases[0];
    expect(only.axes.z!.percolatingFraction).toBe(1);
    // The pore phase (value 0) surrounds everything and percolates along every axis.
    const pore = phaseConnectivity(vol, { phases: [0] }).phases[0];
    expect(pore.axes.z!.percolatingFraction).toBe(1);
  });

  test("phaseMetrics: DESIGN's connectedFraction, volume fraction and both SSAs per phase", () => {
    const shape: [number, number, number] = [20, 12, 12];
    const d = phantom(shape, (_z, y, x) => y >= 2 && y < 5 && x >= 2 && x < 5);
    const labels = labelVolume(createVolume(d, shape, [1, 1, 1]), [
      { value: 0, name: "pore", color: "#000" },
      { value: 1, name: "solid", color: "#fff" },
    ]);
    const m = phaseMetrics(labels);
    expect(m.phases.map((p) => p.name)).toEqual(["pore", "solid"]);
    expect(m.phases[1].volumeFraction).toBeCloseTo(9 / 144, 12);
    expect(m.phases[1].connectedFraction).toBe(1);
    // A 3×3 column through z: face count = 12 side faces × 20 slices; MC: 4 sides of 2 + 4 bevels of √2/2 per unit z, 19 cube layers.
    expect(m.phases[1].specificSurfaceAreaFaceCount_per_um).toBeCloseTo((12 * 20) / (20 * 144), 12);
    expect(m.phases[1].specificSurfaceArea_per_um).toBeCloseTo((19 * (4 * 2 + 4 * Math.SQRT1_2)) / (20 * 144), 12);
    expect(m.porosity).toBeCloseTo(135 / 144, 12);
    expect(m.triplePhaseBoundary).toBeUndefined();
    expect(JSON.parse(JSON.stringify(m)).phases[0].connectedFraction).toBe(1);
  });
});

describe("volume fractions, profiles and volume change", () => {
  test("profiles along each axis sum to 1 per slice and locate a slab", () => {
    const shape: [number, number, number] = [10, 6, 8];
    const d = phantom(shape, (z) => z >= 3 && z < 7, 2);
    const v = createVolume(d, shape, [0.5, 1, 1]);
    const p = phaseFractionProfile(v, { axis: "z" });
    expect([...p.phases[1].fraction]).toEqual([0, 0, 0, 1, 1, 1, 1, 0, 0, 0]);
    expect(p.position_um[3]).toBeCloseTo(1.75, 12);
    const px = phaseFractionProfile(v, { axis: "x" });
    for (const f of px.phases[1].fraction) expect(f).toBeCloseTo(0.4, 12);
    const vf = volumeFractions(v);
    expect(vf.phases.map((q) => q.volumeFraction)).toEqual([0.6, 0.4]);
    expect(vf.phases[1].volume_um3).toBeCloseTo(4 * 48 * 0.5, 12);
  });

  test("volume change: per-phase volumes and the thickness along z", () => {
    const shape: [number, number, number] = [20, 8, 8];
    const before = createVolume(phantom(shape, (z) => z >= 2 && z < 12), shape, [0.5, 1, 1]);
    const after = createVolume(phantom(shape, (z) => z >= 2 && z < 14), shape, [0.5, 1, 1]);
    const dv = volumeChange(before, after);
    const solid = dv.phases.find((p) => p.value === 1)!;
    expect(solid.relativeChange).toBeCloseTo(0.2, 12);
    expect(solid.change_um3).toBeCloseTo(2 * 64 * 0.5, 12);
    expect(dv.thicknessBefore_um).toBeCloseTo(5, 12);
    expect(dv.thicknessChange_um).toBeCloseTo(1, 12);
    expect(dv.relativeThicknessChange).toBeCloseTo(0.2, 12);
    expect(() => volumeChange(before, createVolume(new Uint8Array(8), [2, 2, 2]))).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
  });
});
