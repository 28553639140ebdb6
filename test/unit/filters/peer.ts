/**
 * Runs SciPy / scikit-image on the same data as tomolyte: inputs go to Python
 * as raw files (exact bytes), the script fills a dict `R` with arrays or plain
 * numbers, which come back as Float64Arrays (arrays) or numbers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../helpers/python";
import { type Volume, volumeDType } from "../../../kernel-lib/src/volume";

export type PeerResult = Record<string, Float64Array | number | number[]>;

export function peer(script: string, inputs: Record<string, Volume>): PeerResult {
  const dir = mkdtempSync(join(tmpdir(), "tomolyte-peer-"));
  try {
    const manifest: Record<string, { path: string; dtype: string; shape: readonly number[] }> = {};
    for (const [name, v] of Object.entries(inputs)) {
      const path = join(dir, `${name}.raw`);
      writeFileSync(path, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      manifest[name] = { path, dtype: volumeDType(v), shape: v.shape };
    }
    const pre = `
import json, sys, numpy as np, warnings
warnings.simplefilter("ignore")
_m = json.loads(sys.argv[1]); _dir = sys.argv[2]
I = {k: np.fromfile(v["path"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in _m.items()}
R = {}
`;
    const post = `
_o = {}
for k, v in R.items():
    if isinstance(v, np.ndarray):
        p = _dir + "/out_" + k + ".raw"
        np.ascontiguousarray(v, dtype=np.float64).tofile(p)
        _o[k] = {"path": p}
    elif isinstance(v, (list, tuple)):
        _o[k] = [float(x) for x in v]
    else:
        _o[k] = float(v)
print(json.dumps(_o))
`;
    const res = runPython<Record<string, { path: string } | number | number[]>>(pre + script + post, [JSON.stringify(manifest), dir]);
    const out: PeerResult = {};
    for (const [k, v] of Object.entries(res)) {
      if (typeof v === "number" || Array.isArray(v)) out[k] = v;
      else {
        const b = readFileSync(v.path);
        out[k] = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |a-b| / max(|b|, floor) over all voxels. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Number of voxels where a and b differ. */
export function countDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

export { rng } from "../../helpers/random";

/** Standard normal deviates (Box–Muller) from a uniform generator. */
export function gauss(r: () => number): number {
  const u = 1 - r();
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
