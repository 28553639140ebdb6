/**
 * Iterative solvers for the full-grid diffusion operator of grid.ts ("sor" and
 * "pcg"): red-black SOR, and conjugate gradients preconditioned by Jacobi. All work
 * in place on Float64 vectors of the full grid. The default "mg-pcg" lives in
 * compact.ts / mgcg.ts.
 */
import { throwIfAborted } from "../errors";
import { type Level, applyA, sliceGeometry, sweepColour } from "./grid";

export interface SolveControl {
  /** Converged when the flux spread between planes and the change of the mean flux are both below this. */
  tolerance: number;
  maxIterations: number;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface SolveOutcome {
  iterations: number;
  converged: boolean;
  /** ||b - A x|| / ||b|| at the end. */
  residual: number;
  /** Flux through each plane normal to the axis: inlet face, the n - 1 planes between slices, outlet face. */
  flux: Float64Array;
  /** Relative spread (max - min) / mean of `flux` at the end. */
  fluxSpread: number;
  /** [iteration, fluxSpread, meanFlux] at each convergence check, for convergence plots. */
  history: Array<[number, number, number]>;
}

/**
 * Flux through each plane normal to the transport axis. Plane 0 is the inlet
 * face (concentration 1 half a voxel before slice 0), plane n the outlet face
 * (concentration 0 half a voxel after slice n - 1).
 */
export function planeFluxes(L: Level, X: Float64Array, out: Float64Array): void {
  const { na, sa, nb, sb, nc, sc } = sliceGeometry(L);
  const g = L.axis === 0 ? L.gz : L.axis === 1 ? L.gy : L.gx;
  out.fill(0);
  for (let k = 0; k < na - 1; k++) {
    let f = 0;
    const base = k * sa;
    for (let u = 0; u < nb; u++) {
      const row = base + u * sb;
      if (sc === 1) {
        for (let v = 0; v < nc; v++) {
          const i = row + v;
          f += g[i] * (X[i] - X[i + sa]);
        }
      } else {
        for (let v = 0; v < nc; v++) {
          const i = row + v * sc;
          f += g[i] * (X[i] - X[i + sa]);
        }
      }
    }
    out[k + 1] = f;
  }
  let fin = 0;
  let fout = 0;
  const last = (na - 1) * sa;
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const s = u * nc + v;
      const i = u * sb + v * sc;
      fin += L.bLo[s] * (1 - X[i]);
      fout += L.bHi[s] * X[i + last];
    }
  }
  out[0] = fin;
  out[na] = fout;
}

function spreadOf(flux: Float64Array): { spread: number; mean: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < flux.length; i++) {
    const f = flux[i];
    if (f < lo) lo = f;
    if (f > hi) hi = f;
    sum += f;
  }
  const mean = sum / flux.length;
  return { spread: mean > 0 ? (hi - lo) / mean : Infinity, mean };
}

/** Tracks the stated criterion: flux spread ≤ tol and relative change of the mean flux ≤ tol. */
class Convergence {
  readonly flux: Float64Array;
  readonly history: Array<[number, number, number]> = [];
  private prevMean = NaN;
  private firstSpread = NaN;
  spread = Infinity;

  constructor(private readonly L: Level, private readonly ctl: SolveControl) {
    this.flux = new Float64Array(sliceGeometry(L).na + 1);
  }

  check(X: Float64Array, iteration: number): boolean {
    planeFluxes(this.L, X, this.flux);
    const { spread, mean } = spreadOf(this.flux);
    this.spread = spread;
    this.history.push([iteration, spread, mean]);
    const change = Math.abs(mean - this.prevMean) / Math.abs(mean);
    this.prevMean = mean;
    const tol = this.ctl.tolerance;
    if (this.ctl.onProgress) {
      if (!(this.firstSpread > 0) && spread > 0 && Number.isFinite(spread)) this.firstSpread = spread;
      const frac = this.firstSpread > tol ? Math.log(this.firstSpread / Math.max(spread, tol)) / Math.log(this.firstSpread / tol) : 1;
      this.ctl.onProgress(Math.min(0.99, Math.max(0, frac)));
    }
    return spread <= tol && change <= tol;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x += αp, r -= αq; returns r·r. Small functions so the JIT optimises the loops at once. */
function stepXR(X: Float64Array, R: Float64Array, P: Float64Array, Q: Float64Array, alpha: number): number {
  let rr = 0;
  for (let i = 0; i < X.length; i++) {
    X[i] += alpha * P[i];
    const r = R[i] - alpha * Q[i];
    R[i] = r;
    rr += r * r;
  }
  return rr;
}

/** p = z + βp. */
function stepP(P: Float64Array, Z: Float64Array, beta: number): void {
  for (let i = 0; i < P.length; i++) P[i] = Z[i] + beta * P[i];
}

/**
 * Adds the right-hand side b (non-zero only on the inlet slice: Dirichlet conductance × 1)
 * to V. b is never stored as a full array: it would cost 8 bytes per voxel.
 */
export function addInlet(L: Level, V: Float64Array): number {
  const { nb, sb, nc, sc } = sliceGeometry(L);
  let bb = 0;
  for (let u = 0; u < nb; u++) {
    for (let v = 0; v < nc; v++) {
      const b = L.bLo[u * nc + v];
      V[u * sb + v * sc] += b;
      bb += b * b;
    }
  }
  return bb;
}

/** ||b - A x|| / ||b||; `work` is overwritten. */
function relativeResidual(L: Level, X: Float64Array, work: Float64Array): number {
  applyA(L, X, work);
  for (let i = 0; i < work.length; i++) work[i] = -work[i];
  const bb = addInlet(L, work);
  let rr = 0;
  for (let i = 0; i < work.length; i++) rr += work[i] * work[i];
  return bb > 0 ? Math.sqrt(rr / bb) : Math.sqrt(rr);
}

/**
 * Conjugate gradients with the Jacobi (diagonal) preconditioner.
 * X holds the initial guess and receives the solution.
 */
export function solvePCG(L: Level, X: Float64Array, ctl: SolveControl): SolveOutcome {
  const n = L.n;
  const R = new Float64Array(n);
  const P = new Float64Array(n);
  const Z = new Float64Array(n); // also holds A p: z and q are never live together
  const conv = new Convergence(L, ctl);
  const invD = L.invD;
  const precondition = () => {
    for (let i = 0; i < n; i++) Z[i] = invD[i] * R[i];
  };
  applyA(L, X, Z);
  for (let i = 0; i < n; i++) R[i] = -Z[i];
  const bnorm = Math.sqrt(addInlet(L, R)) || 1;
  precondition();
  P.set(Z);
  let rz = dot(R, Z);
  let it = 0;
  let converged = conv.check(X, 0);
  let rnorm = Math.sqrt(dot(R, R)) / bnorm;
  while (!converged && it < ctl.maxIterations) {
    throwIfAborted(ctl.signal);
    const pq = applyA(L, P, Z);
    if (!(pq > 0)) {
      // p = 0: the residual vanished (e.g. the straight-line start was exact). Check again: the
      // flux has not changed since the last check, so the criterion decides on the spread alone.
      converged = conv.check(X, it);
      break;
    }
    const alpha = rz / pq;
    const rr = stepXR(X, R, P, Z, alpha);
    it++;
    rnorm = Math.sqrt(rr) / bnorm;
    converged = conv.check(X, it);
    if (converged) break;
    precondition();
    const rzNew = dot(R, Z);
    const beta = rzNew / rz;
    rz = rzNew;
    stepP(P, Z, beta);
  }
  const residual = relativeResidual(L, X, Z);
  void rnorm;
  return { iterations: it, converged, residual, flux: conv.flux, fluxSpread: conv.spread, history: conv.history };
}

/**
 * Red-black successive over-relaxation. The flux criterion is checked every
 * `checkEvery` iterations (one iteration = one red and one black half-sweep).
 */
export function solveSOR(L: Level, X: Float64Array, ctl: SolveControl, omega: number, checkEvery = 10): SolveOutcome {
  const B = new Float64Array(L.n);
  addInlet(L, B);
  const conv = new Convergence(L, ctl);
  let it = 0;
  let converged = conv.check(X, 0);
  while (!converged && it < ctl.maxIterations) {
    throwIfAborted(ctl.signal);
    sweepColour(L, X, B, 0, omega);
    sweepColour(L, X, B, 1, omega);
    it++;
    if (it % checkEvery === 0 || it === ctl.maxIterations) converged = conv.check(X, it);
  }
  const residual = relativeResidual(L, X, B); // B is no longer needed
  return { iterations: it, converged, residual, flux: conv.flux, fluxSpread: conv.spread, history: conv.history };
}

/** The over-relaxation factor for red-black SOR: the optimum for a 1D chain as long as the longest axis, lengthened 1.5× for tortuous paths. */
export function defaultOmega(L: Level): number {
  const n = Math.max(L.nz, L.ny, L.nx) * 1.5;
  return 2 / (1 + Math.sin(Math.PI / n));
}
