import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import type { Volume } from "../volume";

/** Shape of a neighbourhood: a cube (box) of side 2R+1, or a ball of radius R. */
export type FootprintShape = "cube" | "ball";

/** Neighbourhood options shared by mean, median, minimum and maximum. */
export interface FootprintOptions {
  /** Radius in voxels (a number or [z, y, x]); the cube has side 2R+1. */
  radiusVoxels?: number | readonly [number, number, number];
  /** Radius in micrometres, rounded to whole voxels per axis with the spacing. */
  radius_um?: number | readonly [number, number, number];
  /** "cube" (default) or "ball" (an ellipsoid when the radii differ). */
  footprint?: FootprintShape;
}

/**
 * @internal A footprint as x-runs: for each (dz, dy) the run dx in [-w, w].
 * Every footprint here is symmetric and contains its centre.
 */
export interface Footprint {
  shape: FootprintShape;
  radii: [number, number, number];
  /** dz, dy, w triples, flattened. */
  rows: number[];
  size: number;
}

/** @internal Resolves and checks the radius and shape of a footprint. */
export function resolveFootprint(volume: Volume, o: FootprintOptions, op: string): Footprint {
  const shape = o.footprint ?? "cube";
  if (shape !== "cube" && shape !== "ball") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: footprint must be "cube" or "ball", got ${String(o.footprint)}`);
  }
  if (o.radiusVoxels !== undefined && o.radius_um !== undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: give radiusVoxels or radius_um, not both`);
  }
  const triple = (v: unknown, label: string): [number, number, number] => {
    if (typeof v === "number") return [v, v, v];
    if (Array.isArray(v) && v.length === 3) return [v[0], v[1], v[2]];
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: ${label} must be a number or [z, y, x], got ${JSON.stringify(v)}`);
  };
  let r: [number, number, number];
  if (o.radiusVoxels !== undefined) {
    r = triple(o.radiusVoxels, "radiusVoxels");
    r.forEach((x) => checkNumber(`${op}: radiusVoxels`, x, { min: 0, integer: true }));
  } else if (o.radius_um !== undefined) {
    const u = triple(o.radius_um, "radius_um");
    u.forEach((x) => checkNumber(`${op}: radius_um`, x, { min: 0 }));
    r = [0, 1, 2].map((a) => Math.round(u[a] / volume.spacing[a])) as [number, number, number];
  } else {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: give radiusVoxels (voxels) or radius_um (micrometres)`);
  }
  if (r[0] + r[1] + r[2] === 0) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: the radius is 0 voxels on every axis (nothing to filter); use radiusVoxels >= 1`);
  }
  const names = ["z", "y", "x"];
  for (let a = 0; a < 3; a++) {
    if (r[a] >= volume.shape[a]) {
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `${op}: radius ${r[a]} voxels along ${names[a]} reaches beyond the volume (${volume.shape[a]} voxels); ` +
          `use a radius below ${volume.shape[a]} on that axis (e.g. radiusVoxels [${a === 0 ? 0 : r[0]}, ${a === 1 ? 0 : r[1]}, ${a === 2 ? 0 : r[2]}])`,
      );
    }
  }
  const [rz, ry, rx] = r;
  const rows: number[] = [];
  let size = 0;
  const iso = rz === ry && ry === rx;
  for (let dz = -rz; dz <= rz; dz++) {
    for (let dy = -ry; dy <= ry; dy++) {
      let w: number;
      if (shape === "cube") w = rx;
      else if (iso) {
        // Integer test dz² + dy² + dx² <= R², the usual digital ball (skimage.morphology.ball).
        const rem = rx * rx - dz * dz - dy * dy;
        if (rem < 0) continue;
        w = Math.floor(Math.sqrt(rem) + 1e-9);
      } else {
        const q = (rz ? (dz / rz) ** 2 : 0) + (ry ? (dy / ry) ** 2 : 0);
        if (q > 1 + 1e-12) continue;
        w = Math.floor(rx * Math.sqrt(Math.max(0, 1 - q)) + 1e-9);
      }
      rows.push(dz, dy, w);
      size += 2 * w + 1;
    }
  }
  return { shape, radii: r, rows, size };
}
