/** Shared helpers of the io tests: temp folders and the Python peer. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { type DType, isTomolyteError } from "../../../kernel-lib/src";

export { runPython } from "../../helpers/python";

export function tempDir(prefix = "tomolyte-io-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Awaits `p` and checks it failed with a TomolyteError of `code`; returns the error. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string }> {
  let err: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a TomolyteError ${code}`).toBeDefined();
  expect(isTomolyteError(err), `not a TomolyteError: ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, (err as Error).message).toBe(code);
  return err as Error & { code: string };
}

/** Entries of a folder (to check no temp file was left). */
export function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

export const quiet = { onWarning: () => undefined };

/** Deterministic values covering each dtype's range (and fractions for floats). */
export function makeValues(dtype: DType, n: number) {
  const ranges: Record<DType, [number, number]> = {
    uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
    uint32: [0, 4294967295], int32: [-2147483648, 2147483647], float32: [-1000, 1000], float64: [-1e6, 1e6],
  };
  const [lo, hi] = ranges[dtype];
  const C = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype];
  const a = new C(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = s / 2147483648;
    a[i] = dtype.startsWith("float") ? lo + (hi - lo) * u : Math.round(lo + (hi - lo) * u);
  }
  a[0] = lo;
  a[n - 1] = hi;
  return a;
}
