/** Small phantoms and a file-based bridge to the Python peer for metrics tests. */
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../helpers/python";

export const SAMPLE = "data/samples/taufactor_electrode_256.tiff";

/** Fills a uint8 volume with `value` where f(z, y, x) is true. */
export function phantom(shape: [number, number, number], f: (z: number, y: number, x: number) => boolean, value = 1): Uint8Array {
  const [nz, ny, nx] = shape;
  const d = new Uint8Array(nz * ny * nx);
  let i = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) if (f(z, y, x)) d[i] = value;
  return d;
}

/** A ball of radius r (voxels) centred at c: voxel centres with |p − c| ≤ r. */
export function ball(shape: [number, number, number], c: [number, number, number], r: number): Uint8Array {
  return phantom(shape, (z, y, x) => (z - c[0]) ** 2 + (y - c[1]) ** 2 + (x - c[2]) ** 2 <= r * r);
}

/**
 * Runs a Python peer script with the arrays saved as raw files; the script
 * sees `A[name]` as NumPy arrays of the given shape (dtype from the typed array).
 */
export function pythonWith<T>(
  arrays: Record<string, { data: Uint8Array | Uint16Array | Uint32Array | Float32Array; shape: number[] }>,
  script: string,
): T {
  const dir = mkdtempSync(join(tmpdir(), "tomolyte-metrics-"));
  try {
    const specs: Record<string, { path: string; shape: number[]; dtype: string }> = {};
    for (const [name, a] of Object.entries(arrays)) {
      const path = join(dir, `${name}.raw`);
      writeFileSync(path, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      const dtype =
        a.data instanceof Uint8Array ? "uint8" : a.data instanceof Uint16Array ? "uint16" : a.data instanceof Uint32Array ? "uint32" : "float32";
      specs[name] = { path, shape: a.shape, dtype };
    }
    const prelude = `
import json, sys
import numpy as np
_specs = json.loads(sys.argv[1])
A = {k: np.fromfile(v["path"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in _specs.items()}
`;
    return runPython<T>(prelude + script, [JSON.stringify(specs)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
