/**
 * Steady transport on a pore network: Fickian diffusion and Stokes flow, one
 * unknown per pore, conduit conductances from conduits.ts, a CSR matrix and
 * Jacobi-preconditioned conjugate gradients.
 */
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Axis, axisIndex } from "../volume";
import { type ConduitModel, CONDUIT_MODELS, conduitLengths, cylinderResistance, poreElementResistance } from "./conduits";
import type { PoreNetwork } from "./types";

const DEFAULT_MODEL: ConduitModel = "cones-cylinders";

/** A sparse matrix in compressed sparse row form. */
export interface CsrMatrix {
  readonly rows: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/**
 * y = A·x for a CSR matrix.
 *
 * @example
 * csrMultiply(A, x, y);
 */
export function csrMultiply(A: CsrMatrix, x: Float64Array, y: Float64Array): void {
  const { rows, rowPtr, col, val } = A;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) s += val[k] * x[col[k]];
    y[i] = s;
  }
}

export interface PcgOptions {
  /** Stop when ‖b − A·x‖ ≤ tolerance·‖b‖ (default 1e-12). */
  tolerance?: number;
  /** Default 10 × rows + 100. */
  maxIterations?: number;
  signal?: AbortSignal;
}

export interface PcgResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** ‖b − A·x‖ / ‖b‖ at the end. */
  readonly residual: number;
  readonly converged: boolean;
}

/**
 * Conjugate gradients with a Jacobi (diagonal) preconditioner for a symmetric
 * positive definite CSR matrix.
 *
 * @example
 * const { x, converged } = pcg(A, b, { tolerance: 1e-12 });
 */
export function pcg(A: CsrMatrix, b: Float64Array, options: PcgOptions = {}): PcgResult {
  const n = A.rows;
  const tol = options.tolerance ?? 1e-12;
  const maxIt = options.maxIterations ?? 10 * n + 100;
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const dinv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let k = A.rowPtr[i]; k < A.rowPtr[i + 1]; k++) if (A.col[k] === i) d = A.val[k];
    if (!(d > 0)) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `matrix row ${i} has a non-positive diagonal: not SPD`);
    dinv[i] = 1 / d;
  }
  let bn = 0;
  for (let i = 0; i < n; i++) bn += b[i] * b[i];
  bn = Math.sqrt(bn);
  if (bn === 0) return { x, iterations: 0, residual: 0, converged: true };
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = dinv[i] * r[i];
  const p = Float64Array.from(z);
  const q = new Float64Array(n);
  let rz = 0;
  for (let i = 0; i < n; i++) rz += r[i] * z[i];
  let it = 0;
  let res = 1;
  while (it < maxIt) {
    if ((it & 63) === 0) throwIfAborted(options.signal);
    csrMultiply(A, p, q);
    let pq = 0;
    for (let i = 0; i < n; i++) pq += p[i] * q[i];
    const alpha = rz / pq;
    let rr = 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      rr += r[i] * r[i];
    }
    it++;
    res = Math.sqrt(rr) / bn;
    if (res <= tol) break;
    let rzNew = 0;
    for (let i = 0; i < n; i++) {
      z[i] = dinv[i] * r[i];
      rzNew += r[i] * z[i];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  // The recurrence residual drifts; report the true one.
  csrMultiply(A, x, q);
  let rr = 0;
  for (let i = 0; i < n; i++) rr += (b[i] - q[i]) ** 2;
  res = Math.sqrt(rr) / bn;
  return { x, iterations: it, residual: res, converged: res <= Math.max(tol, 1e-9) };
}

export interface ConductanceOptions {
  /**
   * Conduit model (default "cones-cylinders"; OpenPNM's geometry for SNOW networks is
   * "spheres-cylinders" with inscribed throats). See docs/network.md for how each
   * compares with the voxel solution.
   */
  model?: ConduitModel;
  /**
   * Throat radius from the "equivalent" diameter (default: the disc of the interface
   * area, which keeps slit-like throats' conductance) or the "inscribed" diameter (OpenPNM's choice).
   */
  throatDiameter?: "inscribed" | "equivalent";
}

/**
 * Geometric conductances ("size factors") of every throat's conduit (pore 1 half,
 * throat, pore 2 half in series): `diffusive` in µm (g = D × this), `hydraulic`
 * in µm³ (g = this / μ). Boundary pores have no pore element.
 *
 * @example
 * const { diffusive, hydraulic } = conduitConductances(network, { model: "cones-cylinders" });
 */
export function conduitConductances(network: PoreNetwork, options: ConductanceOptions = {}): { diffusive: Float64Array; hydraulic: Float64Array } {
  const model = options.model ?? DEFAULT_MODEL;
  if (!CONDUIT_MODELS.includes(model)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `model must be one of ${CONDUIT_MODELS.join(", ")}, got ${String(model)}`);
  }
  const which = options.throatDiameter ?? "equivalent";
  if (which !== "inscribed" && which !== "equivalent") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `throatDiameter must be "inscribed" or "equivalent", got ${String(which)}`);
  }
  const { pores: P, throats: T } = network;
  const diffusive = new Float64Array(T.count);
  const hydraulic = new Float64Array(T.count);
  for (let t = 0; t < T.count; t++) {
    const a = T.pore1[t], b = T.pore2[t];
    const Rt = (which === "inscribed" ? T.inscribedDiameter_um[t] : T.equivalentDiameter_um[t]) / 2;
    const R1 = P.boundary[a] ? 0 : P.inscribedDiameter_um[a] / 2;
    const R2 = P.boundary[b] ? 0 : P.inscribedDiameter_um[b] / 2;
    if (!(Rt > 0)) continue; // no opening: no conductance
    const [L1, Lt, L2] = conduitLengths(model, R1, R2, Rt, T.directLength_um[t]);
    const e1 = poreElementResistance(model, R1, Rt, L1);
    const e2 = poreElementResistance(model, R2, Rt, L2);
    const et = cylinderResistance(Rt, Lt);
    const rd = e1[0] + e2[0] + et[0];
    const rh = e1[1] + e2[1] + et[1];
    diffusive[t] = rd > 0 ? 1 / rd : 0;
    hydraulic[t] = rh > 0 ? 1 / rh : 0;
  }
  return { diffusive, hydraulic };
}

export interface NetworkTransportOptions extends ConductanceOptions {
  /** Direction (default "z"): boundary pores on the "−" face are the inlet, those on the "+" face the outlet. */
  axis?: Axis;
  /** Relative tolerance of the linear solve (default 1e-12). */
  tolerance?: number;
  maxIterations?: number;
  signal?: AbortSignal;
}

export interface NetworkSolveResult {
  readonly axis: Axis;
  /** Value in each pore (inlet 1, outlet 0); NaN in pores cut off from the inlet or the outlet. */
  readonly poreValue: Float64Array;
  /** Flow through each throat from pore1 to pore2, for a unit difference and unit D or 1/μ (µm³/s per unit). */
  readonly throatRate: Float64Array;
  /** Total rate entering at the inlet. */
  readonly inletRate: number;
  /** Total rate leaving at the outlet (equals inletRate at convergence). */
  readonly outletRate: number;
  /** Fraction of internal pores that take part (connected to both inlet and outlet). */
  readonly connectedFraction: number;
  readonly percolating: boolean;
  readonly iterations: number;
  readonly residual: number;
  readonly converged: boolean;
}

/**
 * @internal Solves Σ_j g_ij (x_j − x_i) = 0 in every pore joined to both the inlet
 * and the outlet, with x = 1 at inlet boundary pores and 0 at outlet ones.
 */
export function solveNetwork(network: PoreNetwork, g: Float64Array, options: NetworkTransportOptions): NetworkSolveResult {
  const axis = options.axis ?? "z";
  axisIndex(axis);
  const { pores: P, throats: T } = network;
  const Np = P.count;
  const inlet = P.faces[`${axis}-` as const];
  const outlet = P.faces[`${axis}+` as const];
  // Components over throats that conduct.
  const parent = new Int32Array(Np);
  for (let i = 0; i < Np; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; }
    return i;
  };
  for (let t = 0; t < T.count; t++) {
    if (!(g[t] > 0)) continue;
    const a = find(T.pore1[t]), b = find(T.pore2[t]);
    if (a !== b) parent[a] = b;
  }
  const hasIn = new Uint8Array(Np), hasOut = new Uint8Array(Np);
  for (let i = 0; i < Np; i++) {
    if (inlet[i]) hasIn[find(i)] = 1;
    if (outlet[i]) hasOut[find(i)] = 1;
  }
  const active = new Uint8Array(Np);
  let internal = 0, activeInternal = 0;
  for (let i = 0; i < Np; i++) {
    const r = find(i);
    active[i] = hasIn[r] && hasOut[r] ? 1 : 0;
    if (!P.boundary[i]) { internal++; if (active[i]) activeInternal++; }
  }
  const value = new Float64Array(Np).fill(NaN);
  const fixed = new Uint8Array(Np);
  for (let i = 0; i < Np; i++) {
    if (!active[i]) continue;
    if (inlet[i]) { value[i] = 1; fixed[i] = 1; } else if (outlet[i]) { value[i] = 0; fixed[i] = 1; }
  }
  // Unknowns: active pores not fixed (boundary pores of the side faces included).
  const idx = new Int32Array(Np).fill(-1);
  let nu = 0;
  for (let i = 0; i < Np; i++) if (active[i] && !fixed[i]) idx[i] = nu++;
  let iterations = 0, residual = 0, converged = true;
  if (nu > 0) {
    const deg = new Int32Array(nu);
    for (let t = 0; t < T.count; t++) {
      if (!(g[t] > 0)) continue;
      const a = idx[T.pore1[t]], b = idx[T.pore2[t]];
      if (a >= 0 && b >= 0) { deg[a]++; deg[b]++; }
    }
    const rowPtr = new Int32Array(nu + 1);
    for (let i = 0; i < nu; i++) rowPtr[i + 1] = rowPtr[i] + deg[i] + 1;
    const col = new Int32Array(rowPtr[nu]);
    const val = new Float64Array(rowPtr[nu]);
    const fill = new Int32Array(nu);
    for (let i = 0; i < nu; i++) { col[rowPtr[i]] = i; fill[i] = 1; }
    const rhs = new Float64Array(nu);
    for (let t = 0; t < T.count; t++) {
      const gt = g[t];
      if (!(gt > 0)) continue;
      const pa = T.pore1[t], pb = T.pore2[t];
      const a = idx[pa], b = idx[pb];
      if (a >= 0) { val[rowPtr[a]] += gt; if (b < 0 && fixed[pb]) rhs[a] += gt * value[pb]; }
      if (b >= 0) { val[rowPtr[b]] += gt; if (a < 0 && fixed[pa]) rhs[b] += gt * value[pa]; }
      if (a >= 0 && b >= 0) {
        col[rowPtr[a] + fill[a]] = b; val[rowPtr[a] + fill[a]++] = -gt;
        col[rowPtr[b] + fill[b]] = a; val[rowPtr[b] + fill[b]++] = -gt;
      }
    }
    const sol = pcg({ rows: nu, rowPtr, col, val }, rhs, {
      tolerance: options.tolerance ?? 1e-12, maxIterations: options.maxIterations, signal: options.signal,
    });
    for (let i = 0; i < Np; i++) if (idx[i] >= 0) value[i] = sol.x[idx[i]];
    iterations = sol.iterations; residual = sol.residual; converged = sol.converged;
  }
  const rate = new Float64Array(T.count);
  let inRate = 0, outRate = 0;
  for (let t = 0; t < T.count; t++) {
    const a = T.pore1[t], b = T.pore2[t];
    if (!(g[t] > 0) || !active[a] || !active[b]) continue;
    const q = g[t] * (value[a] - value[b]);
    rate[t] = q;
    if (inlet[a]) inRate += q;
    if (inlet[b]) inRate -= q;
    if (outlet[b]) outRate += q;
    if (outlet[a]) outRate -= q;
  }
  return {
    axis, poreValue: value, throatRate: rate, inletRate: inRate, outletRate: outRate,
    connectedFraction: internal > 0 ? activeInternal / internal : 0,
    percolating: inRate > 0,
    iterations, residual, converged,
  };
}

function domain(network: PoreNetwork, axis: Axis): { length: number; area: number } {
  const k = axisIndex(axis);
  const ext = network.shape.map((s, i) => s * network.spacing_um[i]);
  return { length: ext[k], area: (ext[0] * ext[1] * ext[2]) / ext[k] };
}

function checkNetwork(network: PoreNetwork): void {
  if (!network || !network.pores || !network.throats || !Array.isArray(network.shape)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "expected a PoreNetwork (the `network` of snow())");
  }
}

export interface NetworkDiffusionResult extends NetworkSolveResult {
  /** D_eff / D of the whole volume: rate × length / (cross-section area × unit difference). */
  readonly effectiveDiffusivityRatio: number;
  /** porosity × D / D_eff (TauFactor's definition, with the voxel porosity). Infinity when nothing percolates. */
  readonly tortuosityFactor: number;
  /** Voxels of the network's phases / all voxels. */
  readonly porosity: number;
  readonly model: ConduitModel;
}

/**
 * Steady Fickian diffusion through the network between the boundary pores of two
 * opposite faces: effective diffusivity ratio and network tortuosity factor, to set
 * beside the voxel `tortuosity` of the same volume.
 *
 * @example
 * const d = networkDiffusion(network, { axis: "z" });
 * d.tortuosityFactor; d.effectiveDiffusivityRatio;
 */
export function networkDiffusion(network: PoreNetwork, options: NetworkTransportOptions = {}): NetworkDiffusionResult {
  checkNetwork(network);
  if (options.tolerance !== undefined) checkNumber("tolerance", options.tolerance, { min: 0, exclusiveMin: true, max: 1 });
  const { diffusive } = conduitConductances(network, options);
  const s = solveNetwork(network, diffusive, options);
  const { length, area } = domain(network, s.axis);
  const ratio = s.percolating ? (s.inletRate * length) / area : 0;
  return {
    ...s,
    effectiveDiffusivityRatio: ratio,
    tortuosityFactor: ratio > 0 ? network.porosity / ratio : Infinity,
    porosity: network.porosity,
    model: options.model ?? DEFAULT_MODEL,
  };
}

/** One millidarcy in m² (1 D = 9.869233e-13 m²). */
export const MILLIDARCY_M2 = 9.869233e-16;

export interface NetworkPermeabilityResult extends NetworkSolveResult {
  /** Darcy permeability k = Q·μ·L / (A·Δp), in µm², m² and mD. */
  readonly permeability_um2: number;
  readonly permeability_m2: number;
  readonly permeability_mD: number;
  readonly model: ConduitModel;
}

/**
 * Steady Stokes (Hagen–Poiseuille) flow through the network between the boundary
 * pores of two opposite faces: the absolute permeability along the axis.
 *
 * @example
 * const k = networkPermeability(network, { axis: "z" });
 * k.permeability_mD;
 */
export function networkPermeability(network: PoreNetwork, options: NetworkTransportOptions = {}): NetworkPermeabilityResult {
  checkNetwork(network);
  const { hydraulic } = conduitConductances(network, options);
  const s = solveNetwork(network, hydraulic, options);
  const { length, area } = domain(network, s.axis);
  const k = s.percolating ? (s.inletRate * length) / area : 0;
  return {
    ...s,
    permeability_um2: k,
    permeability_m2: k * 1e-12,
    permeability_mD: (k * 1e-12) / MILLIDARCY_M2,
    model: options.model ?? DEFAULT_MODEL,
  };
}
