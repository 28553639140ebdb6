import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Deterministic uniform [0, 1) numbers (mulberry32), so TS and Python see the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string | undefined;

/** Writes a typed array's bytes to a temp file for the Python peer (np.fromfile). */
export function tempRaw(name: string, a: ArrayBufferView): string {
  dir ??= mkdtempSync(join(tmpdir(), "tomolyte-display-"));
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return p;
}
