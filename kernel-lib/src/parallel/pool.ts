/**
 * A pool of worker threads (node:worker_threads) that computes filters over
 * z-slabs. Input and output volumes live in SharedArrayBuffers, so every
 * worker reads the whole input (its slab's halo included) without copies and
 * writes only its own planes of the output.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type VoxelArray, type Volume, checkAllocation, createVolume, ctorOf, dtypeOf } from "../volume";
import { type ParallelFilterName, KERNELS } from "./kernels";
import type { TaskMessage } from "./worker";

/** How a parallel filter runs. */
export interface ParallelOptions {
  /** Worker threads (default: the machine's available parallelism, at most 16). */
  threads?: number;
  /** Stops the work: pending slabs are dropped, workers are stopped, the promise rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Called with the fraction of planes done, in [0, 1]. */
  onProgress?: (fractionDone: number) => void;
}

let workerFile: string | undefined;

/**
 * The compiled worker script. Under the built package it sits next to this
 * file (dist/parallel/worker.js); when this module runs from the TypeScript
 * sources (vitest, ts-node), the build output kernel-lib/dist is used, so
 * `npx tsc -b kernel-lib` must have run.
 */
function resolveWorkerFile(): string {
  if (workerFile) return workerFile;
  const here = typeof __dirname === "string" ? __dirname : process.cwd();
  const candidates = [join(here, "worker.js"), resolve(here, "../../dist/parallel/worker.js")];
  for (const c of candidates) {
    if (existsSync(c)) {
      workerFile = c;
      return c;
    }
  }
  throw new TomolyteError(
    ERROR_CODES.MISSING_DEPENDENCY,
    `the worker script is missing (looked for ${candidates.join(", ")}); build kernel-lib first: npx tsc -b kernel-lib`,
  );
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

const slots: Slot[] = [];
let taskCounter = 0;

function getWorkers(n: number): Slot[] {
  const file = resolveWorkerFile();
  while (slots.length < n) {
    const worker = new Worker(file);
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on("exit", () => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
    });
    slots.push(slot);
  }
  return slots.slice(0, n);
}

/**
 * Stops every worker thread of the pool (they start again on the next call).
 *
 * @example
 * await shutdownPool();
 */
export async function shutdownPool(): Promise<void> {
  const all = slots.splice(0, slots.length);
  if (staging && !staging.busy) {
    if (staging.timer) clearTimeout(staging.timer);
    staging = undefined;
  }
  await Promise.all(all.map((s) => s.worker.terminate()));
}

/** The default number of threads: the machine's available parallelism, at most 16. @example defaultThreads() // 8 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(16, availableParallelism()));
}

/**
 * The staging buffer that the last call copied its (non-shared) input into,
 * kept a few seconds for the next call. Fresh memory costs far more than the
 * copy itself: the first touch of every 4 KiB page is a page fault (measured on
 * the 2-vCPU VM: ~4 ms per MiB, i.e. 140 ms for a 256³ uint16 volume, against
 * ~5 ms for the copy into pages already mapped).
 */
let staging: { sab: SharedArrayBuffer; busy: boolean; timer?: ReturnType<typeof setTimeout> } | undefined;
const STAGING_KEEP_MS = 5000;

function toShared(a: VoxelArray): { sab: SharedArrayBuffer; release: () => void } {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) {
    return { sab: a.buffer, release: () => undefined };
  }
  let entry = staging;
  if (!entry || entry.busy || entry.sab.byteLength !== a.byteLength) {
    // Another call holds the staging buffer, or it has another size: a fresh one (it becomes the kept one).
    if (entry && !entry.busy && entry.timer) clearTimeout(entry.timer);
    entry = { sab: new SharedArrayBuffer(a.byteLength), busy: false };
    if (!staging || !staging.busy) staging = entry;
  }
  if (entry.timer) clearTimeout(entry.timer);
  entry.busy = true;
  new Uint8Array(entry.sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const e = entry;
  return {
    sab: e.sab,
    release: () => {
      e.busy = false;
      if (staging === e) {
        e.timer = setTimeout(() => {
          if (staging === e && !e.busy) staging = undefined;
        }, STAGING_KEEP_MS);
        e.timer.unref?.();
      }
    },
  };
}

/**
 * Runs a filter on `threads` worker threads over z-slabs. The result equals
 * the single-threaded filter's, whatever the number of threads (the same
 * plane kernels run on both paths, each output plane computed from the whole
 * shared input). Options are the filter's own (`{ sigmaVoxels }` for gaussian,
 * `{ radiusVoxels, footprint }` for median, ...).
 *
 * @example
 * const m = await runFilter("median", ct, { radiusVoxels: 2 }, { threads: 4 });
 */
export async function runFilter(
  name: ParallelFilterName,
  volume: Volume,
  options: Record<string, unknown>,
  run: ParallelOptions = {},
): Promise<Volume> {
  const kernel = KERNELS[name];
  if (!kernel) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `unknown parallel filter "${String(name)}"; use one of ${Object.keys(KERNELS).join(", ")}`);
  }
  const threads = checkNumber("threads", run.threads ?? defaultThreads(), { min: 1, max: 256, integer: true });
  throwIfAborted(run.signal);
  const { params, outDType } = kernel.prepare(volume, options ?? {});
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  const inDType = dtypeOf(volume.data);
  const OutCtor = ctorOf(outDType);
  // Iterative kernels (diffusion) run several rounds, each reading the previous one's output.
  const rounds = kernel.rounds ? kernel.rounds(params) : 1;
  const copyIn = !(volume.data.buffer instanceof SharedArrayBuffer);
  checkAllocation(
    (copyIn ? volume.data.byteLength : 0) + (rounds > 1 ? 2 : 1) * n * OutCtor.BYTES_PER_ELEMENT,
    `the shared buffers of parallel ${name}`,
    n,
  );
  const output = new SharedArrayBuffer(n * OutCtor.BYTES_PER_ELEMENT);
  if (rounds === 0) {
    new OutCtor(output).set(volume.data);
    return createVolume(new OutCtor(output), volume.shape, volume.spacing);
  }
  const { sab: input, release } = toShared(volume.data);
  const other = rounds > 1 ? new SharedArrayBuffer(n * OutCtor.BYTES_PER_ELEMENT) : output;

  // Slabs: several per thread for balance (one for kernels with wide halos).
  const nSlabs = Math.min(nz, threads * kernel.slabsPerThread);
  const ranges: [number, number][] = [];
  for (let i = 0; i < nSlabs; i++) {
    const a = Math.floor((i * nz) / nSlabs);
    const b = Math.floor(((i + 1) * nz) / nSlabs);
    if (b > a) ranges.push([a, b]);
  }
  const workers = getWorkers(Math.min(threads, ranges.length));

  const runRound = (round: number, src: SharedArrayBuffer, srcDType: typeof inDType, dst: SharedArrayBuffer) =>
    new Promise<void>((resolveAll, reject) => {
      let next = 0;
      let done = 0;
      let planesDone = 0;
      let failed = false;
      const listeners: Array<() => void> = [];
      const cleanup = () => {
        for (const off of listeners) off();
        for (const s of workers) {
          s.busy = false;
          s.worker.unref();
        }
        run.signal?.removeEventListener("abort", onAbort);
      };
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        cleanup();
        reject(e);
      };
      const onAbort = () => {
        // Stop at once: the running slabs are abandoned with their workers, which
        // leave the pool now (not on their exit event) so the next call starts fresh ones.
        for (const s of workers) {
          const i = slots.indexOf(s);
          if (i >= 0) slots.splice(i, 1);
          void s.worker.terminate();
        }
        fail(new TomolyteError(ERROR_CODES.CANCELLED, "operation cancelled"));
      };
      if (run.signal?.aborted) {
        onAbort();
        return;
      }
      run.signal?.addEventListener("abort", onAbort);
      const dispatch = (slot: Slot) => {
        if (failed) return;
        if (next >= ranges.length) {
          slot.busy = false;
          return;
        }
        const [z0, z1] = ranges[next++];
        slot.busy = true;
        const taskId = ++taskCounter;
        const msg: TaskMessage = {
          taskId,
          kernel: name,
          params,
          input: src,
          inDType: srcDType,
          shape: [nz, ny, nx],
          spacing: [volume.spacing[0], volume.spacing[1], volume.spacing[2]],
          output: dst,
          outDType,
          z0,
          z1,
        };
        const onMessage = (r: { taskId: number; ok: boolean; error?: { code?: string; message?: string } }) => {
          if (r.taskId !== taskId) return;
          slot.worker.off("message", onMessage);
          slot.worker.off("error", onError);
          if (!r.ok) {
            const code = (r.error?.code && r.error.code in ERROR_CODES ? r.error.code : ERROR_CODES.INTERNAL) as keyof typeof ERROR_CODES;
            fail(new TomolyteError(ERROR_CODES[code], r.error?.message ?? "worker failed"));
            return;
          }
          done++;
          planesDone += z1 - z0;
          try {
            run.onProgress?.((round + planesDone / nz) / rounds);
          } catch (e) {
            fail(e);
            return;
          }
          if (done === ranges.length) {
            cleanup();
            resolveAll();
          } else dispatch(slot);
        };
        const onError = (e: Error) => {
          slot.worker.off("message", onMessage);
          fail(new TomolyteError(ERROR_CODES.INTERNAL, `a worker thread failed: ${e.message}`, undefined, { cause: e }));
        };
        slot.worker.on("message", onMessage);
        slot.worker.once("error", onError);
        listeners.push(() => {
          slot.worker.off("message", onMessage);
          slot.worker.off("error", onError);
        });
        slot.worker.ref();
        slot.worker.postMessage(msg);
      };
      for (const s of workers) dispatch(s);
    });

  try {
    // The last round writes `output`; rounds alternate between the two buffers before it.
    let src = input;
    let srcDType = inDType;
    for (let r = 0; r < rounds; r++) {
      const dst = (rounds - 1 - r) % 2 === 0 ? output : other;
      await runRound(r, src, srcDType, dst);
      src = dst;
      srcDType = outDType;
    }
  } finally {
    release();
  }
  // The result stays on its SharedArrayBuffer: a copy into an ordinary array would
  // touch as much fresh memory again (page faults cost more than the filter at 256³).
  // Node's consumers (fs, zlib, Buffer, postMessage, structuredClone) take shared views;
  // a later parallel filter on it needs no input copy.
  return createVolume(new OutCtor(output), volume.shape, volume.spacing);
}
