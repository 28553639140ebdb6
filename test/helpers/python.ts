/**
 * Runs Debian's Python (with SciPy, scikit-image, tifffile from apt) as a
 * reference peer. The script prints one JSON value on its last stdout line.
 */
import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

export function runPython<T = unknown>(script: string, args: string[] = [], timeoutMs = 300_000): T {
  const r = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    throw new Error(`python peer failed (${r.status}): ${r.stderr}`);
  }
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}
