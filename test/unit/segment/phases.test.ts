import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume, labelVolume } from "../../../kernel-lib/src/volume";
import { renamePhases, mergePhases, reorderPhases } from "../../../kernel-lib/src/segment";

describe("phase tables", () => {
  const lab = labelVolume(createVolume(new Uint8Array([0, 1, 2, 2, 1, 0]), [1, 1, 6]));

  it("renames, merges and reorders, never changing the input", () => {
    const named = renamePhases(lab, { 0: "pore", 1: "binder", 2: "NMC" }, { 2: "#ff0000" });
    expect(named.phases.map((p) => p.name)).toEqual(["pore", "binder", "NMC"]);
    expect(named.phases[2].color).toBe("#ff0000");
    const merged = mergePhases(named, [1, 2], { name: "solid" });
    expect(Array.from(merged.data)).toEqual([0, 1, 1, 1, 1, 0]);
    expect(merged.phases.map((p) => [p.value, p.name])).toEqual([[0, "pore"], [1, "solid"]]);
    const into2 = mergePhases(named, [1, 2], { into: 2 });
    expect(Array.from(into2.data)).toEqual([0, 2, 2, 2, 2, 0]);
    const re = reorderPhases(named, [2, 0, 1]);
    expect(Array.from(re.data)).toEqual([1, 2, 0, 0, 2, 1]);
    expect(re.phases.map((p) => p.name)).toEqual(["NMC", "pore", "binder"]);
    expect(Array.from(lab.data)).toEqual([0, 1, 2, 2, 1, 0]);
  });

  it("explains bad input", () => {
    expect(() => renamePhases(createVolume(new Uint8Array(2), [1, 1, 2]) as never, {})).toThrowError(/phase table/);
    expect(() => renamePhases(lab, { 7: "x" })).toThrowError(/no phase with value 7/);
    expect(() => mergePhases(lab, [1])).toThrowError(TomolyteError);
    expect(() => reorderPhases(lab, [0, 1])).toThrowError(/each phase value once/);
  });
});
