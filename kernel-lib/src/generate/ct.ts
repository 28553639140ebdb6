/**
 * A seeded forward model of an X-ray CT scan: from a label volume (the truth)
 * to the grey volume a scanner would give, so that a workflow can start from
 * grey values and be checked against known phases.
 *
 * The model, applied in this order (equations in docs/data.md):
 *   1. ideal image     g0(x) = attenuation[label(x)]
 *   2. cupping         g1(x) = g0(x) · (1 + c · ρ(x)²), ρ = distance from the
 *                      rotation axis / half the diagonal of the plane normal to it
 *                      (beam hardening: the rim reconstructs brighter than the centre)
 *   3. point spread    g2 = G_σ * g1 (Gaussian blur, σ in voxels)
 *   4. noise           g3(x) = g2(x) + σ_n · N(0, 1), one seeded normal per voxel in C order
 *   5. output          rounded and clipped to the dtype's range for integer dtypes
 */
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type BoundaryMode, gaussian } from "../filters";
import {
  type Axis,
  type DType,
  type Volume,
  DTYPE_RANGE,
  assertDType,
  axisIndex,
  checkAllocation,
  createVolume,
  ctorOf,
  isFloatDType,
} from "../volume";
import { createRng } from "./rng";

/** Options of simulateCT(). */
export interface SimulateCTOptions {
  /**
   * Grey level of each label value before cupping, blur and noise, e.g.
   * `{ 0: 40, 170: 100, 85: 200 }` (pore dark, carbon-binder low, NMC bright:
   * ordered as the phases' X-ray attenuation). Every label value in the volume needs one.
   */
  attenuation: Readonly<Record<number, number>>;
  /** Standard deviation of the Gaussian point spread, in voxels (default 1; 0 = no blur). */
  blurSigmaVoxels?: number;
  /** Standard deviation of the additive Gaussian noise, in grey levels (default 0). */
  noiseSigma?: number;
  /** Relative brightening at the corners of the plane normal to `cuppingAxis` (default 0; 0.1 = 10 % brighter rim). */
  cupping?: number;
  /** The scanner's rotation axis; cupping is radial around it (default "z"). */
  cuppingAxis?: Axis;
  /** Seed of the noise (default 0). The same seed gives the same volume, bit for bit. */
  seed?: number;
  /** dtype of the result (default "float32"); integer dtypes are rounded and clipped. */
  dtype?: DType;
  /** Boundary handling of the blur, scipy.ndimage's names (default "reflect"). */
  mode?: BoundaryMode;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/**
 * Simulates a CT scan of a label volume: grey levels per phase, radial
 * cupping, Gaussian point spread and Gaussian noise, deterministic for a seed.
 * The result has the labels' shape and spacing.
 *
 * @example
 * const grey = simulateCT(labels, {
 *   attenuation: { 0: 40, 170: 100, 85: 200 },
 *   blurSigmaVoxels: 1, noiseSigma: 12, cupping: 0.08, seed: 2024, dtype: "uint8",
 * });
 */
export function simulateCT(labels: Volume, options: SimulateCTOptions): Volume {
  if (options === null || typeof options !== "object" || options.attenuation === null || typeof options.attenuation !== "object") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "simulateCT needs options.attenuation: a grey level for each label value, e.g. { 0: 40, 85: 200 }");
  }
  const blur = checkNumber("blurSigmaVoxels", options.blurSigmaVoxels ?? 1, { min: 0 });
  const noise = checkNumber("noiseSigma", options.noiseSigma ?? 0, { min: 0 });
  const cupping = checkNumber("cupping", options.cupping ?? 0, { min: -1, exclusiveMin: true });
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const dtype = assertDType(options.dtype ?? "float32");
  const rotation = axisIndex(options.cuppingAxis ?? "z");
  const { signal, onProgress } = options;

  const lut = new Map<number, number>();
  for (const [key, grey] of Object.entries(options.attenuation)) {
    const value = Number(key);
    if (!Number.isFinite(value)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `attenuation keys must be label values (numbers), got "${key}"`);
    }
    lut.set(value, checkNumber(`attenuation[${key}]`, grey));
  }

  const [nz, ny, nx] = labels.shape;
  const n = labels.data.length;
  // float32 is ample for grey levels; float64 output keeps float64 throughout.
  const workDType = dtype === "float64" ? "float64" : "float32";
  checkAllocation(n * (workDType === "float64" ? 8 : 4), `a ${nz}×${ny}×${nx} ${workDType} simulated scan`, n);
  const work = workDType === "float64" ? new Float64Array(n) : new Float32Array(n);

  // 1 + 2: ideal grey levels times the cupping profile. The profile depends
  // only on the two coordinates across the rotation axis, so it is tabulated
  // per plane once.
  const plane = planeAxes(rotation);
  const n1 = labels.shape[plane[0]];
  const n2 = labels.shape[plane[1]];
  const d1 = labels.spacing[plane[0]];
  const d2 = labels.spacing[plane[1]];
  const c1 = (n1 - 1) / 2;
  const c2 = (n2 - 1) / 2;
  const r2max = (c1 * d1) ** 2 + (c2 * d2) ** 2;
  const profile = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      const rho2 = r2max > 0 ? (((i - c1) * d1) ** 2 + ((j - c2) * d2) ** 2) / r2max : 0;
      profile[i * n2 + j] = 1 + cupping * rho2;
    }
  }
  const d = labels.data;
  const missing = new Set<number>();
  for (let z = 0; z < nz; z++) {
    throwIfAborted(signal);
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const g = lut.get(d[row + x]);
        if (g === undefined) {
          missing.add(d[row + x]);
          continue;
        }
        const c = rotation === 0 ? y * n2 + x : rotation === 1 ? z * n2 + x : z * n2 + y;
        work[row + x] = g * profile[c];
      }
    }
    onProgress?.(0.2 * ((z + 1) / nz));
  }
  if (missing.size > 0) {
    const list = [...missing].sort((a, b) => a - b).slice(0, 10);
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `label value(s) ${list.join(", ")} have no grey level in options.attenuation (given: ${[...lut.keys()].join(", ") || "none"})`,
      { missing: list },
    );
  }

  // 3: point spread.
  let blurred: Volume = createVolume(work, labels.shape, labels.spacing);
  if (blur > 0) {
    blurred = gaussian(blurred, {
      sigmaVoxels: blur,
      dtype: workDType,
      mode: options.mode ?? "reflect",
      signal,
      onProgress: onProgress ? (f: number) => onProgress(0.2 + 0.6 * f) : undefined,
    });
  }

  // 4 + 5: noise, then the output dtype.
  const src = blurred.data;
  checkAllocation(n * ctorOf(dtype).BYTES_PER_ELEMENT, `the ${dtype} simulated scan`, n);
  const out = new (ctorOf(dtype))(n);
  const toInt = !isFloatDType(dtype);
  const [lo, hi] = DTYPE_RANGE[dtype];
  const slab = ny * nx;
  for (let z = 0; z < nz; z++) {
    throwIfAborted(signal);
    const end = (z + 1) * slab;
    for (let i = z * slab; i < end; i++) {
      let g = noise > 0 ? src[i] + noise * rng.normal() : src[i];
      if (toInt) g = Math.round(g < lo ? lo : g > hi ? hi : g);
      out[i] = g;
    }
    onProgress?.(0.8 + 0.2 * ((z + 1) / nz));
  }
  return createVolume(out, labels.shape, labels.spacing);
}

/** The two axes spanning the plane normal to the rotation axis, in index order. */
function planeAxes(rotation: 0 | 1 | 2): [number, number] {
  return rotation === 0 ? [1, 2] : rotation === 1 ? [0, 2] : [0, 1];
}
