/**
 * Worker-thread entry of the pool (run as dist/parallel/worker.js). Receives
 * jobs over shared memory: the input volume and the output array live in
 * SharedArrayBuffers; each task computes planes [z0, z1) of the output.
 */
import { parentPort } from "node:worker_threads";
import { ctorOf, type DType } from "../volume";
import { type ParallelFilterName, KERNELS } from "./kernels";

/** @internal A message from the pool to a worker. */
export interface TaskMessage {
  taskId: number;
  kernel: ParallelFilterName;
  params: unknown;
  input: SharedArrayBuffer;
  inDType: DType;
  shape: [number, number, number];
  spacing: [number, number, number];
  output: SharedArrayBuffer;
  outDType: DType;
  z0: number;
  z1: number;
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (m: TaskMessage) => {
    try {
      const data = new (ctorOf(m.inDType))(m.input);
      const out = new (ctorOf(m.outDType))(m.output);
      KERNELS[m.kernel].planes({ data, shape: m.shape, spacing: m.spacing }, m.params, m.z0, m.z1, out);
      port.postMessage({ taskId: m.taskId, ok: true });
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      port.postMessage({ taskId: m.taskId, ok: false, error: { name: err?.name, code: err?.code, message: err?.message ?? String(e) } });
    }
  });
}
