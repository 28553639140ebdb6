#!/usr/bin/env node
// Regenerates the publication figures into figures/ (PNG, SVG, provenance JSON).
//
// It executes notebooks/figures.ipynb headlessly with the real tslab kernel
// (test/integration/run_notebook.py, Debian's nbclient): the notebook IS the
// figure code, so `npm run figures` and running the notebook by hand give the
// same files. `npm run figures` runs scripts/setup.sh first (build, kernel).
//
// usage: node scripts/figures.mjs [--out DIR] [--params JSON] [--executed FILE]
//   --out       output folder (default figures/)
//   --params    JSON overriding the notebook's `params` (e.g. '{"thresholdOffset": 5}')
//   --executed  where to save the executed notebook (default test-output/figures/figures.ipynb)
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  if (i + 1 >= args.length) fail(`${name} needs a value`);
  return args[i + 1];
}
function fail(msg) {
  console.error(`error[INVALID_ARGUMENT]: ${msg}`);
  process.exit(2);
}
for (const a of args) if (a.startsWith("--") && !["--out", "--params", "--executed"].includes(a)) fail(`unknown option ${a}`);

const out = resolve(opt("--out", join(ROOT, "figures")));
const params = opt("--params", "{}");
try {
  JSON.parse(params);
} catch {
  fail(`--params must be JSON, got ${params}`);
}
const executed = resolve(opt("--executed", join(ROOT, "test-output", "figures", "figures.ipynb")));
mkdirSync(out, { recursive: true });
mkdirSync(dirname(executed), { recursive: true });

const t0 = Date.now();
const nb = join(ROOT, "notebooks", "figures.ipynb");
const r = spawnSync(
  "bash",
  ["-c", `source scripts/env.sh && exec /usr/bin/python3 test/integration/run_notebook.py "$0" "$1" 600`, nb, executed],
  {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TOMOLYTE_FIGURES_DIR: out, TOMOLYTE_FIGURES_PARAMS: params },
    maxBuffer: 1 << 28,
  },
);
if (r.status !== 0) {
  console.error(`error[INTERNAL]: could not execute ${nb} (exit ${r.status}):\n${r.stderr}`);
  process.exit(1);
}
const lines = r.stdout.trim().split("\n");
const result = JSON.parse(lines[lines.length - 1]);
if (!result.ok) {
  console.error(`error[INTERNAL]: notebooks/figures.ipynb failed${result.cell !== null ? ` in cell ${result.cell}` : ""}:\n${result.error}`);
  console.error(`executed copy: ${executed}`);
  process.exit(1);
}
const files = readdirSync(out).filter((f) => !f.startsWith(".")).sort();
console.log(`figures: ${files.length} files in ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s, notebook ${result.seconds.toFixed(1)} s)`);
for (const f of files) console.log(`  ${f}`);
