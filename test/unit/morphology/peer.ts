/**
 * Test helpers for morphology and segmentation: seeded random volumes and a
 * SciPy / scikit-image peer that exchanges arrays through raw files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../helpers/python";

export { rng } from "../../helpers/random";

/** Standard normal deviates from a uniform generator (Box–Muller). */
export function gauss(r: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

type Arr = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const NP: Record<string, string> = {
  Uint8Array: "uint8", Uint16Array: "uint16", Uint32Array: "uint32", Int32Array: "int32",
  Float32Array: "float32", Float64Array: "float64",
};

/**
 * Runs `script` in Python with `I[name]` = each input reshaped to `shape`,
 * and `out(name, array)` to send arrays back (as float64). `J` may be set to
 * any JSON value to return alongside.
 */
export function peer(
  script: string,
  inputs: Record<string, { data: Arr; shape: readonly number[] }>,
): { arrays: Record<string, Float64Array>; json: unknown } {
  const dir = mkdtempSync(join(tmpdir(), "tomolyte-peer-"));
  try {
    const meta: Record<string, { dtype: string; shape: readonly number[] }> = {};
    for (const [k, v] of Object.entries(inputs)) {
      writeFileSync(join(dir, k + ".in"), Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      meta[k] = { dtype: NP[v.data.constructor.name], shape: v.shape };
    }
    writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
    const pre = `
import json, sys, os
import numpy as np
D = sys.argv[1]
M = json.load(open(os.path.join(D, "meta.json")))
I = {k: np.fromfile(os.path.join(D, k + ".in"), dtype=m["dtype"]).reshape(m["shape"]) for k, m in M.items()}
OUTS = []
def out(name, a):
    np.ascontiguousarray(a, dtype=np.float64).tofile(os.path.join(D, name + ".out"))
    OUTS.append(name)
J = None
`;
    const post = `\nprint(json.dumps({"outs": OUTS, "json": J}))\n`;
    const r = runPython<{ outs: string[]; json: unknown }>(pre + script + post, [dir]);
    const arrays: Record<string, Float64Array> = {};
    for (const name of r.outs) {
      const b = readFileSync(join(dir, name + ".out"));
      arrays[name] = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    }
    return { arrays, json: r.json };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
