/**
 * Runs a library operation (a task of tasks.ts) in a worker thread. The
 * analysis functions are synchronous; run on the main thread they would keep
 * Node from handling Ctrl-C until they finish. In a worker, Ctrl-C aborts
 * `signal`, the worker is stopped at once and the promise rejects with
 * CANCELLED; progress messages reach `onProgress` while it computes.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { ERROR_CODES, type ErrorCode, TomolyteError } from "../errors";
import type { OpRequest } from "./op-worker";
import type { TaskArgs, TaskName, TaskResult } from "./tasks";

/** How a task runs. */
export interface RunOpOptions {
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
  /**
   * Buffers moved to the worker instead of copied (the caller must not use
   * them afterwards): saves a copy of the input volume.
   */
  transfer?: ArrayBuffer[];
}

function workerFile(): string {
  const here = typeof __dirname === "string" ? __dirname : process.cwd();
  // dist/cli/op-worker.js beside this file; from the TypeScript sources (tests), the build output.
  const candidates = [join(here, "op-worker.js"), resolve(here, "../../dist/cli/op-worker.js")];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new TomolyteError(
    ERROR_CODES.MISSING_DEPENDENCY,
    `the CLI worker script is missing (looked for ${candidates.join(", ")}); build kernel-lib first: npx tsc -b kernel-lib`,
  );
}

/** The ArrayBuffer behind a typed array, when it can be moved (not shared, not a view of a larger buffer). */
export function transferable(a: ArrayBufferView): ArrayBuffer[] {
  const b = a.buffer;
  return b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength ? [b] : [];
}

/**
 * Runs `task` with `args` in a new worker thread.
 *
 * @example
 * const m = await runOp("phaseMetrics", { labels }, { signal: ctx.signal, onProgress: progress });
 */
export function runOp<K extends TaskName>(task: K, args: TaskArgs<K>, options: RunOpOptions = {}): Promise<TaskResult<K>> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(new TomolyteError(ERROR_CODES.CANCELLED, "cancelled"));
  const worker = new Worker(workerFile());
  return new Promise<TaskResult<K>>((resolvePromise, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      f();
    };
    const onAbort = () => finish(() => reject(new TomolyteError(ERROR_CODES.CANCELLED, `${task} cancelled (interrupted)`)));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: { type: string; fraction?: number; result?: unknown; error?: Record<string, unknown> }) => {
      if (m.type === "progress") onProgress?.(m.fraction as number);
      else if (m.type === "result") finish(() => resolvePromise(m.result as TaskResult<K>));
      else if (m.type === "error") {
        const e = m.error ?? {};
        const codes = Object.values(ERROR_CODES) as string[];
        let err: Error;
        if (e.name === "TomolyteError" && typeof e.code === "string" && codes.includes(e.code)) {
          err = new TomolyteError(e.code as ErrorCode, String(e.message), e.details as Record<string, unknown> | undefined);
        } else if (e.name === "RangeError" && /allocation failed|Invalid typed array length|Array buffer/i.test(String(e.message))) {
          // The worker could not get the memory the operation needed.
          err = new TomolyteError(ERROR_CODES.OUT_OF_MEMORY, `${task} ran out of memory (${String(e.message)}); use a smaller volume or crop it first`);
        } else {
          err = new Error(String(e.message));
          if (typeof e.name === "string") err.name = e.name;
        }
        if (typeof e.stack === "string") err.stack = e.stack;
        finish(() => reject(err));
      }
    });
    worker.on("error", (e) => finish(() => reject(e)));
    worker.on("exit", (code) =>
      finish(() => reject(new Error(`the ${task} worker stopped (exit code ${code}) before it sent a result`))),
    );
    const request: OpRequest = { task, args };
    worker.postMessage(request, options.transfer ?? []);
  });
}
