/**
 * Worker-thread entry of run-op.ts (runs as dist/cli/op-worker.js): runs one
 * task from tasks.ts and posts back progress, then the result or the error.
 */
import { parentPort } from "node:worker_threads";
import "../io"; // bases the memory budget on the machine's memory, as in the main thread
import { TASKS, type TaskName } from "./tasks";

/** @internal A request from run-op.ts. */
export interface OpRequest {
  task: TaskName;
  args: unknown;
}

/** Every ArrayBuffer under `x` (typed arrays in plain objects and arrays), once each: moved, not copied, to the main thread. */
function buffersOf(x: unknown, out: Set<ArrayBuffer>, depth = 0): Set<ArrayBuffer> {
  if (x === null || typeof x !== "object" || depth > 6) return out;
  if (ArrayBuffer.isView(x)) {
    if (x.buffer instanceof ArrayBuffer) out.add(x.buffer);
  } else if (Array.isArray(x)) {
    for (const y of x) buffersOf(y, out, depth + 1);
  } else {
    for (const y of Object.values(x)) buffersOf(y, out, depth + 1);
  }
  return out;
}

if (parentPort) {
  const port = parentPort;
  port.once("message", (m: OpRequest) => {
    try {
      let last = -1;
      const onProgress = (f: number) => {
        // At most ~200 messages: the main thread only draws whole percents.
        if (f - last >= 0.005 || f >= 1) {
          last = f;
          port.postMessage({ type: "progress", fraction: f });
        }
      };
      const task = TASKS[m.task] as (args: unknown, p: { onProgress: (f: number) => void }) => unknown;
      const result = task(m.args, { onProgress });
      port.postMessage({ type: "result", result }, [...buffersOf(result, new Set())]);
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string; details?: unknown; stack?: string };
      port.postMessage({
        type: "error",
        error: { name: err?.name, code: err?.code, message: err?.message ?? String(e), details: err?.details, stack: err?.stack },
      });
    }
  });
}
