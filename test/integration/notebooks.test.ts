/**
 * Executes every notebook under notebooks/ headlessly with the real tslab
 * kernel (Debian's nbclient, project-local JUPYTER_PATH from scripts/env.sh),
 * saves the executed copies to test-output/notebooks/, and checks what the
 * quickstart displays against the sample file itself.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { inflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../helpers/python";

const ROOT = join(__dirname, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");
const OUT = join(ROOT, "test-output", "notebooks");
const VOLUME_MIME = "application/vnd.tomolyte.volume+json";
const SAMPLE = join(ROOT, "data", "samples", "taufactor_electrode_256.tiff");

function findNotebooks(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === ".ipynb_checkpoints" || name.startsWith(".")) continue;
    // workshop.test.ts runs these: the blank exercises must fail by design, and the
    // tour's printed numbers are compared with the CLI's there.
    if (dir === NOTEBOOKS && (name === "workshop" || name === "00-tour.ipynb")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findNotebooks(p));
    else if (name.endsWith(".ipynb")) out.push(p);
  }
  return out;
}

const notebooks = findNotebooks(NOTEBOOKS);
const timings: Record<string, { wall_s: number; cpu_s: number }> = {};

interface RunResult {
  ok: boolean;
  seconds: number;
  cpu_seconds: number;
  error: string | null;
  cell: number | null;
}

function sh(command: string, timeoutMs: number) {
  return spawnSync("bash", ["-c", `source scripts/env.sh && ${command}`], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 1 << 28,
  });
}

beforeAll(() => {
  // Notebooks import the built package (node_modules/tomolyte -> kernel-lib/dist): build it.
  const build = sh("npx tsc -b kernel-lib", 300_000);
  if (build.status !== 0) throw new Error(`kernel-lib does not build, notebooks would run stale code:\n${build.stdout}${build.stderr}`);
  if (!existsSync(join(ROOT, ".jupyter/share/jupyter/kernels/tslab/kernel.json"))) {
    // The same registration as scripts/setup.sh, so that `npx vitest run` works on its own.
    const reg = sh(
      `npx tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/.jupyter"`,
      120_000,
    );
    if (reg.status !== 0) throw new Error(`could not register the tslab kernel (run npm run setup):\n${reg.stderr}`);
  }
  mkdirSync(OUT, { recursive: true });
});

describe("notebooks execute with the tslab kernel", () => {
  it("finds the notebooks", () => {
    expect(notebooks.map((p) => relative(NOTEBOOKS, p))).toContain("01-quickstart.ipynb");
  });

  for (const nb of notebooks) {
    const rel = relative(NOTEBOOKS, nb);
    it(rel, { timeout: 900_000 }, () => {
      const dst = join(OUT, rel);
      mkdirSync(dirname(dst), { recursive: true });
      const t0 = Date.now();
      const r = sh(`/usr/bin/python3 test/integration/run_notebook.py '${nb}' '${dst}' 600`, 800_000);
      const wall = (Date.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`nbclient failed to run ${rel} (${r.status}):\n${r.stderr}`);
      const lines = r.stdout.trim().split("\n");
      const res = JSON.parse(lines[lines.length - 1]) as RunResult;
      timings[rel] = { wall_s: wall, cpu_s: res.cpu_seconds };
      writeFileSync(join(OUT, "timings.json"), JSON.stringify(timings, null, 2));
      console.log(
        `notebook ${rel}: ${wall.toFixed(1)} s wall, ${res.cpu_seconds.toFixed(1)} s CPU (kernel start and all cells), executed copy ${dst}`,
      );
      if (!res.ok) throw new Error(`notebook ${rel} failed${res.cell !== null ? ` in cell ${res.cell}` : ""}:\n${res.error}`);
    });
  }
});

type Output = { output_type: string; data?: Record<string, unknown>; name?: string; text?: string | string[] };
type Bundle = {
  shape: number[];
  spacing: number[];
  dtype: string;
  encoding: string;
  data: string;
  window: number[];
  labels?: { dtype: string; data: string; phases: { value: number; name: string; color: string }[] };
  downsample?: { factor: number[]; originalShape: number[] };
  title?: string;
};

function text(v: unknown): string {
  return Array.isArray(v) ? v.join("") : String(v);
}

describe("the quickstart's displays", () => {
  const executed = join(OUT, "01-quickstart.ipynb");
  let outputs: Output[] = [];
  let sample: { sha256: string; shape: number[] };

  beforeAll(() => {
    // Runs after the execution tests above (vitest runs a file's tests in order).
    if (!existsSync(executed)) throw new Error(`${executed} is missing: the quickstart did not run`);
    const nb = JSON.parse(readFileSync(executed, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
    outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    sample = runPython<{ sha256: string; shape: number[] }>(
      `import sys, json, hashlib, tifffile, numpy as np
a = tifffile.imread(sys.argv[1])
print(json.dumps({"sha256": hashlib.sha256(np.ascontiguousarray(a).astype("<u1").tobytes()).hexdigest(), "shape": list(a.shape)}))`,
      [SAMPLE],
    );
  });

  const volumeOutputs = () => outputs.filter((o) => o.data && VOLUME_MIME in o.data);

  it("shows the grey volume: the sample's shape, PNG and text in the same display message", () => {
    const vols = volumeOutputs();
    expect(vols.length).toBe(2);
    const o = vols[0];
    const b = o.data![VOLUME_MIME] as Bundle;
    expect(sample.shape).toEqual([256, 256, 256]);
    // 256³ is exactly the default cap (16 Mi voxels): sent at full resolution.
    expect(b.downsample).toBeUndefined();
    expect(b.shape).toEqual(sample.shape);
    expect(b.spacing).toEqual([0.390625, 0.390625, 0.390625]);
    expect(b.dtype).toBe("uint8");
    expect(b.encoding).toBe("deflate-base64");
    expect(b.window).toEqual([0, 170]); // 0.5/99.5 percentiles of {0, 85, 170} voxels
    expect(b.labels).toBeUndefined();
    // The voxels sent are the file's voxels, byte for byte.
    const bytes = inflateRawSync(Buffer.from(b.data, "base64"));
    expect(bytes.length).toBe(256 ** 3);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sample.sha256);
    const png = Buffer.from(text(o.data!["image/png"]), "base64");
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: three 256-wide panels plus two 4-pixel gaps, 256 rows.
    expect(png.readUInt32BE(16)).toBe(3 * 256 + 8);
    expect(png.readUInt32BE(20)).toBe(256);
    expect(text(o.data!["text/plain"])).toContain("Volume 256 × 256 × 256 (z, y, x) uint8");
  });

  it("shows the labels with their phase table and fractions", () => {
    const o = volumeOutputs()[1];
    const b = o.data![VOLUME_MIME] as Bundle;
    expect(b.shape).toEqual([256, 256, 256]);
    expect(b.labels?.phases).toEqual([
      { value: 0, name: "pore", color: "#000000" },
      { value: 85, name: "NMC", color: "#E69F00" },
      { value: 170, name: "carbon-binder", color: "#56B4E9" },
    ]);
    expect(b.labels?.dtype).toBe("uint8");
    const labels = inflateRawSync(Buffer.from(b.labels!.data, "base64"));
    expect(createHash("sha256").update(labels).digest("hex")).toBe(sample.sha256);
    expect("image/png" in o.data!).toBe(true);
    const summary = text(o.data!["text/plain"]);
    // TauFactor 2's published volume fractions of this sample (data/README.md).
    expect(summary).toMatch(/0\s+pore\s+0\.449917/);
    expect(summary).toMatch(/85\s+NMC\s+0\.400466/);
    expect(summary).toMatch(/170\s+carbon-binder\s+0\.149616/);
  });

  it("shows the histogram as a table (HTML and text)", () => {
    const t = outputs.find((o) => o.data && "text/html" in o.data && !(VOLUME_MIME in o.data));
    expect(t).toBeDefined();
    expect(text(t!.data!["text/html"])).toContain("<table");
    const plain = text(t!.data!["text/plain"]);
    expect(plain).toMatch(/bin_lo\s+bin_hi\s+count\s+fraction/);
    expect(plain).toMatch(/\b0\s+1\s+7548361\s+0\.449917/);
    expect(plain).toContain("(3 × 4)");
  });

  it("prints the volume's info", () => {
    const out = outputs.filter((o) => o.output_type === "stream" && o.name === "stdout").map((o) => text(o.text)).join("");
    expect(out).toContain("shape (z, y, x): 256 × 256 × 256");
    expect(out).toContain("dtype: uint8");
  });
});
