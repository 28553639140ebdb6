/**
 * Conjugate gradients preconditioned by one aggregation-multigrid cycle (V or W), on
 * the compact levels of compact.ts, written once for one thread or several:
 * every thread ("rank") runs this same code on its own z-slab of each level and
 * meets the others at barriers (SPMD). Each kernel's result is independent of
 * how the planes are split (red-black updates read only the other colour;
 * restriction pulls and prolongation pushes per coarse cell; dot products and
 * plane fluxes are summed plane by plane in z order), so the answer is the same
 * bit for bit whatever the number of threads.
 *
 * No Node module here: the multi-threaded Team lives in parallel/tortuosity.ts.
 */
import { ERROR_CODES, TomolyteError } from "../errors";
import {
  type Allocator, type CLevel, type DenseCoarse, type Vec, coarsen, denseFactor, denseSolve, heapAllocator, levelBytes,
  dotPlanes, matvec, planeFluxRows, prolongRed, residualOfSolution, restrictRed, sweep, sweepFromZero, updateP, updateXR,
} from "./compact";

/** The threads solving together. */
export interface Team {
  readonly rank: number;
  readonly size: number;
  /** Waits until every rank has reached it. */
  barrier(): void;
  /** Whether to stop now (cancelled): the same answer on every rank. */
  cancelled(): boolean;
}

/** One thread alone. */
export function soloTeam(signal?: AbortSignal): Team {
  return { rank: 0, size: 1, barrier: () => undefined, cancelled: () => !!signal?.aborted };
}

export type VectorPrecision = "float32" | "float64";

export interface Hierarchy {
  readonly levels: CLevel[];
  readonly coarse: DenseCoarse;
}

/** The vectors of the solve; all shared between the ranks. */
export interface Work {
  /** Solution (ghosts 1). */
  readonly X: Float64Array;
  readonly R: Vec;
  readonly P: Vec;
  /** Preconditioned residual, and A p (never live together). */
  readonly Z: Vec;
  /** Coarse-level solution and right-hand side, levels 1... */
  readonly xs: Vec[];
  readonly bs: Vec[];
  /** Per-plane partial sums (two buffers of the fine nz). */
  readonly part: Float64Array;
  /** Per-plane rows of plane fluxes: nz × (na + 1). */
  readonly fluxRows: Float64Array;
}

/** Stop coarsening at this many real cells or fewer (dense Cholesky). */
const COARSEST = 512;

/** Builds the coarse levels and the coarsest factor. */
export function buildHierarchy(fine: CLevel, A: Allocator = heapAllocator): Hierarchy {
  const levels = [fine];
  let L = fine;
  while (L.m > COARSEST && (L.nz > 1 || L.ny > 1 || L.nx > 1)) {
    L = coarsen(L, A);
    levels.push(L);
  }
  return { levels, coarse: denseFactor(L) };
}

/** Allocates the solve's vectors; the solution starts from the straight-line profile (exact for straight channels). */
export function allocateWork(H: Hierarchy, precision: VectorPrecision, A: Allocator = heapAllocator): Work {
  const L = H.levels[0];
  const vec = (n: number): Vec => (precision === "float64" ? A.f64(n) : A.f32(n));
  const X = A.f64(L.len);
  const na = L.axis === 0 ? L.nz : L.axis === 1 ? L.ny : L.nx;
  for (let z = 0; z < L.nz; z++) {
    for (let c = 0; c < 2; c++) {
      const k1 = L.zOff[c * (L.nz + 1) + z + 1];
      for (let k = L.zOff[c * (L.nz + 1) + z]; k < k1; k++) {
        let co = z;
        if (L.axis !== 0) {
          const q = L.pos[k] - (z + 1) * L.sz;
          const y1 = (q / L.sy) | 0;
          co = L.axis === 1 ? y1 - 1 : q - y1 * L.sy - 1;
        }
        X[k] = 1 - (co + 0.5) / na;
      }
    }
  }
  for (let t = 0; t < L.ng; t++) X[L.m + t] = 1;
  const xs: Vec[] = [];
  const bs: Vec[] = [];
  for (let l = 1; l < H.levels.length; l++) {
    xs.push(vec(H.levels[l].len));
    bs.push(vec(H.levels[l].len));
  }
  return {
    X, R: vec(L.len), P: vec(L.len), Z: vec(L.len), xs, bs,
    part: A.f64(2 * L.nz), fluxRows: A.f64(L.nz * (na + 1)),
  };
}

/** Bytes of every array of the hierarchy and the vectors. */
export function solveBytes(H: Hierarchy, W: Work): number {
  let b = H.coarse.f.byteLength;
  for (const L of H.levels) b += levelBytes(L);
  for (const v of [W.X, W.R, W.P, W.Z, ...W.xs, ...W.bs, W.part, W.fluxRows]) b += v.byteLength;
  return b;
}

/**
 * Estimated peak bytes of a compact solve (for checkAllocation): the fine map over the
 * padded grid, 16 bytes of operator and index plus the vectors per conducting voxel,
 * coarse levels about a quarter of that.
 */
export function estimateSolveBytes(shape: readonly number[], conducting: number, precision: VectorPrecision): number {
  const padded = (shape[0] + 2) * (shape[1] + 2) * (shape[2] + 2);
  const perCell = 16 + 8 + 3 * (precision === "float64" ? 8 : 4);
  return padded * 4 + conducting * perCell * 1.25;
}

export interface MgControl {
  tolerance: number;
  maxIterations: number;
  /** Gauss-Seidel sweeps before and after the coarse correction. */
  sweeps: number;
  /** Scale of the coarse correction (piecewise-constant prolongation under-corrects). */
  alpha: number;
  /** Rank 0 only: called after each convergence check. */
  onProgress?: (fractionDone: number) => void;
  /** "W": each coarse level is visited twice per cycle (the second time from the first's result). Default "V". */
  cycle?: "V" | "W";
  /** Levels with fewer real cells run on rank 0 alone (default 32768); tests lower it to split every level. */
  serialBelow?: number;
}

export interface MgOutcome {
  iterations: number;
  converged: boolean;
  residual: number;
  flux: Float64Array;
  fluxSpread: number;
  history: Array<[number, number, number]>;
}

/** Levels with fewer real cells than this run on rank 0 alone: barriers would cost more than the work. */
const SERIAL_BELOW = 32768;

/** This rank's planes [a, b) of a level of n planes; boundaries even (restrictRed needs it). */
function slab(n: number, team: Team): [number, number] {
  const pairs = (n + 1) >> 1;
  const a = 2 * Math.floor((team.rank * pairs) / team.size);
  const b = 2 * Math.floor(((team.rank + 1) * pairs) / team.size);
  return [Math.min(a, n), Math.min(b, n)];
}

/**
 * Solves A x = b in place (W.X) to the flux criterion of solver.ts: relative spread of
 * the flux between planes ≤ tolerance and relative change of the mean flux ≤ tolerance.
 * Every rank calls it with the same H and W and gets the same outcome.
 */
export function solveMgPcg(H: Hierarchy, W: Work, team: Team, ctl: MgControl): MgOutcome {
  const L = H.levels[0];
  const { X, R, P, Z, part, fluxRows } = W;
  const nz = L.nz;
  const [z0, z1] = slab(nz, team);
  const na = L.axis === 0 ? L.nz : L.axis === 1 ? L.ny : L.nx;
  const ga = L.axis === 0 ? L.gz : L.axis === 1 ? L.gy : L.gx;
  const serialBelow = ctl.serialBelow ?? SERIAL_BELOW;
  const wCycle = ctl.cycle === "W";
  const solo: Team = { rank: 0, size: 1, barrier: () => undefined, cancelled: () => false };
  let buf = 0;
  /** Sum of the per-plane partials just written, in plane order (the same on every rank). */
  const sumPlanes = (): number => {
    team.barrier();
    const base = buf * nz;
    let s = 0;
    for (let z = 0; z < nz; z++) s += part[base + z];
    buf ^= 1;
    return s;
  };
  /** For each colour, the index range of this rank's planes. */
  const own = (Lv: CLevel, a: number, b: number): [number, number, number, number] => [
    Lv.zOff[a], Lv.zOff[b], Lv.zOff[Lv.nz + 1 + a], Lv.zOff[Lv.nz + 1 + b],
  ];
  const [r0, r1, b0, b1] = own(L, z0, z1);

  /**
   * A half-sweep of colour c over planes [a, b), then a barrier. With a periodic z wrap of
   * odd length the first and last planes are neighbours of the same colour: the last plane
   * is then updated after the others (as one thread does it), so no rank reads a plane
   * another rank is writing and the result does not depend on the split.
   */
  const half = (Lv: CLevel, Xl: Vec, Bl: Vec, c: number, a: number, b: number, tm: Team): void => {
    if (!Lv.wrap[0] || (Lv.nz & 1) === 0) {
      sweep(Lv, Xl, Bl, c, a, b);
      tm.barrier();
      return;
    }
    sweep(Lv, Xl, Bl, c, a, Math.min(b, Lv.nz - 1));
    tm.barrier();
    if (b === Lv.nz && a < b) sweep(Lv, Xl, Bl, c, Lv.nz - 1, Lv.nz);
    tm.barrier();
  };
  /**
   * One multigrid cycle for Xl ≈ A⁻¹ Bl: from a zero guess (fromZero: Xl is overwritten, never
   * read first), or improving Xl (the second visit of a W-cycle).
   */
  const cycle = (l: number, Xl: Vec, Bl: Vec, tm: Team, fromZero = true): void => {
    const Lv = H.levels[l];
    if (l === H.levels.length - 1) {
      if (tm.rank === 0) denseSolve(H.coarse, Bl, Xl);
      tm.barrier();
      return;
    }
    if (tm.size > 1 && Lv.m < serialBelow) {
      // The rest of the cycle is small: rank 0 does it alone (same kernels, same result).
      if (tm.rank === 0) cycle(l, Xl, Bl, solo, fromZero);
      tm.barrier();
      return;
    }
    const C = H.levels[l + 1];
    const xc = W.xs[l];
    const bc = W.bs[l];
    const [a, b] = slab(Lv.nz, tm);
    for (let s = 0; s < ctl.sweeps; s++) {
      if (s === 0 && fromZero) {
        sweepFromZero(Lv, Xl, Bl, a, b);
        tm.barrier();
      } else half(Lv, Xl, Bl, 0, a, b, tm);
      half(Lv, Xl, Bl, 1, a, b, tm);
    }
    restrictRed(Lv, Xl, Bl, C, bc, a, b);
    tm.barrier();
    cycle(l + 1, xc, bc, tm);
    // W-cycle: a second visit improves xc (not worth it just above the exact coarsest solve).
    if (wCycle && l + 2 < H.levels.length) cycle(l + 1, xc, bc, tm, false);
    prolongRed(Lv, Xl, C, xc, ctl.alpha, a, b);
    tm.barrier();
    // Colours reversed after the correction: the preconditioner stays symmetric.
    for (let s = 0; s < ctl.sweeps; s++) {
      half(Lv, Xl, Bl, 1, a, b, tm);
      half(Lv, Xl, Bl, 0, a, b, tm);
    }
  };
  const precondition = () => cycle(0, Z, R, team);
  const dotOwn = (U: Vec, V: Vec): number => {
    dotPlanes(L, U, V, z0, z1, part, buf * nz);
    return sumPlanes();
  };

  // Convergence: flux through every plane (the same on every rank).
  const flux = new Float64Array(na + 1);
  const history: Array<[number, number, number]> = [];
  let prevMean = NaN;
  let firstSpread = NaN;
  let spread = Infinity;
  const check = (iteration: number): boolean => {
    planeFluxRows(L, X, z0, z1, fluxRows);
    team.barrier();
    flux.fill(0);
    for (let z = 0; z < nz; z++) {
      const row = z * (na + 1);
      for (let q = 0; q <= na; q++) flux[q] += fluxRows[row + q];
    }
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let q = 0; q <= na; q++) {
      const f = flux[q];
      if (f < lo) lo = f;
      if (f > hi) hi = f;
      sum += f;
    }
    const mean = sum / (na + 1);
    spread = mean > 0 ? (hi - lo) / mean : Infinity;
    history.push([iteration, spread, mean]);
    const change = Math.abs(mean - prevMean) / Math.abs(mean);
    prevMean = mean;
    const tol = ctl.tolerance;
    if (ctl.onProgress && team.rank === 0) {
      if (!(firstSpread > 0) && spread > 0 && Number.isFinite(spread)) firstSpread = spread;
      const frac = firstSpread > tol ? Math.log(firstSpread / Math.max(spread, tol)) / Math.log(firstSpread / tol) : 1;
      ctl.onProgress(Math.min(0.99, Math.max(0, frac)));
    }
    // Keep fluxRows from being overwritten by a fast rank before everyone has summed it.
    team.barrier();
    return spread <= tol && change <= tol;
  };

  let bb = 0;
  for (let t = 0; t < L.ng; t++) bb += ga[L.m + t] * ga[L.m + t];
  const base0 = buf * nz;
  residualOfSolution(L, X, R, z0, z1, part, base0);
  sumPlanes();
  precondition();
  const copyOwn = (from: Vec, to: Vec) => {
    to.set(from.subarray(r0, r1), r0);
    to.set(from.subarray(b0, b1), b0);
  };
  copyOwn(Z, P);
  let rz = dotOwn(R, Z);
  let it = 0;
  let lastRestart = 0;
  let converged = check(0);
  while (!converged && it < ctl.maxIterations) {
    if (team.cancelled()) throw new TomolyteError(ERROR_CODES.CANCELLED, "operation cancelled");
    matvec(L, P, Z, z0, z1, part, buf * nz);
    const pq = sumPlanes();
    if (!(pq > 0)) {
      // p = 0: the residual vanished (the straight-line start was exact); the flux decides.
      converged = check(it);
      break;
    }
    const alpha = rz / pq;
    updateXR(X, R, P, Z, alpha, r0, r1);
    updateXR(X, R, P, Z, alpha, b0, b1);
    it++;
    team.barrier();
    converged = check(it);
    if (converged) break;
    // Float32 recurrences drift from the true residual and stall near a 1e-7 flux spread.
    // When the spread has not halved in 3 iterations, replace r by b − A x (from the Float64
    // solution, so r is again accurate relative to its own size) and restart CG from there.
    const stalled = it - lastRestart >= 3 && spread > 0.5 * history[history.length - 4][1];
    if (stalled) {
      lastRestart = it;
      residualOfSolution(L, X, R, z0, z1, part, buf * nz);
      sumPlanes();
      precondition();
      copyOwn(Z, P);
      rz = dotOwn(R, Z);
      team.barrier();
      continue;
    }
    precondition();
    const rzNew = dotOwn(R, Z);
    const beta = rzNew / rz;
    rz = rzNew;
    updateP(P, Z, beta, r0, r1);
    updateP(P, Z, beta, b0, b1);
    team.barrier();
  }
  residualOfSolution(L, X, Z, z0, z1, part, buf * nz);
  const rr = sumPlanes();
  const residual = bb > 0 ? Math.sqrt(rr / bb) : Math.sqrt(rr);
  return { iterations: it, converged, residual, flux, fluxSpread: spread, history };
}
