import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type Triple, type Volume, checkAllocation, createVolume } from "../volume";
import { squaredDistance } from "./edt";
import { labelForeground } from "./label";
import {
  type Connectivity, type ForegroundOptions, type ProgressOptions,
  checkConnectivity, foregroundBytes,
} from "./mask";

export interface BallOptions extends ForegroundOptions, ProgressOptions {
  /**
   * Radius of the ball in voxels: the ball is every offset with
   * dz² + dy² + dx² <= r² (SciPy's structuring element built that way).
   */
  radiusVoxels?: number;
  /** Radius in µm: the ball is every offset with (dz·sz)² + (dy·sy)² + (dx·sx)² <= r² (an ellipsoid in voxels when spacing is anisotropic). */
  radius_um?: number;
  /**
   * What lies outside the volume during erosion: 0 (default, SciPy's
   * `border_value=0`: the border erodes) or 1 (the border does not erode).
   */
  borderValue?: 0 | 1;
}

function ballOf(volume: Volume, options: BallOptions): { r2: number; spacing: Triple } {
  if (options?.radiusVoxels !== undefined && options?.radius_um !== undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "give radiusVoxels or radius_um, not both");
  }
  if (options?.radiusVoxels !== undefined) {
    const r = checkNumber("radiusVoxels", options.radiusVoxels, { min: 0 });
    return { r2: r * r, spacing: [1, 1, 1] };
  }
  if (options?.radius_um !== undefined) {
    const r = checkNumber("radius_um", options.radius_um, { min: 0 });
    // Relative slack so that offsets exactly on the sphere count as inside despite the
    // float32 rounding of the squared distances (~1e-7 relative).
    return { r2: r * r * (1 + 1e-6), spacing: [volume.spacing[0], volume.spacing[1], volume.spacing[2]] };
  }
  throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "give the ball's radius as radiusVoxels or radius_um");
}

function erodeBytes(fg: Uint8Array, shape: Triple, spacing: Triple, r2: number, borderValue: 0 | 1, progress: ProgressOptions): Uint8Array {
  const [nz, ny, nx] = shape;
  const n = fg.length;
  checkAllocation(n * 4, "the erosion's distance map", n);
  const d2 = new Float32Array(n);
  squaredDistance(fg, shape, spacing, d2, undefined, progress);
  const out = new Uint8Array(n);
  const [sz, sy, sx] = spacing;
  for (let z = 0; z < nz; z++) {
    const tz = Math.min(z + 1, nz - z) * sz;
    for (let y = 0; y < ny; y++) {
      const ty = Math.min(y + 1, ny - y) * sy;
      const tzy = Math.min(tz, ty);
      const b = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const i = b + x;
        if (fg[i] === 0 || d2[i] <= r2) continue;
        if (borderValue === 0) {
          // The nearest outside voxel is straight out through the nearest face.
          const t = Math.min(tzy, Math.min(x + 1, nx - x) * sx);
          if (t * t <= r2) continue;
        }
        out[i] = 1;
      }
    }
  }
  return out;
}

function dilateBytes(fg: Uint8Array, shape: Triple, spacing: Triple, r2: number, progress: ProgressOptions): Uint8Array {
  const n = fg.length;
  checkAllocation(n * 5, "the dilation's distance map", n);
  const inv = new Uint8Array(n);
  for (let i = 0; i < n; i++) inv[i] = fg[i] ? 0 : 1;
  const d2 = new Float32Array(n);
  squaredDistance(inv, shape, spacing, d2, undefined, progress);
  const out = inv;
  for (let i = 0; i < n; i++) out[i] = d2[i] <= r2 ? 1 : 0;
  return out;
}

/**
 * Binary erosion by a ball: a voxel stays foreground when the whole ball
 * around it is foreground. Computed from the distance transform, so the time
 * does not grow with the radius. Equals `scipy.ndimage.binary_erosion(mask,
 * structure=ball(r))` (outside the volume counts as background unless
 * `borderValue: 1`). Returns a 0/1 uint8 volume.
 *
 * @example
 * const core = erode(mask, { radiusVoxels: 3 });
 */
export function erode(volume: Volume, options: BallOptions): Volume<Uint8Array> {
  const { r2, spacing } = ballOf(volume, options);
  const fg = foregroundBytes(volume, options);
  const out = erodeBytes(fg, volume.shape, spacing, r2, options.borderValue ?? 0, options);
  return createVolume(out, volume.shape, volume.spacing);
}

/**
 * Binary dilation by a ball: every voxel within the ball of a foreground voxel
 * becomes foreground. Equals `scipy.ndimage.binary_dilation(mask, structure=ball(r))`.
 *
 * @example
 * const grown = dilate(mask, { radius_um: 1.5 });
 */
export function dilate(volume: Volume, options: BallOptions): Volume<Uint8Array> {
  const { r2, spacing } = ballOf(volume, options);
  const fg = foregroundBytes(volume, options);
  return createVolume(dilateBytes(fg, volume.shape, spacing, r2, options), volume.shape, volume.spacing);
}

/**
 * Opening (erosion then dilation by the same ball): removes foreground
 * features thinner than the ball. Equals `scipy.ndimage.binary_opening`.
 *
 * @example
 * const smooth = opening(mask, { radiusVoxels: 2 });
 */
export function opening(volume: Volume, options: BallOptions): Volume<Uint8Array> {
  const { r2, spacing } = ballOf(volume, options);
  const fg = foregroundBytes(volume, options);
  const e = erodeBytes(fg, volume.shape, spacing, r2, options.borderValue ?? 0, options);
  return createVolume(dilateBytes(e, volume.shape, spacing, r2, options), volume.shape, volume.spacing);
}

/**
 * Closing (dilation then erosion by the same ball): fills gaps narrower than
 * the ball. Equals `scipy.ndimage.binary_closing` (whose erosion treats the
 * outside as background, so foreground near the border may shrink; pass
 * `borderValue: 1` to avoid that).
 *
 * @example
 * const closed = closing(mask, { radiusVoxels: 2, borderValue: 1 });
 */
export function closing(volume: Volume, options: BallOptions): Volume<Uint8Array> {
  const { r2, spacing } = ballOf(volume, options);
  const fg = foregroundBytes(volume, options);
  const d = dilateBytes(fg, volume.shape, spacing, r2, options);
  return createVolume(erodeBytes(d, volume.shape, spacing, r2, options.borderValue ?? 0, options), volume.shape, volume.spacing);
}

export interface FillHolesOptions extends ForegroundOptions, ProgressOptions {
  /** Connectivity of the background (default 6, as `scipy.ndimage.binary_fill_holes`). */
  connectivity?: Connectivity;
}

/**
 * Fills holes: background regions that do not reach the border of the volume
 * become foreground. Equals `scipy.ndimage.binary_fill_holes` (6-connected
 * background by default). Returns a 0/1 uint8 volume.
 *
 * @example
 * const solid = fillHoles(particles);
 */
export function fillHoles(volume: Volume, options: FillHolesOptions = {}): Volume<Uint8Array> {
  const connectivity = checkConnectivity(options.connectivity);
  const fg = foregroundBytes(volume, options);
  const [nz, ny, nx] = volume.shape;
  const n = fg.length;
  const bg = new Uint8Array(n);
  for (let i = 0; i < n; i++) bg[i] = fg[i] ? 0 : 1;
  const { labels, count } = labelForeground(bg, volume.shape, connectivity, options);
  const border = new Uint8Array(count + 1);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const b = (z * ny + y) * nx;
      if (z === 0 || z === nz - 1 || y === 0 || y === ny - 1) {
        for (let x = 0; x < nx; x++) border[labels[b + x]] = 1;
      } else {
        border[labels[b]] = 1;
        border[labels[b + nx - 1]] = 1;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    bg[i] = l === 0 || border[l] === 0 ? 1 : 0;
  }
  return createVolume(bg, volume.shape, volume.spacing);
}
