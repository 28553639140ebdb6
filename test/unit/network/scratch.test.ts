import { it } from "vitest";
import { snow, read, networkDiffusion, crop } from "../../../kernel-lib/src";
it("scratch", async () => {
  const v = await read("/work/shared/data/taufactor_electrode_256.tiff", { spacing_um: [0.390625, 0.390625, 0.390625] });
  const s = crop(v, { z: [0, 128], y: [0, 128], x: [0, 128] });
  const r = snow(s, { phase: 0 });
  const out: string[] = [];
  for (const m of ["spheres-cylinders", "cones-cylinders", "cylinders"] as const) for (const td of ["inscribed", "equivalent"] as const) {
    const d = networkDiffusion(r.network, { axis: "z", model: m, throatDiameter: td });
    out.push(`${m}/${td} tau ${d.tortuosityFactor.toFixed(3)} conn ${d.connectedFraction.toFixed(3)}`);
  }
  const T = r.network.throats; let ratio = 0, k = 0;
  for (let t = 0; t < T.count; t++) if (!T.boundary[t]) { ratio += T.equivalentDiameter_um[t] / T.inscribedDiameter_um[t]; k++; }
  console.log("RES", out.join("\nRES "), "\nRES mean deq/dins", ratio / k);
}, 900000);
