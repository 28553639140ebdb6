import { describe, expect, test } from "vitest";
import { createVolume, labelVolume } from "../../../kernel-lib/src/volume";
import {
  specificSurfaceArea, triplePhaseBoundary, volumeFractions, localThickness, chordLengths, twoPointCorrelation, rveAnalysis, phaseMetrics,
} from "../../../kernel-lib/src/metrics";
import { ball } from "./helpers";

const code = (c: string) => expect.objectContaining({ name: "TomolyteError", code: c });

describe("metrics refuse bad input clearly and honour cancellation", () => {
  const n = 16;
  const m = ball([n, n, n], [7.5, 7.5, 7.5], 5);
  const v = labelVolume(createVolume(m, [n, n, n]), [
    { value: 0, name: "pore", color: "#000" },
    { value: 1, name: "solid", color: "#fff" },
  ]);

  test("non-integer labels, unknown phase names, missing phases, bad options", () => {
    expect(() => volumeFractions(createVolume(new Float32Array([0, 0.5, 1, 1]), [1, 2, 2]))).toThrow(code("INVALID_ARGUMENT"));
    expect(() => localThickness(v, { phase: "binder" })).toThrow(code("INVALID_ARGUMENT"));
    expect(() => localThickness(v, {} as never)).toThrow(code("INVALID_ARGUMENT"));
    expect(() => chordLengths(v, { phase: 1, axes: ["w" as never] })).toThrow(code("INVALID_ARGUMENT"));
    expect(() => localThickness(createVolume(new Uint8Array(8).fill(3), [2, 2, 2]), { phase: 3 })).toThrow(code("INVALID_ARGUMENT"));
    // An absent phase is no error: nothing to measure.
    expect(localThickness(v, { phase: 7 }).meanThickness_um).toBe(0);
    expect(() => triplePhaseBoundary(v)).toThrow(code("INVALID_ARGUMENT"));
    expect(() => specificSurfaceArea(v, { smoothSigmaVoxels: -1 })).toThrow(code("INVALID_ARGUMENT"));
    expect(() => rveAnalysis(v, { metric: "porosity" as never, phase: 0 })).toThrow(code("INVALID_ARGUMENT"));
    expect(() => rveAnalysis(v, { metric: "volumeFraction" })).toThrow(code("INVALID_ARGUMENT"));
    expect(() => rveAnalysis(v, { phase: 0, sizesVoxels: [n + 1] })).toThrow(code("INVALID_ARGUMENT"));
  });

  test("phases by name; float volumes holding integers are accepted; input never changed", () => {
    const lt = localThickness(v, { phase: "solid" });
    expect(lt.meanThickness_um).toBeGreaterThan(0);
    const f = createVolume(Float64Array.from(m), [n, n, n]);
    expect(volumeFractions(f).phases.map((p) => p.value)).toEqual([0, 1]);
    const copy = m.slice();
    phaseMetrics(v);
    twoPointCorrelation(v, { phase: 1 });
    expect(v.data).toEqual(copy);
  });

  test("an aborted signal raises CANCELLED; progress runs from 0 to 1", () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => specificSurfaceArea(v, { signal: ac.signal })).toThrow(code("CANCELLED"));
    expect(() => twoPointCorrelation(v, { phase: 1, signal: ac.signal })).toThrow(code("CANCELLED"));
    expect(() => localThickness(v, { phase: 1, signal: ac.signal })).toThrow(code("CANCELLED"));
    const seen: number[] = [];
    phaseMetrics(v, { onProgress: (f) => seen.push(f) });
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] - 1e-12);
  });
});
