import { checkNumber } from "../errors";
import { type DType, type VoxelArray, type Volume, createVolume } from "../volume";
import { type BoundaryMode, type BoundaryOptions, type ProgressOptions, allocOut, checkGreyInput, checkMode, floatOutDType, indexMap, runInSlabs, storePlane } from "./common";
import { type Footprint, type FootprintOptions, resolveFootprint } from "./footprint";
import { type SeparableParams, separablePlanes } from "./gaussian";

export interface MeanOptions extends FootprintOptions, BoundaryOptions, ProgressOptions {
  /** Output dtype (default float32, float64 for float64 input); integer outputs are rounded and clipped. */
  dtype?: DType;
}

/** @internal Parameters of the mean filter: separable box for cubes, x-runs for balls. */
export type MeanParams =
  | ({ kind: "box" } & SeparableParams)
  | { kind: "ball"; fp: Footprint; mode: BoundaryMode; cval: number; outDType: DType };

/** @internal */
export function prepareMean(volume: Volume, o: MeanOptions): MeanParams {
  const inDType = checkGreyInput(volume, "mean");
  const fp = resolveFootprint(volume, o, "mean");
  const mode = checkMode(o.mode);
  const cval = checkNumber("cval", o.cval ?? 0);
  const outDType = floatOutDType(inDType, o.dtype);
  if (fp.shape === "cube") {
    const weights = fp.radii.map((r) => (r === 0 ? [] : new Array(2 * r + 1).fill(1 / (2 * r + 1)))) as [number[], number[], number[]];
    return { kind: "box", weights, mode, cval, outDType };
  }
  return { kind: "ball", fp, mode, cval, outDType };
}

/** @internal Planes [z0, z1) of the mean filter. */
export function meanPlanes(volume: Volume, p: MeanParams, z0: number, z1: number, out: VoxelArray): void {
  if (p.kind === "box") {
    separablePlanes(volume, p, z0, z1, out);
    return;
  }
  const [nz, ny, nx] = volume.shape;
  const [rz, ry, rx] = p.fp.radii;
  const src = volume.data;
  const zmap = indexMap(nz, rz, p.mode);
  const ymap = indexMap(ny, ry, p.mode);
  const xmap = indexMap(nx, rx, p.mode);
  const rows = p.fp.rows;
  const inv = 1 / p.fp.size;
  const acc = new Float64Array(ny * nx);
  // Prefix sums of padded lines: the sum of a run is one subtraction.
  const pre = new Float64Array(nx + 2 * rx + 1);
  for (let z = z0; z < z1; z++) {
    acc.fill(0);
    for (let y = 0; y < ny; y++) {
      for (let k = 0; k < rows.length; k += 3) {
        const zz = zmap[z + rows[k] + rz];
        const yy = ymap[y + rows[k + 1] + ry];
        const w = rows[k + 2];
        const o = y * nx;
        if (zz < 0 || yy < 0) {
          const c = (2 * w + 1) * p.cval;
          for (let x = 0; x < nx; x++) acc[o + x] += c;
          continue;
        }
        const base = (zz * ny + yy) * nx;
        let s = 0;
        pre[0] = 0;
        for (let j = 0; j < nx + 2 * rx; j++) {
          const xx = xmap[j];
          s += xx < 0 ? p.cval : src[base + xx];
          pre[j + 1] = s;
        }
        // window for x: padded positions x - w .. x + w, stored at +rx
        for (let x = 0; x < nx; x++) acc[o + x] += pre[x + rx + w + 1] - pre[x + rx - w];
      }
    }
    for (let i = 0; i < acc.length; i++) acc[i] *= inv;
    storePlane(acc, out, z * ny * nx, p.outDType);
  }
}

/**
 * Mean (box) filter over a cube of side 2R+1 (separable) or a ball of radius R,
 * equal to `scipy.ndimage.uniform_filter(v.astype(float), 2R+1, mode=...)` for
 * cubes, and to `scipy.ndimage.correlate` with a normalised ball for balls,
 * within float rounding. Output float32 (float64 for float64 input) unless `dtype` says otherwise.
 *
 * @example
 * const m = mean(ct, { radiusVoxels: 1 });                      // 3×3×3 box
 * const b = mean(ct, { radius_um: 1.5, footprint: "ball", mode: "nearest" });
 */
export function mean(volume: Volume, options: MeanOptions): Volume {
  const p = prepareMean(volume, options ?? {});
  const out = allocOut(p.outDType, volume.data.length, "the mean output");
  runInSlabs(volume.shape[0], (z0, z1) => meanPlanes(volume, p, z0, z1, out), options);
  return createVolume(out, volume.shape, volume.spacing);
}
