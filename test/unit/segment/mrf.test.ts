import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume } from "../../../kernel-lib/src/volume";
import { applyThresholds, multiOtsuThresholds, segmentMrf } from "../../../kernel-lib/src/segment";
import { dice, threePhasePhantom } from "./phantom";

describe("Markov random field segmentation", () => {
  it("beats multi-Otsu in Dice for every phase on a noisy three-phase phantom", () => {
    // Means 50 apart with noise sd 22: thresholding alone misclassifies ~13% near each boundary.
    const p = threePhasePhantom(41, 40, [60, 110, 160], 22);
    const otsu = applyThresholds(p.grey, multiOtsuThresholds(p.grey, { classes: 3 })).data;
    const mrf = segmentMrf(p.grey, { classes: 3, beta: 1 });
    const rows = [0, 1, 2].map((k) => ({ k, otsu: dice(otsu, p.truth, k), mrf: dice(mrf.labels.data, p.truth, k) }));
    console.log("MRF vs multi-Otsu Dice per phase:", JSON.stringify(rows.map((r) => ({ ...r, otsu: +r.otsu.toFixed(4), mrf: +r.mrf.toFixed(4) }))), "iterations", mrf.iterations);
    for (const r of rows) expect(r.mrf).toBeGreaterThan(r.otsu + 0.02);
    expect(Math.min(...rows.map((r) => r.mrf))).toBeGreaterThan(0.9);
    // The estimated class means land near the truth (noise averages out over thousands of voxels).
    mrf.means.forEach((m, k) => expect(Math.abs(m - [60, 110, 160][k])).toBeLessThan(5));
  });

  it("cleans a two-phase volume below thresholding's misclassification rate; beta 0 is maximum likelihood", () => {
    const p = threePhasePhantom(42, 32, [80, 140, 140], 25);
    const truth2 = p.truth.map((t) => (t > 0 ? 1 : 0));
    const err = (a: ArrayLike<number>) => { let e = 0; for (let i = 0; i < a.length; i++) if (a[i] !== truth2[i]) e++; return e / a.length; };
    const otsu = applyThresholds(p.grey, multiOtsuThresholds(p.grey, { classes: 2 })).data;
    const mrf = segmentMrf(p.grey, { classes: 2, beta: 1.2 }).labels.data;
    console.log("two-phase misclassification: threshold", err(otsu).toFixed(4), "MRF", err(mrf).toFixed(4));
    expect(err(mrf)).toBeLessThan(err(otsu) / 2);
    const ml = segmentMrf(p.grey, { classes: 2, beta: 0, maxIterations: 1, updateParameters: false });
    expect(ml.iterations).toBe(1);
  });

  it("stops with CANCELLED when aborted", () => {
    const p = threePhasePhantom(43, 16, [60, 110, 160], 22);
    const ac = new AbortController();
    ac.abort();
    try {
      segmentMrf(p.grey, { signal: ac.signal });
      throw new Error("not cancelled");
    } catch (e) {
      expect((e as TomolyteError).code).toBe("CANCELLED");
    }
  });

  it("explains bad input", () => {
    const flat = createVolume(new Uint8Array(27).fill(3), [3, 3, 3]);
    expect(() => segmentMrf(flat, { classes: 2 })).toThrowError(TomolyteError);
    expect(() => segmentMrf(flat, { beta: -1 })).toThrowError(/beta/);
    expect(() => segmentMrf(flat, { classes: 2, thresholds: [1, 2] })).toThrowError(/thresholds/);
  });
});
