import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createRng, simulateCT } from "../../../kernel-lib/src/generate";
import { createVolume, statistics, type Volume } from "../../../kernel-lib/src/volume";
import { runPython } from "../../helpers/python";

/** The phase values of TauFactor's electrode sample and grey levels ordered by attenuation. */
const PORE = 0;
const NMC = 85;
const CBD = 170;
const ATTENUATION = { [PORE]: 40, [CBD]: 100, [NMC]: 200 };

/** Random three-phase labels made of 4-voxel blocks (so uniform interiors exist), seeded. */
function blockLabels(n = 32, seed = 5): Volume<Uint8Array> {
  const rng = createRng(seed);
  const b = 4;
  const nb = n / b;
  const blocks = Array.from({ length: nb ** 3 }, () => [PORE, NMC, CBD][rng.integer(3)]);
  const d = new Uint8Array(n ** 3);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) d[(z * n + y) * n + x] = blocks[((z / b | 0) * nb + (y / b | 0)) * nb + (x / b | 0)];
  return createVolume(d, [n, n, n], [0.390625, 0.390625, 0.390625]);
}

function constantLabels(value: number, shape: [number, number, number] = [24, 24, 24]): Volume<Uint8Array> {
  return createVolume(new Uint8Array(shape[0] * shape[1] * shape[2]).fill(value), shape, [1, 1, 1]);
}

describe("simulateCT", () => {
  it("is deterministic for a seed, differs between seeds, keeps shape and spacing, leaves the labels alone", () => {
    const labels = blockLabels();
    const before = labels.data.slice();
    const opts = { attenuation: ATTENUATION, blurSigmaVoxels: 0, noiseSigma: 10, cupping: 0.05, seed: 11, dtype: "uint8" as const };
    const a = simulateCT(labels, opts);
    const b = simulateCT(labels, opts);
    const c = simulateCT(labels, { ...opts, seed: 12 });
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(a.shape).toEqual(labels.shape);
    expect(a.spacing).toEqual(labels.spacing);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(c.data.buffer))).toBe(false);
    expect(labels.data).toEqual(before);
  });

  it("orders the phases' grey levels as their attenuation: pore < carbon-binder < NMC", () => {
    const labels = blockLabels();
    const grey = simulateCT(labels, { attenuation: ATTENUATION, blurSigmaVoxels: 1, noiseSigma: 15, cupping: 0.05, seed: 3 });
    const sum = new Map<number, [number, number]>();
    for (let i = 0; i < labels.data.length; i++) {
      const s = sum.get(labels.data[i]) ?? [0, 0];
      s[0] += grey.data[i];
      s[1]++;
      sum.set(labels.data[i], s);
    }
    const mean = (v: number) => sum.get(v)![0] / sum.get(v)![1];
    expect(mean(PORE)).toBeLessThan(mean(CBD));
    expect(mean(CBD)).toBeLessThan(mean(NMC));
  });

  it("measures back the noise level in a uniform region (std ≈ noiseSigma)", () => {
    const n = 24 ** 3;
    const grey = simulateCT(constantLabels(NMC), { attenuation: ATTENUATION, blurSigmaVoxels: 1, noiseSigma: 10, seed: 1 });
    const s = statistics(grey);
    // Blur of a constant is the constant; the noise is white with σ = 10:
    // standard errors σ/√n for the mean and σ/√(2n) for the std; 5 of them.
    expect(Math.abs(s.mean - 200)).toBeLessThan(5 * 10 / Math.sqrt(n));
    expect(Math.abs(s.std - 10)).toBeLessThan(5 * 10 / Math.sqrt(2 * n));
    // Rounding to uint8 adds the variance of a uniform quantisation error, 1/12.
    const u8 = simulateCT(constantLabels(NMC), { attenuation: ATTENUATION, noiseSigma: 10, seed: 1, dtype: "uint8" });
    expect(Math.abs(statistics(u8).std - Math.sqrt(100 + 1 / 12))).toBeLessThan(5 * 10 / Math.sqrt(2 * n));
  });

  it("applies cupping as g·(1 + c·ρ²) around the rotation axis", () => {
    // 5×5 plane: centre ρ = 0, corners ρ = 1, edge midpoints ρ² = 4/8 = 0.5.
    const labels = constantLabels(CBD, [3, 5, 5]);
    const grey = simulateCT(labels, { attenuation: ATTENUATION, blurSigmaVoxels: 0, cupping: 0.1, dtype: "float64" });
    const at = (z: number, y: number, x: number) => grey.data[(z * 5 + y) * 5 + x];
    for (let z = 0; z < 3; z++) {
      expect(at(z, 2, 2)).toBeCloseTo(100, 12);
      expect(at(z, 0, 0)).toBeCloseTo(110, 12);
      expect(at(z, 4, 4)).toBeCloseTo(110, 12);
      expect(at(z, 0, 2)).toBeCloseTo(105, 12);
    }
    // About the x axis instead: the profile varies with z and y only.
    const gx = simulateCT(labels, { attenuation: ATTENUATION, blurSigmaVoxels: 0, cupping: 0.1, cuppingAxis: "x", dtype: "float64" });
    // z has 3 planes (half-extent 1), y has 5 (half-extent 2): ρ² = (1 + 0)/(1 + 4) at z = 0, y = 2.
    expect(gx.data[(0 * 5 + 2) * 5 + 3]).toBeCloseTo(100 * (1 + 0.1 * 0.2), 12);
  });

  it("blurs with SciPy's gaussian_filter (reflect) as the point spread", () => {
    const labels = blockLabels(16, 8);
    const grey = simulateCT(labels, { attenuation: ATTENUATION, blurSigmaVoxels: 1.5, dtype: "float64" });
    const ref = runPython<number[]>(
      `import sys, json, numpy as np
from scipy import ndimage
lab = np.array(json.loads(sys.argv[1]), dtype=np.uint8).reshape(16, 16, 16)
g = np.zeros(lab.shape); g[lab == 0] = 40; g[lab == 170] = 100; g[lab == 85] = 200
print(json.dumps(ndimage.gaussian_filter(g, 1.5, mode="reflect").ravel().tolist()))`,
      [JSON.stringify(Array.from(labels.data))],
      60_000,
    );
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(grey.data[i] - ref[i]));
    // float32 working precision on values up to 200: about 200 · 2^-24 per operation; 1e-3 leaves room
    // for a kernel truncated like SciPy's (4σ) but summed in another order.
    expect(maxErr).toBeLessThan(1e-3);
  });

  it("refuses labels without a grey level and bad parameters with TomolyteError", () => {
    const labels = blockLabels(8);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TomolyteError);
        return (e as TomolyteError).code;
      }
      return "none";
    };
    expect(codeOf(() => simulateCT(labels, { attenuation: { 0: 1, 85: 2 } }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => simulateCT(labels, { attenuation: ATTENUATION, noiseSigma: -1 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => simulateCT(labels, { attenuation: ATTENUATION, blurSigmaVoxels: NaN }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => simulateCT(labels, { attenuation: ATTENUATION, seed: -3 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => simulateCT(labels, { attenuation: ATTENUATION, dtype: "int64" as never }))).toBe("UNSUPPORTED_DTYPE");
    expect(codeOf(() => simulateCT(labels, undefined as never))).toBe("INVALID_ARGUMENT");
    const ac = new AbortController();
    ac.abort();
    expect(codeOf(() => simulateCT(labels, { attenuation: ATTENUATION, signal: ac.signal }))).toBe("CANCELLED");
  });
});
