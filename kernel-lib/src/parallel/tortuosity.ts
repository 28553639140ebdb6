/**
 * The tortuosity factor's default solver (multigrid-preconditioned CG on the
 * conducting cells, transport/mgcg.ts) on several worker threads over z-slabs.
 * Set-up (phases, percolation, levels) runs on the calling thread; the solve
 * runs on `threads` workers sharing the levels and vectors through
 * SharedArrayBuffers. Every kernel and every sum is split by planes in a fixed
 * order, so the result is the same, bit for bit, for any number of threads.
 *
 * Note on layers: like kernels.ts for filters/, this file and its worker reach up
 * into transport/ because parallel/ is the one place allowed to start threads;
 * transport/ never imports parallel/.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type Axis, type Volume, checkAllocation, createVolume, dtypeOf } from "../volume";
import { type Allocator, fineLevel } from "../transport/compact";
import { type MgOutcome, allocateWork, buildHierarchy, estimateSolveBytes, solveBytes } from "../transport/mgcg";
import {
  type TortuosityAllResult, type TortuosityOptions, type TortuosityResult, MG_ALPHA, MG_CYCLE, MG_SWEEPS, assembleResult,
  conductingField, nonPercolatingResult, planAxis, scatterField, tortuosity,
} from "../transport/tortuosity";
import { defaultThreads } from "./pool";
import type { TortuosityReply, TortuosityTask } from "./tortuosity-worker";

/** How tortuosityParallel runs. */
export interface TortuosityParallelRun {
  /** Worker threads (default: the machine's available parallelism, at most 16). 1 solves on the calling thread. */
  threads?: number;
  /** @internal Levels with fewer conducting cells run on one thread (default 32768); tests set 0. */
  serialBelow?: number;
}

const shared: Allocator = {
  f32: (n) => new Float32Array(new SharedArrayBuffer(4 * n)),
  f64: (n) => new Float64Array(new SharedArrayBuffer(8 * n)),
  i32: (n) => new Int32Array(new SharedArrayBuffer(4 * n)),
};

let workerFile: string | undefined;

/** The compiled worker script: next to this file in dist, or kernel-lib/dist when run from the sources. */
function resolveWorkerFile(): string {
  if (workerFile) return workerFile;
  const here = typeof __dirname === "string" ? __dirname : process.cwd();
  const candidates = [join(here, "tortuosity-worker.js"), resolve(here, "../../dist/parallel/tortuosity-worker.js")];
  for (const c of candidates) {
    if (existsSync(c)) {
      workerFile = c;
      return c;
    }
  }
  throw new TomolyteError(
    ERROR_CODES.MISSING_DEPENDENCY,
    `the tortuosity worker script is missing (looked for ${candidates.join(", ")}); build kernel-lib first: npx tsc -b kernel-lib`,
  );
}

/**
 * Workers kept between calls (unref'd while idle, so they never hold the process open):
 * a fresh worker would run the first solve's kernels in the interpreter before the JIT
 * has seen them, which costs more than the solve at 128³.
 */
const idle: Worker[] = [];

function takeWorkers(n: number): Worker[] {
  const file = resolveWorkerFile();
  const out = idle.splice(0, n);
  while (out.length < n) out.push(new Worker(file));
  for (const w of out) w.ref();
  return out;
}

/**
 * Stops the idle tortuosity workers (they start again on the next call).
 *
 * @example
 * await shutdownTortuosityWorkers();
 */
export async function shutdownTortuosityWorkers(): Promise<void> {
  const all = idle.splice(0, idle.length);
  await Promise.all(all.map((w) => w.terminate()));
}

/** Runs one solve on `threads` workers; resolves with rank 0's outcome. */
function runRanks(base: Omit<TortuosityTask, "rank" | "size" | "sync">, threads: number, options: TortuosityOptions): Promise<MgOutcome> {
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const workers = takeWorkers(threads);
  return new Promise<MgOutcome>((resolveAll, reject) => {
    let finished = false;
    let done = 0;
    let outcome: MgOutcome | undefined;
    const finish = (e?: unknown) => {
      if (finished) return;
      finished = true;
      options.signal?.removeEventListener("abort", onAbort);
      for (const w of workers) {
        w.removeAllListeners("message");
        w.removeAllListeners("error");
        w.removeAllListeners("exit");
        // After a failure or a cancel, ranks may still be running or waiting at a barrier: stop them.
        if (e !== undefined) void w.terminate();
        else {
          w.unref();
          // A worker that dies while idle leaves the pool (a later call would wait on it forever).
          w.once("exit", () => {
            const i = idle.indexOf(w);
            if (i >= 0) idle.splice(i, 1);
          });
          idle.push(w);
        }
      }
      if (e !== undefined) reject(e);
      else resolveAll(outcome as MgOutcome);
    };
    const onAbort = () => finish(new TomolyteError(ERROR_CODES.CANCELLED, "operation cancelled"));
    options.signal?.addEventListener("abort", onAbort);
    workers.forEach((w, rank) => {
      w.on("message", (r: TortuosityReply) => {
        if (r.type === "progress") {
          try {
            options.onProgress?.(r.fraction);
          } catch (e) {
            finish(e);
          }
        } else if (r.type === "error") {
          const code = (r.code && r.code in ERROR_CODES ? r.code : ERROR_CODES.INTERNAL) as keyof typeof ERROR_CODES;
          finish(new TomolyteError(ERROR_CODES[code], `tortuosity worker ${r.rank}: ${r.message}`));
        } else {
          if (r.outcome) outcome = r.outcome;
          if (++done === threads) finish();
        }
      });
      w.on("error", (e) => finish(new TomolyteError(ERROR_CODES.INTERNAL, `a tortuosity worker failed: ${e.message}`, undefined, { cause: e })));
      w.on("exit", (code) => finish(new TomolyteError(ERROR_CODES.INTERNAL, `a tortuosity worker exited early (code ${code})`)));
      const task: TortuosityTask = { ...base, rank, size: threads, sync };
      w.postMessage(task);
    });
  });
}

async function solveAxisParallel(volume: Volume, options: TortuosityOptions, axis: Axis, threads: number, run: TortuosityParallelRun): Promise<TortuosityResult> {
  const plan = planAxis(volume, options, axis);
  throwIfAborted(options.signal);
  const field = conductingField(volume, plan.table, plan.a, plan.periodic, options.signal);
  if (!field.percolating) {
    options.onProgress?.(1);
    return nonPercolatingResult(volume, plan, field);
  }
  const n = volume.data.length;
  checkAllocation(
    estimateSolveBytes(volume.shape, Math.round(field.volumeFraction * n), plan.precision) + 4 * n,
    "the parallel tortuosity solver (compact multigrid)", n,
  );
  const fine = fineLevel(field.D, volume.shape, volume.spacing, plan.a, plan.periodic, shared);
  (field as { D: Float32Array | null }).D = null;
  const H = buildHierarchy(fine, shared);
  const W = allocateWork(H, plan.precision, shared);
  throwIfAborted(options.signal);
  const out = await runRanks(
    {
      hierarchy: H, work: W, tolerance: plan.tolerance, maxIterations: plan.maxIterations,
      sweeps: MG_SWEEPS, alpha: MG_ALPHA, cycle: MG_CYCLE, progress: !!options.onProgress, serialBelow: run.serialBelow,
    },
    threads, options,
  );
  // An ordinary array for the field: some consumers refuse SharedArrayBuffer views.
  const conc = new Float32Array(n);
  scatterField(fine, W.X, conc);
  options.onProgress?.(1);
  return assembleResult(volume, plan, field, out, conc, solveBytes(H, W) + conc.byteLength);
}

/**
 * The tortuosity factor, as `tortuosity()` computes it (same options, same result
 * shape), with the default solver ("mg-pcg") on worker threads over z-slabs. The
 * answer is identical for any number of threads (and to `tortuosity()` with the same
 * options). Other methods, and `threads: 1`, run on the calling thread.
 * On this project's 2-core machine two threads gain little (docs/tortuosity.md):
 * the solve is bound by memory bandwidth and about half the time is serial set-up.
 *
 * @example
 * const t = await tortuosityParallel(labels, { phase: 0, axis: "z", tolerance: 1e-2 }, { threads: 2 });
 * console.log(t.tortuosityFactor, t.iterations);
 */
export function tortuosityParallel(labels: Volume, options: TortuosityOptions & { axis: "all" }, run?: TortuosityParallelRun): Promise<TortuosityAllResult>;
export function tortuosityParallel(labels: Volume, options?: TortuosityOptions & { axis?: Axis }, run?: TortuosityParallelRun): Promise<TortuosityResult>;
export function tortuosityParallel(labels: Volume, options?: TortuosityOptions, run?: TortuosityParallelRun): Promise<TortuosityResult | TortuosityAllResult>;
export async function tortuosityParallel(
  labels: Volume, options: TortuosityOptions = {}, run: TortuosityParallelRun = {},
): Promise<TortuosityResult | TortuosityAllResult> {
  const threads = checkNumber("threads", run.threads ?? defaultThreads(), { min: 1, max: 256, integer: true });
  if (threads === 1 || (options.method ?? "mg-pcg") !== "mg-pcg") return tortuosity(labels, options);
  if (labels === null || typeof labels !== "object" || !labels.data || !Array.isArray(labels.shape) || labels.shape.length !== 3) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "tortuosity needs a label Volume {data, shape, spacing}");
  }
  dtypeOf(labels.data);
  createVolume(labels.data, labels.shape, labels.spacing);
  const axis = options.axis ?? "z";
  if (axis !== "all") return solveAxisParallel(labels, options, axis, threads, run);
  const progress = options.onProgress;
  const part = (k: number) => (progress ? { ...options, onProgress: (f: number) => progress((k + f) / 3) } : options);
  const z = await solveAxisParallel(labels, part(0), "z", threads, run);
  const y = await solveAxisParallel(labels, part(1), "y", threads, run);
  const x = await solveAxisParallel(labels, part(2), "x", threads, run);
  return {
    z, y, x,
    anisotropy: {
      zOverX: z.tortuosityFactor / x.tortuosityFactor,
      zOverY: z.tortuosityFactor / y.tortuosityFactor,
      yOverX: y.tortuosityFactor / x.tortuosityFactor,
    },
  };
}
