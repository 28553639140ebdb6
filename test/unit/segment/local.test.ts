import { describe, expect, it } from "vitest";
import { TomolyteError } from "../../../kernel-lib/src/errors";
import { createVolume } from "../../../kernel-lib/src/volume";
import { localThreshold, segmentLocal } from "../../../kernel-lib/src/segment";
import { gauss, peer, rng } from "../morphology/peer";

const SHAPE = [14, 18, 22] as const;
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];

describe("local thresholds vs scikit-image 0.19 (3D)", () => {
  // A grey ramp along x (uneven illumination) plus bright blobs and noise.
  const r = rng(31);
  const g = gauss(r);
  const u8 = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const x = i % SHAPE[2];
    u8[i] = Math.max(0, Math.min(255, Math.round(60 + 4 * x + (r() < 0.3 ? 60 : 0) + 8 * g())));
  }
  const ref = peer(`
from skimage.filters import threshold_local, threshold_niblack, threshold_sauvola
a = I["a"]
for R in (1, 3):
    b = 2 * R + 1
    out(f"mean{R}", threshold_local(a, b, method="mean", offset=2.5))
    out(f"gaussian{R}", threshold_local(a, b, method="gaussian"))
    out(f"niblack{R}", threshold_niblack(a, window_size=b, k=0.3))
    out(f"sauvola{R}", threshold_sauvola(a, window_size=b))
`, { a: { data: u8, shape: SHAPE } });

  for (const R of [1, 3]) {
    it(`mean, gaussian, niblack, sauvola equal skimage's maps (R = ${R})`, () => {
      const v = createVolume(u8, SHAPE);
      const cases = [
        ["mean", { kind: "mean", radiusVoxels: R, offset: 2.5 }],
        ["gaussian", { kind: "gaussian", radiusVoxels: R }],
        ["niblack", { kind: "niblack", radiusVoxels: R, k: 0.3 }],
        ["sauvola", { kind: "sauvola", radiusVoxels: R }],
      ] as const;
      for (const [name, opts] of cases) {
        const t = localThreshold(v, opts).data;
        const want = ref.arrays[`${name}${R}`];
        let err = 0;
        for (let i = 0; i < N; i++) err = Math.max(err, Math.abs(t[i] - want[i]));
        // Box sums vs skimage's integral images: both float64; the std takes a square root of a
        // difference of ~1e5-sized numbers, so allow 1e-4 grey levels.
        expect(err, name).toBeLessThan(1e-4);
      }
    });
  }

  it("segments brighter-than-local voxels, and checks its options", () => {
    const v = createVolume(u8, SHAPE);
    const lab = segmentLocal(v, { kind: "niblack", radiusVoxels: 3, k: 0.3 });
    const t = ref.arrays.niblack3;
    let diff = 0;
    for (let i = 0; i < N; i++) if (lab.data[i] !== (u8[i] > t[i] ? 1 : 0)) diff++;
    expect(diff).toBe(0);
    expect(lab.phases.length).toBe(2);
    expect(() => localThreshold(v, { radiusVoxels: 0 })).toThrowError(TomolyteError);
    expect(() => localThreshold(v, { kind: "otsu" as "mean", radiusVoxels: 2 })).toThrowError(/kind/);
  });
});
