/**
 * Tortuosity factor by steady-state diffusion on the voxel grid, as TauFactor 2
 * defines it (Kench, Squires, Dahari, Cooper, SoftwareX 2023; Cooper et al.,
 * SoftwareX 2016): concentration 1 and 0 on the outer faces of the first and
 * last slice along the axis (half a voxel outside their centres), no flux
 * through the side faces, D_eff from the converged flux over a domain length
 * of N voxels, tortuosity factor = volume fraction × D / D_eff.
 */
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Axis, type Volume, axisIndex, checkAllocation, createVolume, dtypeOf } from "../volume";
import { componentsTouching, label } from "../morphology";
import { type Level, finishLevel } from "./grid";
import { type SolveOutcome, defaultOmega, solvePCG, solveSOR } from "./solver";
import { type CLevel, fineLevel } from "./compact";
import { type VectorPrecision, allocateWork, buildHierarchy, estimateSolveBytes, soloTeam, solveBytes, solveMgPcg } from "./mgcg";

/** Solver choice: "mg-pcg" (default) conjugate gradients with an aggregation-multigrid preconditioner;
 * "pcg" conjugate gradients with a Jacobi preconditioner; "sor" red-black over-relaxation (TauFactor's method). */
export type TortuosityMethod = "mg-pcg" | "pcg" | "sor";

export interface TortuosityOptions {
  /** The conducting phase: voxels equal to this value (relative diffusivity 1). */
  phase?: number;
  /** Several conducting phases with their relative diffusivities, e.g. `{ 0: 1, 170: 0.1 }` (pore, carbon-binder). */
  phases?: Readonly<Record<number, number>>;
  /** Transport direction (default "z", through the electrode thickness); "all" solves along z, y and x. */
  axis?: Axis | "all";
  /** Periodic side faces (the faces parallel to the axis) instead of zero flux. Default false. */
  periodicSides?: boolean;
  /**
   * Convergence criterion: stop when the relative spread (max - min) / mean of
   * the flux through the planes between slices and the relative change of the
   * flux since the previous iteration are both at most this (default 1e-4).
   */
  tolerance?: number;
  /** Iteration limit (default 500 for "mg-pcg", 20000 for the others). */
  maxIterations?: number;
  method?: TortuosityMethod;
  /** Over-relaxation factor for "sor" (default from the grid size, about 2 - 4/(3N)). */
  omega?: number;
  /**
   * Precision of the CG and multigrid work vectors of "mg-pcg" (default "float32"; the
   * solution and every sum stay Float64). "float64" costs 12 more bytes per conducting voxel
   * and changes τ by less than 1e-4 relative (docs/tortuosity.md).
   */
  precision?: VectorPrecision;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface TortuosityResult {
  readonly axis: Axis;
  /** (Σ phase volume fraction × relative diffusivity) / (D_eff/D); volumeFraction / (D_eff/D) for one phase. Infinity when nothing percolates. */
  readonly tortuosityFactor: number;
  /** D_eff / D (D = the bulk diffusivity, relative diffusivity 1). */
  readonly effectiveDiffusivityRatio: number;
  /** Voxels of the conducting phase(s) / all voxels, non-percolating voxels included (as TauFactor). */
  readonly volumeFraction: number;
  /** D / D_eff; equals tortuosityFactor / volumeFraction for one phase. */
  readonly macMullinNumber: number;
  /** p in D_eff/D = volumeFraction^p (NaN when volumeFraction is 1). */
  readonly bruggemanExponent: number;
  readonly iterations: number;
  /** ||b - A c|| / ||b|| of the final field. */
  readonly residual: number;
  readonly converged: boolean;
  /** Relative spread of the flux between planes at the end. */
  readonly fluxSpread: number;
  /**
   * D_eff/D implied by the flux through each plane normal to the axis: the inlet face,
   * the N - 1 planes between slices, the outlet face (N + 1 values, equal when converged).
   */
  readonly sliceFlux: Float64Array;
  /** Fraction of the conducting voxels that do not connect inlet to outlet (6-connectivity), left out of the solve. */
  readonly removedFraction: number;
  readonly percolating: boolean;
  /** A sentence for people: what was solved, or why the answer is infinite. */
  readonly message: string;
  readonly method: TortuosityMethod;
  /** Concentration field (inlet 1, outlet 0); 0 in non-conducting and removed voxels. */
  readonly concentration: Volume<Float32Array>;
  /** [iteration, fluxSpread, D_eff/D] at each convergence check. */
  readonly history: ReadonlyArray<readonly [number, number, number]>;
  /**
   * Bytes of the solver's arrays (operator, index maps, vectors, coarse levels; for "mg-pcg"
   * the concentration output too, which reuses the fine index map's memory).
   */
  readonly solverBytes: number;
}

export interface TortuosityAllResult {
  readonly z: TortuosityResult;
  readonly y: TortuosityResult;
  readonly x: TortuosityResult;
  /** Ratios of tortuosity factors between axes (Infinity or NaN where an axis does not percolate). */
  readonly anisotropy: { readonly zOverX: number; readonly zOverY: number; readonly yOverX: number };
}

const FACE_OF = [["z-", "z+"], ["y-", "y+"], ["x-", "x+"]] as const;

function diffusivityTable(options: TortuosityOptions): Map<number, number> {
  const table = new Map<number, number>();
  if (options.phase !== undefined && options.phases !== undefined) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "give either phase or phases, not both");
  }
  if (options.phases !== undefined) {
    if (typeof options.phases !== "object" || options.phases === null) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "phases must be an object { value: relativeDiffusivity }, e.g. { 0: 1, 170: 0.1 }");
    }
    for (const [k, v] of Object.entries(options.phases)) {
      const value = Number(k);
      checkNumber(`phases key ${k}`, value);
      checkNumber(`relative diffusivity of phase ${k}`, v, { min: 0 });
      if (v > 0) table.set(value, v);
    }
    if (Object.keys(options.phases).length === 0) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "phases is empty: name at least one conducting phase, e.g. { 0: 1 }");
    }
  } else {
    const p = options.phase ?? 0;
    checkNumber("phase", p);
    table.set(p, 1);
  }
  return table;
}

/**
 * Merges component labels across periodic wraps (sides only), so a path that
 * leaves one side and re-enters the other counts as connected. Returns the
 * root of each label (union-find over the few labels, not over voxels).
 */
function periodicRoots(comps: Uint32Array, count: number, shape: readonly number[], axis: number, periodic: boolean): Uint32Array {
  const parent = new Uint32Array(count + 1);
  for (let i = 0; i <= count; i++) parent[i] = i;
  if (!periodic) return parent;
  const find = (a: number) => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const [nz, ny, nx] = shape;
  const strides = [ny * nx, nx, 1];
  for (let a = 0; a < 3; a++) {
    if (a === axis || shape[a] < 2) continue;
    const last = (shape[a] - 1) * strides[a];
    // Walk the first plane normal to a (coordinates u, v along the two other axes).
    const [b, c] = a === 0 ? [1, 2] : a === 1 ? [0, 2] : [0, 1];
    for (let u = 0; u < shape[b]; u++) {
      for (let v = 0; v < shape[c]; v++) {
        const i = u * strides[b] + v * strides[c];
        const p = comps[i];
        const q = comps[i + last];
        if (p === 0 || q === 0) continue;
        const rp = find(p);
        const rq = find(q);
        if (rp !== rq) parent[Math.max(rp, rq)] = Math.min(rp, rq);
      }
    }
  }
  for (let l = 0; l <= count; l++) parent[l] = find(l);
  return parent;
}

/** @internal The conducting field: relative diffusivity per voxel, 0 where not conducting or not percolating. */
export interface FieldSetup {
  D: Float32Array;
  volumeFraction: number;
  meanDiffusivity: number;
  removedFraction: number;
  percolating: boolean;
}

/** @internal Diffusivity per voxel, with the voxels that do not connect inlet to outlet removed. */
export function conductingField(volume: Volume, table: Map<number, number>, axis: 0 | 1 | 2, periodic: boolean, signal?: AbortSignal): FieldSetup {
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  const d = volume.data;
  const values = [...table.keys()];
  // Relative diffusivity per voxel before removing non-percolating parts.
  checkAllocation(n * (4 + 4 + 1), "the tortuosity set-up (labels, diffusivities)", n);
  const D = new Float32Array(n);
  let conducting = 0;
  let dsum = 0;
  const dtype = dtypeOf(d);
  if (dtype === "uint8" || dtype === "uint16") {
    // A lookup table instead of a Map lookup per voxel (the common label dtypes).
    const lut = new Float32Array(dtype === "uint8" ? 256 : 65536);
    for (const [value, diff] of table) if (Number.isInteger(value) && value >= 0 && value < lut.length) lut[value] = diff;
    for (let i = 0; i < n; i++) {
      const v = lut[d[i]];
      if (v > 0) {
        D[i] = v;
        conducting++;
        dsum += v;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = table.get(d[i]);
      if (v !== undefined) {
        D[i] = v;
        conducting++;
        dsum += v;
      }
    }
  }
  const volumeFraction = conducting / n;
  const meanDiffusivity = dsum / n;
  throwIfAborted(signal);
  let removed = 0;
  let percolating = false;
  if (conducting > 0) {
    const comps = label(volume, { phase: values, connectivity: 6 });
    const roots = periodicRoots(comps.labels.data, comps.count, volume.shape, axis, periodic);
    // A root percolates when its merged component touches both Dirichlet faces.
    const lo = new Set(componentsTouching(comps, [FACE_OF[axis][0]], { mode: "any" }).map((l) => roots[l]));
    const hi = new Set(componentsTouching(comps, [FACE_OF[axis][1]], { mode: "any" }).map((l) => roots[l]));
    const keep = new Uint8Array(comps.count + 1);
    for (let l = 1; l <= comps.count; l++) keep[l] = lo.has(roots[l]) && hi.has(roots[l]) ? 1 : 0;
    const cl = comps.labels.data;
    for (let i = 0; i < n; i++) {
      if (D[i] > 0 && !keep[cl[i]]) {
        D[i] = 0;
        removed++;
      }
    }
    percolating = removed < conducting;
  }
  return {
    D, volumeFraction, meanDiffusivity,
    removedFraction: conducting > 0 ? removed / conducting : 0, percolating,
  };
}

/** The full-grid operator of grid.ts (for "pcg" and "sor") and the straight-line start. */
function gridLevel(volume: Volume, D: Float32Array, axis: 0 | 1 | 2, periodic: boolean): { level: Level; x: Float64Array } {
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  const [dz, dy, dx] = volume.spacing;
  // Face conductance = harmonic-mean diffusivity × face area / centre distance.
  const kx = (dy * dz) / dx;
  const ky = (dz * dx) / dy;
  const kz = (dx * dy) / dz;
  checkAllocation(n * (3 * 4 + 8 * 2), "the tortuosity operator and solution", n);
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const gz = new Float32Array(n);
  const wrap = [periodic && axis !== 0 && nz > 1, periodic && axis !== 1 && ny > 1, periodic && axis !== 2 && nx > 1];
  const harm = (a: number, b: number) => (a > 0 && b > 0 ? (2 * a * b) / (a + b) : 0);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const i0 = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const i = i0 + x;
        const di = D[i];
        if (di === 0) continue;
        if (x < nx - 1) gx[i] = kx * harm(di, D[i + 1]);
        else if (wrap[2]) gx[i] = kx * harm(di, D[i0]);
        if (y < ny - 1) gy[i] = ky * harm(di, D[i + nx]);
        else if (wrap[1]) gy[i] = ky * harm(di, D[z * ny * nx + x]);
        if (z < nz - 1) gz[i] = kz * harm(di, D[i + ny * nx]);
        else if (wrap[0]) gz[i] = kz * harm(di, D[y * nx + x]);
      }
    }
  }
  const shape = [nz, ny, nx];
  const strides = [ny * nx, nx, 1];
  const [b1, c1] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const nb = shape[b1];
  const nc = shape[c1];
  const ka = [kz, ky, kx][axis];
  const last = (shape[axis] - 1) * strides[axis];
  const bLo = new Float64Array(nb * nc);
  const bHi = new Float64Array(nb * nc);
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const s = u * nc + v;
      const i = u * strides[b1] + v * strides[c1];
      // The Dirichlet face is half a voxel away: conductance D × area / (h / 2).
      // Rounded like the Float32 interior faces, so a uniform block has an exactly linear solution.
      bLo[s] = 2 * Math.fround(ka * D[i]);
      bHi[s] = 2 * Math.fround(ka * D[i + last]);
    }
  }
  const level = finishLevel(nz, ny, nx, axis, gx, gy, gz, bLo, bHi);
  // Start from the straight-line profile: already exact for straight channels.
  const X = new Float64Array(n);
  const na = shape[axis];
  const coord = [0, 0, 0];
  for (let z = 0, i = 0; z < nz; z++) {
    coord[0] = z;
    for (let y = 0; y < ny; y++) {
      coord[1] = y;
      for (let x = 0; x < nx; x++, i++) {
        coord[2] = x;
        if (D[i] > 0) X[i] = 1 - (coord[axis] + 0.5) / na;
      }
    }
  }
  return { level, x: X };
}

function checkVolume(volume: Volume): void {
  if (volume === null || typeof volume !== "object" || !volume.data || !Array.isArray(volume.shape) || volume.shape.length !== 3) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "tortuosity needs a label Volume {data, shape, spacing}");
  }
  dtypeOf(volume.data);
  createVolume(volume.data, volume.shape, volume.spacing);
}

/** @internal The checked options of one axis' solve. */
export interface AxisPlan {
  table: Map<number, number>;
  axis: Axis;
  a: 0 | 1 | 2;
  method: TortuosityMethod;
  tolerance: number;
  maxIterations: number;
  periodic: boolean;
  precision: VectorPrecision;
  /** D_eff/D = flux × scale. */
  scale: number;
  what: string;
}

/** @internal */
export function planAxis(volume: Volume, options: TortuosityOptions, axis: Axis): AxisPlan {
  const table = diffusivityTable(options);
  const a = axisIndex(axis);
  const method = options.method ?? "mg-pcg";
  if (method !== "mg-pcg" && method !== "pcg" && method !== "sor") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `method must be "mg-pcg", "pcg" or "sor", got ${String(method)}`);
  }
  const precision = options.precision ?? "float32";
  if (precision !== "float32" && precision !== "float64") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `precision must be "float32" or "float64", got ${String(precision)}`);
  }
  const tolerance = checkNumber("tolerance", options.tolerance ?? 1e-4, { min: 0, exclusiveMin: true, max: 1 });
  const maxIterations = checkNumber("maxIterations", options.maxIterations ?? (method === "mg-pcg" ? 500 : 20000), {
    min: 1, integer: true,
  });
  const periodic = options.periodicSides ?? false;
  const shape = volume.shape;
  const sp = volume.spacing;
  const [b1, c1] = a === 0 ? [1, 2] : a === 1 ? [0, 2] : [0, 1];
  // D_eff/D = flux × length / (cross-section area × Δc), Δc = 1, i.e. flux / (nb nc k / na) with
  // k = face area / h the face conductance of bulk: taken rounded as the Float32 faces are, so a
  // uniform block gives exactly 1.
  const ka = (sp[b1] * sp[c1]) / sp[a];
  const scale = shape[a] / (shape[b1] * shape[c1] * Math.fround(ka));
  const what = options.phases ? "conducting phases" : `phase ${options.phase ?? 0}`;
  return { table, axis, a, method, tolerance, maxIterations, periodic, precision, scale, what };
}

/** @internal The answer when nothing percolates. */
export function nonPercolatingResult(volume: Volume, plan: AxisPlan, field: FieldSetup): TortuosityResult {
  const eps = field.volumeFraction;
  const { axis, what } = plan;
  return {
    axis, tortuosityFactor: Infinity, effectiveDiffusivityRatio: 0, volumeFraction: eps, macMullinNumber: Infinity,
    bruggemanExponent: eps > 0 && eps < 1 ? Infinity : NaN, iterations: 0, residual: 0, converged: true, fluxSpread: 0,
    sliceFlux: new Float64Array(volume.shape[plan.a] + 1), removedFraction: eps > 0 ? 1 : 0, percolating: false,
    message: eps > 0
      ? `the ${what} (volume fraction ${eps.toFixed(4)}) does not connect the two faces normal to ${axis}: D_eff = 0, tortuosity factor infinite`
      : `the volume has no voxel of the ${what}: D_eff = 0, tortuosity factor infinite`,
    method: plan.method, concentration: createVolume(new Float32Array(volume.data.length), volume.shape, volume.spacing),
    history: [], solverBytes: 0,
  };
}

/**
 * @internal Writes the compact solution into a grid-shaped Float32 field. `into` may be a
 * Float32 view of the fine map's own memory: cell i is read at padded index ≥ i before
 * position i is written, so the scatter can run in place.
 */
export function scatterField(L: CLevel, X: Float64Array, into: Float32Array): void {
  const { nz, ny, nx, map, sy, sz, m } = L;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const r = (z + 1) * sz + (y + 1) * sy + 1;
      for (let x = 0; x < nx; x++, i++) {
        const k = map[r + x];
        into[i] = k < m ? X[k] : 0;
      }
    }
  }
}

/** @internal The result object from a finished solve. */
export function assembleResult(
  volume: Volume, plan: AxisPlan, field: FieldSetup, out: SolveOutcome, conc: Float32Array, solverBytes: number,
): TortuosityResult {
  const { axis, scale, what, tolerance } = plan;
  const eps = field.volumeFraction;
  let sum = 0;
  const sliceFlux = new Float64Array(out.flux.length);
  for (let k = 0; k < out.flux.length; k++) {
    sliceFlux[k] = out.flux[k] * scale;
    sum += sliceFlux[k];
  }
  const ratio = sum / sliceFlux.length;
  const tau = field.meanDiffusivity / ratio;
  return {
    axis,
    tortuosityFactor: tau,
    effectiveDiffusivityRatio: ratio,
    volumeFraction: eps,
    macMullinNumber: 1 / ratio,
    bruggemanExponent: eps < 1 ? Math.log(ratio) / Math.log(eps) : NaN,
    iterations: out.iterations,
    residual: out.residual,
    converged: out.converged,
    fluxSpread: out.fluxSpread,
    sliceFlux,
    removedFraction: field.removedFraction,
    percolating: true,
    message:
      `${what} along ${axis}: tortuosity factor ${tau.toPrecision(5)}, D_eff/D ${ratio.toPrecision(5)}, ` +
      `volume fraction ${eps.toPrecision(5)}, ${(field.removedFraction * 100).toFixed(2)}% of it not percolating; ` +
      (out.converged
        ? `converged in ${out.iterations} iterations (flux spread ${out.fluxSpread.toExponential(2)})`
        : `NOT converged after ${out.iterations} iterations (flux spread ${out.fluxSpread.toExponential(2)} > ${tolerance}); raise maxIterations`),
    method: plan.method,
    concentration: createVolume(conc, volume.shape, volume.spacing),
    history: out.history.map(([i, s, m]) => [i, s, m * scale] as const),
    solverBytes,
  };
}

/**
 * Multigrid defaults: 2 sweeps, coarse correction × 1.5 (piecewise-constant prolongation
 * under-corrects smooth errors; with V-cycles on the sample at 1e-6, 1.5 and 2 sweeps took 16 / 22
 * iterations at 64³ / 128³ against 31 / 39 with 1 and 1 sweep), W-cycle
 * (on the 256³ electrode 3 / 9 iterations at 1e-2 / 1e-4 against 5 / 17 with V-cycles, and about
 * a third less time: docs/tortuosity.md).
 */
export const MG_SWEEPS = 2;
export const MG_ALPHA = 1.5;
export const MG_CYCLE = "W" as const;

function solveAxis(volume: Volume, options: TortuosityOptions, axis: Axis): TortuosityResult {
  const plan = planAxis(volume, options, axis);
  throwIfAborted(options.signal);
  const field = conductingField(volume, plan.table, plan.a, plan.periodic, options.signal);
  if (!field.percolating) {
    options.onProgress?.(1);
    return nonPercolatingResult(volume, plan, field);
  }
  const ctl = { tolerance: plan.tolerance, maxIterations: plan.maxIterations, signal: options.signal, onProgress: options.onProgress };
  const n = volume.data.length;
  if (plan.method === "mg-pcg") {
    const conducting = Math.round(field.volumeFraction * n);
    checkAllocation(estimateSolveBytes(volume.shape, conducting, plan.precision), "the tortuosity solver (compact multigrid)", n);
    const fine = fineLevel(field.D, volume.shape, volume.spacing, plan.a, plan.periodic);
    (field as { D: Float32Array | null }).D = null; // the diffusivities are in the faces now
    const H = buildHierarchy(fine);
    const W = allocateWork(H, plan.precision);
    const solverBytes = solveBytes(H, W);
    throwIfAborted(options.signal);
    const out = solveMgPcg(H, W, soloTeam(options.signal), { ...ctl, sweeps: MG_SWEEPS, alpha: MG_ALPHA, cycle: MG_CYCLE });
    // The field reuses the fine map's memory (it is not needed any more).
    const conc = new Float32Array(fine.map.buffer, 0, n);
    scatterField(fine, W.X, conc);
    options.onProgress?.(1);
    return assembleResult(volume, plan, field, out, conc, solverBytes);
  }
  const { level: L, x } = gridLevel(volume, field.D, plan.a, plan.periodic);
  let out: SolveOutcome;
  // Faces (3 × Float32), inverse diagonal and solution (Float64); the right-hand side lives on the inlet slice only.
  let solverBytes = L.n * (3 * 4 + 8 * 2);
  if (plan.method === "sor") {
    const omega = options.omega === undefined ? defaultOmega(L) : checkNumber("omega", options.omega, { min: 0, exclusiveMin: true, max: 2 });
    solverBytes += L.n * 8;
    out = solveSOR(L, x, ctl, omega);
  } else {
    solverBytes += L.n * 8 * 3;
    out = solvePCG(L, x, ctl);
  }
  const conc = new Float32Array(n);
  conc.set(x);
  options.onProgress?.(1);
  return assembleResult(volume, plan, field, out, conc, solverBytes);
}

/**
 * Tortuosity factor of one or more conducting phases by steady-state
 * diffusion (TauFactor 2's definition; see docs/tortuosity.md). Voxels of the
 * phase not connected inlet-to-outlet are left out and their fraction reported.
 * A phase that does not percolate gives D_eff = 0 and an infinite tortuosity
 * factor with `converged: true` and a message, not an error.
 * Runs on one thread (`tortuosityParallel` in parallel/ runs the default solver on several).
 *
 * @example
 * const t = tortuosity(labels, { phase: 0, axis: "z" });
 * console.log(t.tortuosityFactor, t.effectiveDiffusivityRatio, t.converged);
 * // carbon-binder conducts at 10 % of the pore diffusivity:
 * const t2 = tortuosity(labels, { phases: { 0: 1, 170: 0.1 }, axis: "z" });
 * const all = tortuosity(labels, { phase: 0, axis: "all" }); // all.z, all.y, all.x, all.anisotropy
 */
export function tortuosity(labels: Volume, options: TortuosityOptions & { axis: "all" }): TortuosityAllResult;
export function tortuosity(labels: Volume, options?: TortuosityOptions & { axis?: Axis }): TortuosityResult;
export function tortuosity(labels: Volume, options?: TortuosityOptions): TortuosityResult | TortuosityAllResult;
export function tortuosity(labels: Volume, options: TortuosityOptions = {}): TortuosityResult | TortuosityAllResult {
  checkVolume(labels);
  const axis = options.axis ?? "z";
  if (axis !== "all") return solveAxis(labels, options, axis);
  const progress = options.onProgress;
  const part = (k: number) => (progress ? { ...options, onProgress: (f: number) => progress((k + f) / 3) } : options);
  const z = solveAxis(labels, part(0), "z");
  const y = solveAxis(labels, part(1), "y");
  const x = solveAxis(labels, part(2), "x");
  return {
    z, y, x,
    anisotropy: {
      zOverX: z.tortuosityFactor / x.tortuosityFactor,
      zOverY: z.tortuosityFactor / y.tortuosityFactor,
      yOverX: y.tortuosityFactor / x.tortuosityFactor,
    },
  };
}
