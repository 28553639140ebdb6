/**
 * The workshop and the tour, executed with the real tslab kernel through
 * test/integration/run_notebook.py:
 * - every solution notebook runs to the end and every check in it passes;
 * - every blank exercise notebook stops at its first check cell with that
 *   check's "no answer yet" message, and a wrong answer stops at its check with
 *   the check's hint (so the checks can fail, and say why);
 * - exercises and solutions are what notebooks/workshop/make_notebooks.py
 *   writes, differ only in their answer cells, and are stored without outputs;
 * - the tour's numbers equal the `tomolyte` CLI's on the same files (the truth
 *   labels directly, and the grey CT through filter → segment → metrics /
 *   tortuosity).
 * Notebooks run two at a time (the CI machine has two cores); executed copies
 * go to test-output/workshop/.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const WORKSHOP = join(ROOT, "notebooks", "workshop");
const SOLUTIONS = join(WORKSHOP, "solutions");
const TOUR = join(ROOT, "notebooks", "00-tour.ipynb");
const OUT = join(ROOT, "test-output", "workshop");
const CLI = join(ROOT, "kernel-lib", "dist", "cli", "main.js");

interface Cell {
  cell_type: "code" | "markdown";
  id: string;
  metadata: { tags?: string[] };
  source: string[] | string;
  outputs?: { output_type: string; name?: string; text?: string[] | string }[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string; display_name: string; language: string } };
}
interface RunResult {
  ok: boolean;
  seconds: number;
  cpu_seconds: number;
  error: string | null;
  cell: number | null;
  wall: number;
  executed: string;
}

const text = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));
const load = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Notebook;
const listNotebooks = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".ipynb")).sort().map((n) => join(dir, n)) : [];
const tagged = (c: Cell, tag: string) => (c.metadata.tags ?? []).includes(tag);
/** The answer's variable name, from the check cell's first `check("name", ...)`. */
const checkedName = (c: Cell) => /check\("([^"]+)"/.exec(text(c.source))?.[1];

const exercises = listNotebooks(WORKSHOP);
const solutions = listNotebooks(SOLUTIONS);

function sh(command: string, timeoutMs: number) {
  return spawnSync("bash", ["-c", `source scripts/env.sh && ${command}`], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 28 });
}

/** Runs one notebook with the shared runner; resolves with its JSON line plus the wall time. */
function runNotebook(src: string, name: string): Promise<RunResult> {
  const dst = join(OUT, name);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn("bash", ["-c", `source scripts/env.sh && /usr/bin/python3 test/integration/run_notebook.py "$0" "$1" 300`, src, dst], { cwd: ROOT });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.trim().split("\n");
      try {
        const r = JSON.parse(lines[lines.length - 1]) as Omit<RunResult, "wall" | "executed">;
        resolve({ ...r, wall: (Date.now() - t0) / 1000, executed: dst });
      } catch {
        reject(new Error(`run_notebook.py failed on ${relative(ROOT, src)} (exit ${code}):\n${stderr.slice(-4000)}`));
      }
    });
  });
}

/** Runs the jobs `width` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

/** The solution notebook with one answer cell replaced: a plausible mistake. */
function withWrongAnswer(solution: string, name: string, source: string, dst: string): string {
  const nb = load(solution);
  const cell = nb.cells.find((c) => tagged(c, "answer") && c.id === `answer-${name}`);
  if (!cell) throw new Error(`no answer cell for ${name} in ${solution}`);
  cell.source = [source];
  // The data paths of solutions/ are one level deeper than test-output/workshop/ is from the root: same depth, keep them.
  writeFileSync(dst, JSON.stringify(nb));
  return dst;
}

const runs = new Map<string, RunResult>();
const WRONG_POROSITY = "wrong-porosity.ipynb";

beforeAll(async () => {
  // Notebooks import the built package (node_modules/tomolyte -> kernel-lib/dist), and the CLI is its bin.
  const build = sh("npx tsc -b kernel-lib", 300_000);
  if (build.status !== 0) throw new Error(`kernel-lib does not build:\n${build.stdout}${build.stderr}`);
  if (!existsSync(join(ROOT, ".jupyter/share/jupyter/kernels/tslab/kernel.json"))) {
    const reg = sh(`npx tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/.jupyter"`, 120_000);
    if (reg.status !== 0) throw new Error(`could not register the tslab kernel (run npm run setup):\n${reg.stderr}`);
  }
  mkdirSync(join(OUT, "solutions"), { recursive: true });
  mkdirSync(join(OUT, "solutions-wrong"), { recursive: true });
  // A wrong answer: the porosity in per cent. It sits in solutions-wrong/ so that its data paths (../../../data) resolve.
  const wrong = withWrongAnswer(
    join(SOLUTIONS, "01-loading-and-looking.ipynb"),
    "porosity",
    "const porosity = 43.8; // per cent, not a fraction",
    join(OUT, "solutions-wrong", WRONG_POROSITY),
  );
  const jobs: [string, string][] = [
    [TOUR, "00-tour.ipynb"],
    ...solutions.map((p): [string, string] => [p, `solutions/${basename(p)}`]),
    ...exercises.map((p): [string, string] => [p, basename(p)]),
    [wrong, "solutions-wrong/wrong-porosity.executed.ipynb"],
  ];
  const results = await pool(jobs.map(([src, name]) => () => runNotebook(src, name)), 2);
  jobs.forEach(([, name], i) => runs.set(name, results[i]));
  const timings = Object.fromEntries([...runs].map(([k, r]) => [k, { wall_s: r.wall, cpu_s: r.cpu_seconds, ok: r.ok }]));
  writeFileSync(join(OUT, "timings.json"), JSON.stringify(timings, null, 2));
  for (const [k, r] of runs) console.log(`workshop ${k}: ${r.wall.toFixed(1)} s wall, ${r.cpu_seconds.toFixed(1)} s CPU, ${r.ok ? "ran to the end" : `stopped in cell ${r.cell}`}`);
}, 1_500_000);

describe("workshop notebooks as stored", () => {
  it("has the numbered series, each with a solution", () => {
    expect(exercises.map((p) => basename(p))).toEqual(solutions.map((p) => basename(p)));
    expect(exercises.map((p) => basename(p).slice(0, 3))).toEqual(exercises.map((_, i) => `0${i + 1}-`));
    expect(exercises.length).toBeGreaterThanOrEqual(5);
  });

  it("are what make_notebooks.py writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "workshop-"));
    try {
      const r = spawnSync("/usr/bin/python3", [join(WORKSHOP, "make_notebooks.py"), "--out", dir], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      for (const p of [...exercises, ...solutions]) {
        const generated = join(dir, relative(WORKSHOP, p));
        expect(readFileSync(p, "utf8"), `${relative(ROOT, p)} was edited by hand: edit make_notebooks.py and rerun it`).toBe(readFileSync(generated, "utf8"));
      }
      expect(listNotebooks(dir).length).toBe(exercises.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exercises and solutions differ only in their answer cells, each followed by a check", () => {
    for (let i = 0; i < exercises.length; i++) {
      const ex = load(exercises[i]), sol = load(solutions[i]);
      expect(ex.cells.map((c) => c.id)).toEqual(sol.cells.map((c) => c.id));
      const answers = ex.cells.filter((c) => tagged(c, "answer"));
      expect(answers.length, basename(exercises[i])).toBeGreaterThanOrEqual(2);
      expect(answers.length).toBeLessThanOrEqual(3);
      ex.cells.forEach((c, k) => {
        const s = sol.cells[k];
        if (tagged(c, "answer")) {
          expect(text(c.source)).toMatch(/= undefined as any; \/\/ TODO/);
          expect(text(s.source)).not.toMatch(/undefined as any/);
          expect(tagged(ex.cells[k + 1], "check") && checkedName(ex.cells[k + 1])).toBe(c.id.replace(/^answer-/, ""));
        } else {
          // Data paths are one folder deeper in solutions/.
          expect(text(s.source).replace(/\.\.\/\.\.\/\.\.\/data\//g, "../../data/")).toBe(text(c.source));
        }
      });
    }
  });

  it("are stored without outputs, with the tslab kernelspec", () => {
    for (const p of [TOUR, ...exercises, ...solutions]) {
      const nb = load(p);
      expect(nb.metadata.kernelspec, relative(ROOT, p)).toEqual({ name: "tslab", display_name: "TypeScript", language: "typescript" });
      for (const c of nb.cells.filter((c) => c.cell_type === "code")) {
        expect(c.outputs, `${relative(ROOT, p)} ${c.id}`).toEqual([]);
        expect(c.execution_count).toBeNull();
      }
    }
  });
});

describe("solutions pass every check", () => {
  for (const p of solutions) {
    const name = `solutions/${basename(p)}`;
    it(name, () => {
      const r = runs.get(name)!;
      if (!r.ok) throw new Error(`${name} failed in cell ${r.cell}:\n${r.error}`);
      const nb = load(r.executed);
      const checks = nb.cells.filter((c) => tagged(c, "check"));
      for (const c of checks) {
        const out = (c.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stdout").map((o) => text(o.text)).join("");
        expect(out, `${name} ${c.id}`).toContain(`✓ ${checkedName(c)} = `);
      }
    });
  }
});

describe("blank exercises fail at their first check, with its message", () => {
  for (const p of exercises) {
    const name = basename(p);
    it(name, () => {
      const r = runs.get(name)!;
      const cells = load(p).cells;
      const first = cells.findIndex((c) => tagged(c, "check"));
      expect(r.ok, `${name} ran to the end with blank answers`).toBe(false);
      expect(r.cell, r.error ?? "").toBe(first);
      const answer = checkedName(cells[first])!;
      expect(r.error).toContain(`✗ ${answer} has no answer yet: replace \`undefined\` in the cell above. Hint: `);
    });
  }

  it("a wrong answer (porosity in per cent) stops at its check with the hint", () => {
    const r = runs.get("solutions-wrong/wrong-porosity.executed.ipynb")!;
    const cells = load(join(SOLUTIONS, "01-loading-and-looking.ipynb")).cells;
    expect(r.ok).toBe(false);
    expect(r.cell).toBe(cells.findIndex((c) => c.id === "check-porosity"));
    expect(r.error).toContain("✗ porosity = 43.8 is not right yet. porosity should be between 0 and 1; did you divide by the number of voxels");
  });
});

describe("the tour", () => {
  interface PhaseRow {
    value: number;
    volumeFraction: number;
    specificSurfaceArea_per_um: number;
    specificSurfaceAreaFaceCount_per_um: number;
    connectedFraction: number;
  }
  interface TortuosityNumbers {
    tortuosityFactor: number;
    effectiveDiffusivityRatio: number;
    volumeFraction: number;
  }
  let tour: {
    truth: { phases: PhaseRow[]; tortuosity_z: TortuosityNumbers };
    segmentation: { thresholds: number[]; phases: PhaseRow[]; tortuosity_z: TortuosityNumbers };
  };
  const cli = (args: string) => {
    const r = sh(`node ${CLI} ${args}`, 300_000);
    if (r.status !== 0) throw new Error(`tomolyte ${args} failed (${r.status}):\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const expectSameRows = (cliPhases: PhaseRow[], tourPhases: PhaseRow[], valueOf: (cliValue: number) => number) => {
    expect(cliPhases.length).toBe(tourPhases.length);
    for (const c of cliPhases) {
      const t = tourPhases.find((p) => p.value === valueOf(c.value))!;
      expect(t, `phase ${c.value}`).toBeDefined();
      // The same functions on the same voxels: equal to the last digit (JSON round trip of the same doubles).
      for (const k of ["volumeFraction", "specificSurfaceArea_per_um", "specificSurfaceAreaFaceCount_per_um", "connectedFraction"] as const) {
        expect(c[k], `${k} of phase ${c.value}`).toBe(t[k]);
      }
    }
  };

  it("runs in well under two minutes of CPU and prints its results", () => {
    const r = runs.get("00-tour.ipynb")!;
    if (!r.ok) throw new Error(`the tour failed in cell ${r.cell}:\n${r.error}`);
    expect(r.cpu_seconds).toBeLessThan(100);
    const nb = load(r.executed);
    const out = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "stream").map((o) => text(o.text)).join("");
    const line = out.split("\n").find((l) => l.startsWith("TOUR_RESULTS "));
    expect(line).toBeDefined();
    tour = JSON.parse(line!.slice("TOUR_RESULTS ".length));
    // The truth's volume fractions as counted with NumPy (data/samples/README.md).
    expect(tour.truth.phases.map((p) => +p.volumeFraction.toFixed(6))).toEqual([0.438217, 0.408128, 0.153655]);
  });

  it("equals `tomolyte metrics` and `tomolyte tortuosity` on the truth labels", () => {
    expect(tour, "the tour did not run").toBeDefined();
    const labels = "data/samples/taufactor_electrode_labels_128.tif";
    expectSameRows(cli(`metrics ${labels} --json`).phases, tour.truth.phases, (v) => v);
    const tau = cli(`tortuosity ${labels} --phase 0 --axis z --json`);
    expect(tau.tortuosityFactor).toBe(tour.truth.tortuosity_z.tortuosityFactor);
    expect(tau.effectiveDiffusivityRatio).toBe(tour.truth.tortuosity_z.effectiveDiffusivityRatio);
    expect(tau.volumeFraction).toBe(tour.truth.tortuosity_z.volumeFraction);
  });

  it("equals the CLI pipeline filter → segment → metrics / tortuosity on the grey CT", () => {
    expect(tour, "the tour did not run").toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "tour-cli-"));
    try {
      cli(`filter data/samples/taufactor_electrode_ct_128.tif ${dir}/median.tif --op median --radius-voxels 1 --json`);
      const seg = cli(`segment ${dir}/median.tif ${dir}/classes.tif --method multiotsu --classes 3 --json`);
      expect(seg.thresholds).toEqual(tour.segmentation.thresholds);
      // The CLI's classes are 0, 1, 2 in grey order; the tour gave them the truth's values 0, 170, 85.
      const tourValue = [0, 170, 85];
      expectSameRows(cli(`metrics ${dir}/classes.tif --json`).phases, tour.segmentation.phases, (v) => tourValue[v]);
      const tau = cli(`tortuosity ${dir}/classes.tif --phase 0 --axis z --json`);
      expect(tau.tortuosityFactor).toBe(tour.segmentation.tortuosity_z.tortuosityFactor);
      expect(tau.effectiveDiffusivityRatio).toBe(tour.segmentation.tortuosity_z.effectiveDiffusivityRatio);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
