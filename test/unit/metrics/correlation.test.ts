import { describe, expect, test } from "vitest";
import { createVolume } from "../../../kernel-lib/src/volume";
import { twoPointCorrelation, rveAnalysis } from "../../../kernel-lib/src/metrics";
import { FFT } from "../../../kernel-lib/src/metrics/fft";
import { rng as seededRandom } from "../../helpers/random";

function randomVolume(shape: [number, number, number], p: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const d = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < d.length; i++) d[i] = r() < p ? 1 : 0;
  return d;
}

/** S2 at one lag by brute force, periodic or counting only pairs inside the volume. */
function bruteS2(d: Uint8Array, shape: [number, number, number], lag: [number, number, number], periodic: boolean): number {
  const [nz, ny, nx] = shape;
  let hit = 0;
  let pairs = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    let z2 = z + lag[0], y2 = y + lag[1], x2 = x + lag[2];
    if (periodic) {
      z2 = (z2 + nz) % nz; y2 = (y2 + ny) % ny; x2 = (x2 + nx) % nx;
    } else if (z2 < 0 || z2 >= nz || y2 < 0 || y2 >= ny || x2 < 0 || x2 >= nx) continue;
    pairs++;
    if (d[(z * ny + y) * nx + x] && d[(z2 * ny + y2) * nx + x2]) hit++;
  }
  return hit / pairs;
}

describe("FFT", () => {
  test("matches a direct DFT for power-of-two and Bluestein lengths", () => {
    for (const n of [8, 12, 17, 30]) {
      const r = seededRandom(n);
      const re = Float64Array.from({ length: n }, () => r() - 0.5);
      const im = Float64Array.from({ length: n }, () => r() - 0.5);
      const xr = re.slice(), xi = im.slice();
      new FFT(n).forward(xr, xi);
      for (let k = 0; k < n; k++) {
        let sr = 0, si = 0;
        for (let j = 0; j < n; j++) {
          const a = (-2 * Math.PI * j * k) / n;
          sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
          si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
        }
        expect(xr[k]).toBeCloseTo(sr, 10);
        expect(xi[k]).toBeCloseTo(si, 10);
      }
      new FFT(n).inverse(xr, xi);
      for (let k = 0; k < n; k++) expect(xr[k]).toBeCloseTo(re[k], 12);
    }
  });
});

describe("two-point correlation", () => {
  test("equals brute force at axis lags (periodic and non-periodic, odd shapes)", () => {
    const shape: [number, number, number] = [9, 10, 12];
    const d = randomVolume(shape, 0.35, 3);
    for (const periodic of [true, false]) {
      const s = twoPointCorrelation(createVolume(d, shape), { phase: 1, periodic, maxLag_um: 4 });
      for (const [axis, k] of [["z", 0], ["y", 1], ["x", 2]] as const) {
        for (let lag = 0; lag <= 4; lag++) {
          const l: [number, number, number] = [0, 0, 0];
          l[k] = lag;
          expect(s.axes[axis].s2[lag]).toBeCloseTo(bruteS2(d, shape, l, periodic), 10);
        }
      }
    }
  });

  test("radial average equals brute force over every lag vector (odd shape, anisotropic spacing, both conventions)", () => {
    // Checks the half-spectrum (real-input) transform and the one-pass binning together:
    // S2 per lag by brute force, binned by the documented rule (bin = round(|r| / width)).
    const shape: [number, number, number] = [7, 9, 10];
    const spacing: [number, number, number] = [0.7, 0.5, 0.6];
    const d = randomVolume(shape, 0.4, 21);
    for (const periodic of [true, false]) {
      const maxLag = 2.6;
      const bw = 0.5;
      const s = twoPointCorrelation(createVolume(d, shape, spacing), { phase: 1, periodic, maxLag_um: maxLag });
      const nb = Math.floor(maxLag / bw + 0.5) + 1;
      const sum = new Float64Array(nb), cnt = new Float64Array(nb);
      const range = (n: number, h: number) => {
        const out: number[] = [];
        const lo = periodic ? -Math.ceil(n / 2) + 1 : -(n - 1);
        const hi = periodic ? Math.floor(n / 2) : n - 1;
        for (let l = lo; l <= hi; l++) if (Math.abs(l * h) <= maxLag + 0.5 * bw) out.push(l);
        return out;
      };
      for (const lz of range(7, 0.7)) for (const ly of range(9, 0.5)) {
        const lxs = periodic ? [...Array(10).keys()].map((k) => (k <= 5 ? k : k - 10)) : [...Array(19).keys()].map((k) => k - 9);
        for (const lx of lxs) {
          const r = Math.sqrt((lz * 0.7) ** 2 + (ly * 0.5) ** 2 + (lx * 0.6) ** 2);
          const b = Math.floor(r / bw + 0.5);
          if (b >= nb) continue;
          sum[b] += bruteS2(d, shape, [lz, ly, lx], periodic);
          cnt[b]++;
        }
      }
      const keep = [...cnt.keys()].filter((b) => cnt[b] > 0);
      expect([...s.radial.count]).toEqual(keep.map((b) => cnt[b]));
      // Float64 FFTs of a 7×9×10 indicator: round-off ~1e-15 relative.
      keep.forEach((b, i) => expect(s.radial.s2[i]).toBeCloseTo(sum[b] / cnt[b], 12));
    }
  });

  test("S2(0) = volume fraction, S2(r) → φ² for an uncorrelated volume; radial average over lag vectors", () => {
    const shape: [number, number, number] = [32, 32, 32];
    const d = randomVolume(shape, 0.3, 7);
    const s = twoPointCorrelation(createVolume(d, shape, [0.5, 0.5, 0.5]), { phase: 1 });
    let phi = 0;
    for (const v of d) phi += v;
    phi /= d.length;
    expect(s.volumeFraction).toBeCloseTo(phi, 12);
    expect(s.radial.s2[0]).toBeCloseTo(phi, 10);
    expect(s.radial.distance_um[0]).toBe(0);
    // Beyond lag 0 the voxels are independent: S2 = φ² up to sampling noise (≈ φ√(2/N) per lag).
    for (let b = 1; b < s.radial.s2.length; b++) expect(Math.abs(s.radial.s2[b] - phi * phi)).toBeLessThan(0.01);
    expect(s.radial.distance_um[s.radial.distance_um.length - 1]).toBeLessThanOrEqual(8.25);
  });

  test("a ball's S2 decays from φ to ~φ² beyond its diameter (non-periodic)", () => {
    const n = 24;
    const d = new Uint8Array(n * n * n);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++)
      if ((z - 11.5) ** 2 + (y - 11.5) ** 2 + (x - 11.5) ** 2 <= 16) d[(z * n + y) * n + x] = 1;
    const s = twoPointCorrelation(createVolume(d, [n, n, n]), { phase: 1, periodic: false, maxLag_um: 12 });
    // No pair 9 or more voxels apart lies in a ball of diameter 8.
    expect(s.axes.x.s2[9]).toBeCloseTo(0, 12);
    expect(s.axes.x.s2[1]).toBeLessThan(s.axes.x.s2[0]);
  });
});

describe("RVE analysis", () => {
  test("volume fraction of an uncorrelated volume: mean ≈ φ, std ≈ √(φ(1−φ)/L³), seeded and reproducible", () => {
    const shape: [number, number, number] = [40, 40, 40];
    const d = randomVolume(shape, 0.5, 11);
    const v = createVolume(d, shape, [0.5, 0.5, 0.5]);
    const r = rveAnalysis(v, { phase: 1, sizesVoxels: [2, 4, 8, 16], samples: 40, seed: 5, tolerance: 0.1 });
    r.sizesVoxels.forEach((L, k) => {
      expect(Math.abs(r.mean[k] - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / L ** 3));
      const theory = Math.sqrt(0.25 / L ** 3);
      expect(r.std[k] / theory).toBeGreaterThan(0.6);
      expect(r.std[k] / theory).toBeLessThan(1.4);
    });
    // Relative std 2·√(0.25/L³): 0.71, 0.25, 0.088, 0.031 → representative from L = 8 at 10%.
    expect(r.rveSizeVoxels).toBe(8);
    expect(r.rveSize_um).toBe(4);
    const again = rveAnalysis(v, { phase: 1, sizesVoxels: [2, 4, 8, 16], samples: 40, seed: 5, tolerance: 0.1 });
    expect([...again.mean]).toEqual([...r.mean]);
    const custom = rveAnalysis(v, { metric: (s) => s.data.length, sizesVoxels: [3, 5], samples: 3 });
    expect([...custom.mean]).toEqual([27, 125]);
    expect(custom.rveSizeVoxels).toBe(3);
  });
});
