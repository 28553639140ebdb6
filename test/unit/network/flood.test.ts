import { describe, expect, it } from "vitest";
import { createVolume, distanceTransform, gaussian, watershed } from "../../../kernel-lib/src";
import { floodFromMarkers } from "../../../kernel-lib/src/network/flood";
import { smoothFloat32 } from "../../../kernel-lib/src/network/snow";
import { PORE, blobs } from "./shapes";

describe("SNOW's bucket flood", () => {
  it("gives exactly segment's (scikit-image-ordered) marker watershed", () => {
    const v = blobs(40, 40, 5, 9);
    const n = v.data.length;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = v.data[i] === PORE ? 1 : 0;
    const dt = distanceTransform(v, { phase: PORE }).distance;
    for (const smooth of [false, true]) {
      // Unsmoothed distances have many ties (FIFO order matters); smoothed ones almost none.
      const src = smooth ? (gaussian(dt, { sigmaVoxels: 0.4, dtype: "float32" }).data as Float32Array) : (dt.data as Float32Array);
      const neg = new Float32Array(n);
      for (let i = 0; i < n; i++) neg[i] = mask[i] ? -src[i] : 0;
      const markers = new Uint32Array(n);
      let k = 0;
      for (let i = 0; i < n; i += 997) if (mask[i]) markers[i] = ++k;
      const ours = floodFromMarkers(neg, markers, mask, v.shape);
      const ref = watershed(createVolume(neg, v.shape), createVolume(markers, v.shape), { connectivity: 6, mask: createVolume(mask, v.shape) }).data;
      let diff = 0;
      for (let i = 0; i < n; i++) if (ours[i] !== ref[i]) diff++;
      expect(diff, smooth ? "smoothed" : "raw").toBe(0);
    }
  });

  it("SNOW's smoothing equals filters' gaussian (mode reflect) to float32 rounding", () => {
    const v = blobs(23, 20, 4, 2);
    const dt = distanceTransform(v, { phase: PORE }).distance;
    for (const sigma of [0.4, 1.3]) {
      const ours = smoothFloat32(dt.data as Float32Array, v.shape, sigma);
      const ref = gaussian(dt, { sigmaVoxels: sigma, mode: "reflect", dtype: "float64" }).data;
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
      // Three float32 roundings of values below ~10: a few 1e-7 relative.
      expect(worst).toBeLessThan(2e-6);
    }
  });
});

