/**
 * Worker-thread entry of tortuosityParallel (run as dist/parallel/tortuosity-worker.js).
 * Each worker is one rank of the SPMD solve of transport/mgcg.ts: the levels and the
 * vectors live in SharedArrayBuffers, ranks meet at an Atomics barrier.
 */
import { parentPort } from "node:worker_threads";
import type { Hierarchy, MgOutcome, Team, Work } from "../transport/mgcg";
import { solveMgPcg } from "../transport/mgcg";

/** @internal What the main thread sends each worker. */
export interface TortuosityTask {
  rank: number;
  size: number;
  hierarchy: Hierarchy;
  work: Work;
  /** [arrivals, generation] of the barrier. */
  sync: Int32Array;
  tolerance: number;
  maxIterations: number;
  sweeps: number;
  alpha: number;
  cycle: "V" | "W";
  progress: boolean;
  serialBelow?: number;
}

/** @internal What a worker answers. */
export type TortuosityReply =
  | { type: "progress"; fraction: number }
  | { type: "done"; rank: number; outcome?: MgOutcome }
  | { type: "error"; rank: number; code?: string; message: string };

/** Spins this many polls before sleeping: the other ranks usually arrive within microseconds. */
const SPIN = 4000;

/** @internal A sense-counting barrier over sync[0] (arrivals) and sync[1] (generation). */
export function atomicsBarrier(sync: Int32Array, size: number): () => void {
  return () => {
    const gen = Atomics.load(sync, 1);
    if (Atomics.add(sync, 0, 1) === size - 1) {
      Atomics.store(sync, 0, 0);
      Atomics.add(sync, 1, 1);
      Atomics.notify(sync, 1);
      return;
    }
    for (let i = 0; i < SPIN; i++) if (Atomics.load(sync, 1) !== gen) return;
    while (Atomics.load(sync, 1) === gen) Atomics.wait(sync, 1, gen);
  };
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (t: TortuosityTask) => {
    try {
      // Cancellation: the main thread terminates the workers, so no rank is left at a barrier.
      const team: Team = { rank: t.rank, size: t.size, barrier: atomicsBarrier(t.sync, t.size), cancelled: () => false };
      const onProgress = t.progress && t.rank === 0 ? (fraction: number) => port.postMessage({ type: "progress", fraction }) : undefined;
      const outcome = solveMgPcg(t.hierarchy, t.work, team, {
        tolerance: t.tolerance, maxIterations: t.maxIterations, sweeps: t.sweeps, alpha: t.alpha, cycle: t.cycle, onProgress, serialBelow: t.serialBelow,
      });
      port.postMessage({ type: "done", rank: t.rank, outcome: t.rank === 0 ? outcome : undefined } satisfies TortuosityReply);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      port.postMessage({ type: "error", rank: t.rank, code: err?.code, message: err?.message ?? String(e) } satisfies TortuosityReply);
    }
  });
}
