/**
 * Labelling and the distance transform on real data: a 64³ corner of TauFactor's
 * three-phase NMC electrode (0 pore, 85 NMC, 170 carbon-binder; 0.390625 µm voxels),
 * against SciPy on the same voxels.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { read } from "../../../kernel-lib/src/io";
import { crop } from "../../../kernel-lib/src/volume";
import { label, componentSizes, distanceTransform, componentsTouching } from "../../../kernel-lib/src/morphology";
import { SHARED_DATA } from "../../helpers/shared-data";
import { runPython } from "../../helpers/python";

const FILE = join(SHARED_DATA, "taufactor_electrode_256.tiff");
const SP = 0.390625;

describe("real electrode (TauFactor, 64³ corner)", () => {
  it("matches scipy.ndimage.label and distance_transform_edt per phase", async () => {
    const full = await read(FILE, { spacing_um: [SP, SP, SP] });
    const v = crop(full, { z: [0, 64], y: [0, 64], x: [0, 64] });
    const ref = runPython<Record<string, { count: number; sizes: number[]; maxDist: number; sumDist: number; through: number[] }>>(`
import json, sys, numpy as np, tifffile, scipy.ndimage as ndi
a = tifffile.imread(sys.argv[1])[:64, :64, :64]
out = {}
for p in (0, 85, 170):
    for c, s in ((6, None), (26, np.ones((3, 3, 3)))):
        l, n = ndi.label(a == p, s)
        sizes = np.bincount(l.ravel(), minlength=n + 1)
        through = sorted(set(np.unique(l[0])) & set(np.unique(l[-1])) - {0})
        d = ndi.distance_transform_edt(a == p, sampling=[${SP}] * 3)
        out[f"{p}_{c}"] = {"count": int(n), "sizes": [int(x) for x in sizes], "maxDist": float(d.max()), "sumDist": float(d.sum()),
                           "through": [int(x) for x in through]}
print(json.dumps(out))
`, [FILE]);
    for (const p of [0, 85, 170]) {
      for (const c of [6, 26] as const) {
        const r = ref[`${p}_${c}`];
        const comps = label(v, { phase: p, connectivity: c });
        expect(comps.count).toBe(r.count);
        expect(Array.from(componentSizes(comps))).toEqual(r.sizes);
        expect(componentsTouching(comps, ["z-", "z+"])).toEqual(r.through);
      }
      const d = distanceTransform(v, { phase: p, dtype: "float64" }).distance.data;
      let max = 0, sum = 0;
      for (let i = 0; i < d.length; i++) { if (d[i] > max) max = d[i]; sum += d[i]; }
      const r = ref[`${p}_6`];
      expect(Math.abs(max - r.maxDist)).toBeLessThan(1e-9);
      // A sum over 262 144 voxels: float64 rounding only.
      expect(Math.abs(sum - r.sumDist) / r.sumDist).toBeLessThan(1e-12);
    }
  });
});
