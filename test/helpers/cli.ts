/** Runs the built `tomolyte` CLI as a real process, as a shell user would. */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");
export const CLI = join(ROOT, "kernel-lib/dist/cli/main.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node kernel-lib/dist/cli/main.js ...args` in the repository root. */
export function runCliProcess(args: readonly string[], timeoutMs = 120_000): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
