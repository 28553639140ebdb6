import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type DType, type VoxelArray, type Volume, checkAllocation, createVolume } from "../volume";
import { type ProgressOptions, checkGreyInput, floatOutDType } from "./common";

/** exp(-u²) tabulated for u² in [0, 16] (exp(-16) ≈ 1e-7), linearly interpolated: relative error < 2e-7. */
const EXP_MAX = 16;
const EXP_STEPS = 16384;
const EXP_TABLE = (() => {
  const t = new Float64Array(EXP_STEPS + 2);
  for (let i = 0; i < t.length; i++) t[i] = Math.exp((-i * EXP_MAX) / EXP_STEPS);
  return t;
})();

export interface DiffusionOptions extends ProgressOptions {
  /** Edge threshold in grey units: neighbour differences well above kappa are kept as edges. */
  kappa: number;
  /** Time step γ; stable up to 1/6 for isotropic voxels (1 / (2 Σ w_axis) in general). Default 1/7. */
  step?: number;
  /** Number of explicit steps (default 10). */
  iterations?: number;
  /** "exp": g = exp(−(|∇I|/κ)²), favours high-contrast edges; "quadratic": g = 1 / (1 + (|∇I|/κ)²), favours wide regions. Default "exp". */
  conductance?: "exp" | "quadratic";
  /** Output dtype (default float32; float64 for float64 input). */
  dtype?: DType;
}

/** @internal What a worker needs for one explicit step over some planes. */
export interface DiffusionParams {
  kappa: number;
  step: number;
  iterations: number;
  quadratic: boolean;
  /** per-axis difference scale s (z, y, x) and flux weight w = 1/s² */
  s: [number, number, number];
  w: [number, number, number];
  outDType: DType;
}

/** @internal Validates the options of anisotropicDiffusion. */
export function prepareDiffusion(volume: Volume, options: DiffusionOptions): DiffusionParams {
  const inDType = checkGreyInput(volume, "anisotropicDiffusion");
  if (!options || options.kappa === undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "anisotropicDiffusion needs kappa (grey units): about 1-3× the noise sigma, see estimateSigma()");
  }
  const kappa = checkNumber("kappa", options.kappa, { min: 0, exclusiveMin: true });
  const iterations = checkNumber("iterations", options.iterations ?? 10, { min: 0, integer: true });
  const conductance = options.conductance ?? "exp";
  if (conductance !== "exp" && conductance !== "quadratic") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `conductance must be "exp" or "quadratic", got ${String(conductance)}`);
  }
  const [dz, dy, dx] = volume.spacing;
  const dmin = Math.min(dz, dy, dx);
  const s: [number, number, number] = [dz / dmin, dy / dmin, dx / dmin];
  const w = s.map((v) => 1 / (v * v)) as [number, number, number];
  const maxStep = 1 / (2 * (w[0] + w[1] + w[2]));
  const step = checkNumber("step", options.step ?? Math.min(1 / 7, maxStep), { min: 0, exclusiveMin: true });
  if (step > maxStep + 1e-12) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `anisotropicDiffusion: step ${step} is unstable for this spacing; use step <= ${maxStep.toPrecision(4)}`,
    );
  }
  const outDType = floatOutDType(inDType, options.dtype);
  if (outDType !== "float32" && outDType !== "float64") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `anisotropicDiffusion: dtype must be float32 or float64, got ${outDType}`);
  }
  return { kappa, step, iterations, quadratic: conductance === "quadratic", s, w, outDType };
}

/**
 * @internal One explicit step for planes [z0, z1): dst = src + fluxes, reading
 * src (the previous step, or the input volume) planes z0−1 .. z1. Each face's
 * flux g(Δ/(κ s))·Δ is computed once and moved from one voxel to the other
 * (conservative by construction, 3 conductances per voxel); a face between two
 * slabs is computed by both with the same operands, and every voxel adds its
 * fluxes in the same order (z−, z+, y−, y+, x−, x+) whatever the split, so any
 * number of threads gives the same bits.
 */
export function diffusionPlanes(volume: Volume, p: DiffusionParams, z0: number, z1: number, dst: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const src = volume.data;
  const plane = ny * nx;
  for (let i = z0 * plane; i < z1 * plane; i++) dst[i] = src[i];
  const quad = p.quadratic;
  const face = (i: number, stride: number, ik2: number, gw: number): number => {
    const d = src[i + stride] - src[i];
    const u2 = d * d * ik2;
    let g: number;
    if (quad) g = 1 / (1 + u2);
    else if (u2 >= EXP_MAX) g = 0;
    else {
      // table look-up: Math.exp per face costs more than all the rest of the step
      const t = u2 * (EXP_STEPS / EXP_MAX);
      const k = t | 0;
      g = EXP_TABLE[k] + (EXP_TABLE[k + 1] - EXP_TABLE[k]) * (t - k);
    }
    return gw * g * d;
  };
  const k2 = (axis: number) => 1 / (p.kappa * p.s[axis]) ** 2;
  // z faces (z, z+1) that touch the slab
  if (nz > 1) {
    const ik2 = k2(0);
    const gw = p.step * p.w[0];
    for (let z = Math.max(0, z0 - 1); z < Math.min(z1, nz - 1); z++) {
      const o = z * plane;
      const mine = z >= z0;
      const next = z + 1 < z1;
      for (let j = 0; j < plane; j++) {
        const f = face(o + j, plane, ik2, gw);
        if (mine) dst[o + j] += f;
        if (next) dst[o + j + plane] -= f;
      }
    }
  }
  for (let z = z0; z < z1; z++) {
    if (ny > 1) {
      const ik2 = k2(1);
      const gw = p.step * p.w[1];
      for (let y = 0; y < ny - 1; y++) {
        const o = z * plane + y * nx;
        for (let x = 0; x < nx; x++) {
          const f = face(o + x, nx, ik2, gw);
          dst[o + x] += f;
          dst[o + x + nx] -= f;
        }
      }
    }
    if (nx > 1) {
      const ik2 = k2(2);
      const gw = p.step * p.w[2];
      for (let y = 0; y < ny; y++) {
        const o = z * plane + y * nx;
        for (let x = 0; x < nx - 1; x++) {
          const f = face(o + x, 1, ik2, gw);
          dst[o + x] += f;
          dst[o + x + 1] -= f;
        }
      }
    }
  }
}

/**
 * Anisotropic diffusion (Perona & Malik 1990) in 3D: explicit steps of
 * `I += γ Σ_n w_n g(|Δ_n I| / s_n) Δ_n I` over the 6 face neighbours, with
 * zero flux through the volume's faces (so the mean grey value is conserved).
 * Anisotropic spacing: differences are divided by s_n = spacing_n / min spacing
 * before the conductance, and the flux is weighted by w_n = 1 / s_n².
 * Float math in float64 per face; the volume between steps is float32
 * (float64 for float64 input). `parallel.anisotropicDiffusion` gives the same
 * numbers on worker threads.
 *
 * @example
 * const smooth = anisotropicDiffusion(ct, { kappa: 30, step: 1 / 7, iterations: 15, conductance: "exp" });
 */
export function anisotropicDiffusion(volume: Volume, options: DiffusionOptions): Volume {
  const p = prepareDiffusion(volume, options);
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  const Ctor = p.outDType === "float64" ? Float64Array : Float32Array;
  checkAllocation((p.iterations > 1 ? 2 : 1) * n * Ctor.BYTES_PER_ELEMENT, "the diffusion buffers", n);
  let a: Float32Array | Float64Array = new Ctor(n);
  if (p.iterations === 0) {
    a.set(volume.data);
    return createVolume(a, volume.shape, volume.spacing);
  }
  let b: Float32Array | Float64Array | undefined;
  let cur: Volume = volume;
  for (let it = 0; it < p.iterations; it++) {
    throwIfAborted(options.signal);
    diffusionPlanes(cur, p, 0, nz, a);
    cur = createVolume(a, volume.shape, volume.spacing);
    b ??= p.iterations > 1 ? new Ctor(n) : undefined;
    const t = a;
    a = b as Float32Array | Float64Array;
    b = t;
    options.onProgress?.((it + 1) / p.iterations);
  }
  return cur;
}
