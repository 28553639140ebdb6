/**
 * Shared pieces of the filters: boundary modes (SciPy's names and meanings),
 * input checks, output dtypes, and the plane-by-plane driver that both the
 * single-threaded functions and the worker pool use, so results do not depend
 * on how the z range is split.
 */
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import {
  type DType,
  type Triple,
  type VoxelArray,
  type Volume,
  DTYPE_RANGE,
  DTYPES,
  checkAllocation,
  ctorOf,
  dtypeOf,
  isFloatDType,
  isLabelVolume,
} from "../volume";

/**
 * How values beyond the border are made, with scipy.ndimage's meanings:
 * - `reflect`  (d c b a | a b c d | d c b a): half-sample symmetric, the edge voxel repeated;
 * - `mirror`   (d c b | a b c d | c b a): whole-sample symmetric;
 * - `nearest`  (a a a | a b c d | d d d);
 * - `constant` (k k k | a b c d | k k k) with k = `cval`;
 * - `wrap`     (a b c d | a b c d | a b c d): periodic.
 */
export type BoundaryMode = "reflect" | "mirror" | "nearest" | "constant" | "wrap";
export const BOUNDARY_MODES: readonly BoundaryMode[] = ["reflect", "mirror", "nearest", "constant", "wrap"];

/** Options every long-running filter takes. */
export interface ProgressOptions {
  /** Stops the work (TomolyteError CANCELLED) between z-slabs. */
  signal?: AbortSignal;
  /** Called with the fraction done, in [0, 1]. */
  onProgress?: (fractionDone: number) => void;
}

/** Boundary options shared by the neighbourhood filters. */
export interface BoundaryOptions {
  /** Boundary mode (default "reflect", as scipy.ndimage). */
  mode?: BoundaryMode;
  /** The value beyond the border in "constant" mode (default 0). */
  cval?: number;
}

/** @internal Throws unless `mode` is a known boundary mode. */
export function checkMode(mode: unknown): BoundaryMode {
  const m = mode ?? "reflect";
  if (!(BOUNDARY_MODES as readonly unknown[]).includes(m)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `mode must be one of ${BOUNDARY_MODES.join(", ")} (scipy.ndimage's names), got ${String(mode)}`,
    );
  }
  return m as BoundaryMode;
}

/**
 * @internal Index of the voxel that stands at position `i` of an axis of
 * length `n`, or -1 where the constant value stands. Works for any distance
 * beyond the border (repeated reflections), as SciPy does.
 */
export function mapIndex(i: number, n: number, mode: BoundaryMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "constant":
      return -1;
    case "nearest":
      return i < 0 ? 0 : n - 1;
    case "wrap": {
      const j = i % n;
      return j < 0 ? j + n : j;
    }
    case "reflect": {
      const p = 2 * n;
      let j = i % p;
      if (j < 0) j += p;
      return j >= n ? p - 1 - j : j;
    }
    case "mirror": {
      if (n === 1) return 0;
      const p = 2 * n - 2;
      let j = i % p;
      if (j < 0) j += p;
      return j >= n ? p - j : j;
    }
  }
}

/** @internal Map of positions -pad..n+pad-1 (stored at index + pad) to source indices (-1: constant). */
export function indexMap(n: number, pad: number, mode: BoundaryMode): Int32Array {
  const m = new Int32Array(n + 2 * pad);
  for (let i = 0; i < m.length; i++) m[i] = mapIndex(i - pad, n, mode);
  return m;
}

/**
 * True when no voxel is NaN or ±Inf: x·0 is ±0 for finite x and NaN otherwise, so four
 * branch-free sums stay exactly at their start when every voxel is finite (about 2× faster than a
 * compare per voxel: the scan runs on the calling thread before any parallel work).
 */
function allFinite(d: Float32Array | Float64Array): boolean {
  const n = d.length;
  const n4 = n & ~3;
  // The sums start at 0.5 (not 0) so that V8 keeps them as doubles from the first iteration.
  let a = 0.5;
  let b = 0.5;
  let c = 0.5;
  let e = 0.5;
  let i = 0;
  for (; i < n4; i += 4) {
    a += d[i] * 0;
    b += d[i + 1] * 0;
    c += d[i + 2] * 0;
    e += d[i + 3] * 0;
  }
  for (; i < n; i++) a += d[i] * 0;
  return a + b + c + e === 2;
}

/**
 * @internal Checks a volume given to a grey-value filter: not a label volume,
 * and (for float data) no NaN or infinite voxels, which would silently spread.
 */
export function checkGreyInput(volume: Volume, op: string): DType {
  if (volume === null || typeof volume !== "object" || !volume.data || !Array.isArray(volume.shape)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${op}: expected a Volume {data, shape, spacing}, got ${String(volume)}`);
  }
  const dtype = dtypeOf(volume.data);
  const [nz, ny, nx] = volume.shape;
  if (volume.data.length !== nz * ny * nx) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `${op}: data has ${volume.data.length} voxels but shape ${volume.shape.join("×")} needs ${nz * ny * nx}`);
  }
  if (isLabelVolume(volume)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `${op} works on grey values, but got a label volume (phases ${volume.phases.map((p) => p.name).join(", ")}); ` +
        `filter the grey-value volume before segmenting, or use morphology/ on labels`,
    );
  }
  if (isFloatDType(dtype) && !allFinite(volume.data as Float32Array | Float64Array)) {
    const d = volume.data;
    let bad = 0;
    let first = -1;
    for (let i = 0; i < d.length; i++) {
      const x = d[i];
      if (x - x !== 0) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad > 0) {
      const x = first % nx;
      const y = Math.floor(first / nx) % ny;
      const z = Math.floor(first / (nx * ny));
      throw new TomolyteError(
        ERROR_CODES.INVALID_ARGUMENT,
        `${op}: the volume has ${bad} NaN or infinite voxel(s) (first at z=${z}, y=${y}, x=${x}); ` +
          `replace them (e.g. with the median of their neighbours or 0) before filtering`,
        { nonFiniteCount: bad, first: [z, y, x] },
      );
    }
  }
  return dtype;
}

/** @internal Output dtype: float64 stays float64; everything else becomes float32 unless asked otherwise. */
export function floatOutDType(inDType: DType, requested: unknown): DType {
  if (requested !== undefined) {
    if (!(DTYPES as readonly unknown[]).includes(requested)) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `dtype must be one of ${DTYPES.join(", ")}, got ${String(requested)}`);
    }
    return requested as DType;
  }
  return inDType === "float64" ? "float64" : "float32";
}

/** @internal Allocates an output array after checking the memory budget. */
export function allocOut(dtype: DType, n: number, what: string): VoxelArray {
  const Ctor = ctorOf(dtype);
  checkAllocation(n * Ctor.BYTES_PER_ELEMENT, what, n);
  return new Ctor(n);
}

/**
 * @internal Stores float results of plane `z` into `out`: plain copy for float
 * outputs, rounding half away from zero and clipping to the range for integers.
 */
export function storePlane(src: Float64Array, out: VoxelArray, offset: number, outDType: DType): void {
  const n = src.length;
  if (isFloatDType(outDType)) {
    for (let i = 0; i < n; i++) out[offset + i] = src[i];
    return;
  }
  const [lo, hi] = DTYPE_RANGE[outDType];
  for (let i = 0; i < n; i++) {
    const v = src[i];
    const r = v < 0 ? -Math.round(-v) : Math.round(v);
    out[offset + i] = r < lo ? lo : r > hi ? hi : r;
  }
}

/**
 * @internal Resolves a length given either in voxels (`*Voxels`) or in
 * micrometres (`*_um`, divided by the spacing of each axis) to per-axis voxels.
 */
export function perAxis(
  name: string,
  voxels: number | readonly number[] | undefined,
  um: number | readonly number[] | undefined,
  spacing: Triple,
  opts: { allowZero: boolean; defaultVoxels?: number },
): [number, number, number] {
  if (voxels !== undefined && um !== undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `give ${name}Voxels or ${name}_um, not both`);
  }
  const triple = (v: number | readonly number[], label: string): [number, number, number] => {
    if (typeof v === "number") return [v, v, v];
    if (!Array.isArray(v) || v.length !== 3) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${label} must be a number or [z, y, x], got ${JSON.stringify(v)}`);
    }
    return [v[0], v[1], v[2]];
  };
  let t: [number, number, number];
  if (voxels !== undefined) t = triple(voxels, `${name}Voxels`);
  else if (um !== undefined) {
    const u = triple(um, `${name}_um`);
    t = [u[0] / spacing[0], u[1] / spacing[1], u[2] / spacing[2]];
  } else if (opts.defaultVoxels !== undefined) t = [opts.defaultVoxels, opts.defaultVoxels, opts.defaultVoxels];
  else throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `give ${name}Voxels (voxels) or ${name}_um (micrometres)`);
  const label = voxels !== undefined ? `${name}Voxels` : `${name}_um`;
  for (const v of t) checkNumber(label, v, { min: 0, exclusiveMin: !opts.allowZero });
  if (t.every((v) => v === 0)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${label} must be > 0 along at least one axis, got ${JSON.stringify(voxels ?? um)}`);
  }
  return t;
}

/**
 * @internal Runs `planes(z0, z1)` over the whole z range in slabs, checking the
 * signal and reporting progress between slabs. Every plane's result depends
 * only on its z index, never on the slab it was computed in.
 */
export function runInSlabs(nz: number, work: (z0: number, z1: number) => void, p: ProgressOptions, slabPlanes = 8): void {
  throwIfAborted(p.signal);
  for (let z0 = 0; z0 < nz; z0 += slabPlanes) {
    const z1 = Math.min(nz, z0 + slabPlanes);
    work(z0, z1);
    throwIfAborted(p.signal);
    p.onProgress?.(z1 / nz);
  }
}

/*
 * Scratch buffers kept between calls. On the development VM the first touch of
 * fresh memory costs ~4 ms per MiB in page faults, more than a filter's own work
 * on its per-slab buffers; slab kernels take their work planes from here and give
 * them back. At most SCRATCH_KEEP_BYTES are kept per thread (each worker has its own).
 */
const SCRATCH_KEEP_BYTES = 64 * 1024 * 1024;
const scratchFree: ArrayBufferView[] = [];
let scratchBytes = 0;

/** @internal A typed array of class `Ctor` and length `n` from the scratch pool (contents undefined). */
export function takeScratch<T extends VoxelArray>(Ctor: new (n: number) => T, n: number): T {
  for (let i = scratchFree.length - 1; i >= 0; i--) {
    const a = scratchFree[i];
    if (a.constructor === Ctor && (a as T).length === n) {
      scratchFree.splice(i, 1);
      scratchBytes -= a.byteLength;
      return a as T;
    }
  }
  return new Ctor(n);
}

/** @internal Gives scratch arrays back to the pool (dropped beyond the byte cap, oldest first). */
export function giveScratch(...arrays: ArrayBufferView[]): void {
  for (const a of arrays) {
    if (a.byteLength === 0 || a.buffer instanceof SharedArrayBuffer || scratchFree.includes(a)) continue;
    scratchFree.push(a);
    scratchBytes += a.byteLength;
  }
  while (scratchBytes > SCRATCH_KEEP_BYTES && scratchFree.length > 0) {
    const old = scratchFree.shift() as ArrayBufferView;
    scratchBytes -= old.byteLength;
  }
}
