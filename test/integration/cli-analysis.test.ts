/**
 * The analysis subcommands of `tomolyte` (filter, segment, metrics,
 * tortuosity) run as real processes (node kernel-lib/dist/cli/main.js) on the
 * committed samples or on small volumes written here, with SciPy/scikit-image
 * (Debian's Python, test/helpers/python.ts), TauFactor's published values,
 * the library's own functions and analytic answers as references.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../helpers/python";
import { read, write } from "../../kernel-lib/src/io";
import { phaseMetrics } from "../../kernel-lib/src/metrics";
import { createVolume, crop } from "../../kernel-lib/src/volume";
import { runCli } from "../../kernel-lib/src/cli/program";
import { filterCommand } from "../../kernel-lib/src/cli/commands/filter";
import { segmentCommand } from "../../kernel-lib/src/cli/commands/segment";
import { metricsCommand } from "../../kernel-lib/src/cli/commands/metrics";
import { tortuosityCommand } from "../../kernel-lib/src/cli/commands/tortuosity";
import { type Run, runCliProcess } from "../helpers/cli";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "kernel-lib/dist/cli/main.js");
const SAMPLES = path.join(ROOT, "data/samples");
const LABELS_256 = path.join(SAMPLES, "taufactor_electrode_256.tiff");
const GREY_128 = path.join(SAMPLES, "taufactor_electrode_ct_128.tif");
const LABELS_128 = path.join(SAMPLES, "taufactor_electrode_labels_128.tif");
const VOXEL_UM = 0.390625;
/** .npy files hold no voxel size: no warning about it in the test output. */
const QUIET = { onWarning: () => undefined };
/** Tests that run several processes on 128³-256³ volumes: room for a loaded 2-core CI machine. */
const SLOW = 180_000;

let tmp: string;

function cli(...args: string[]): Run {
  return runCliProcess(args);
}

/**
 * The same command line run in this process by runCli (what main.ts calls), for
 * the many usage errors: commander rejects them before any work, so a process
 * each would only add start-up time. A few of each kind also run as processes.
 */
async function inProcess(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, [filterCommand, segmentCommand, metricsCommand, tortuosityCommand], {
    stdout: { write: (x: string) => (stdout += x) },
    stderr: { write: (x: string) => (stderr += x) },
  });
  return { code, stdout, stderr };
}

/** Exit 0 and stdout exactly one JSON object on one line. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function okJson(r: Run): any {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.endsWith("\n")).toBe(true);
  expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  const v = JSON.parse(r.stdout);
  expect(typeof v === "object" && v !== null && !Array.isArray(v)).toBe(true);
  return v;
}

/** A failure: the exit code, empty stdout, stderr one line `error[CODE]: message` matching `pattern`. */
function expectError(r: Run, exitCode: number, code: string, pattern?: RegExp): void {
  expect(r.code, r.stderr).toBe(exitCode);
  expect(r.stdout).toBe("");
  // Warnings and progress lines (a loaded machine can make even a small step last 2 s) may come first.
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning:") && !/^[\w ()]+: \d+%$/.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\]: \\S.*$`));
  if (pattern) expect(lines[0]).toMatch(pattern);
}

const t = (name: string) => path.join(tmp, name);

beforeAll(async () => {
  // As cli.test.ts: type errors elsewhere do not stop tsc from emitting the CLI.
  try {
    execFileSync("npx", ["tsc", "-b", "kernel-lib"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    if (!fs.existsSync(CLI)) throw e;
    console.warn(`tsc -b kernel-lib reported errors; testing the emitted ${CLI}`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-cli-analysis-"));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("tomolyte filter", () => {
  it("--op gaussian equals scipy.ndimage.gaussian_filter (voxel and µm sigmas, boundary modes)", () => {
    const a = okJson(cli("filter", GREY_128, t("g_vox.npy"), "--op", "gaussian", "--sigma-voxels", "1.5", "--json", "--threads", "2"));
    expect(a.dtype).toBe("float32");
    expect(a.threads).toBe(2);
    // σ in µm with anisotropic --spacing: σ_voxels = 0.5 µm / [0.5, 0.25, 0.25] = [1, 2, 2].
    const b = okJson(
      cli("filter", GREY_128, t("g_um.npy"), "--op", "gaussian", "--sigma-um", "0.5", "--spacing", "0.5,0.25,0.25", "--mode", "nearest", "--json"),
    );
    expect(b.spacing_um).toEqual([0.5, 0.25, 0.25]);
    const d = runPython<{ vox: number; um: number; scale: number }>(
      `import sys, json, numpy as np, tifffile
from scipy import ndimage
g = tifffile.imread(sys.argv[1]).astype(np.float64)
a = np.load(sys.argv[2]); b = np.load(sys.argv[3])
assert a.dtype == np.float32 and a.shape == g.shape
ra = ndimage.gaussian_filter(g, 1.5, mode="reflect", truncate=4.0)
rb = ndimage.gaussian_filter(g, (1, 2, 2), mode="nearest", truncate=4.0)
print(json.dumps({"vox": float(np.abs(a - ra).max()), "um": float(np.abs(b - rb).max()), "scale": float(g.max())}))`,
      [GREY_128, t("g_vox.npy"), t("g_um.npy")],
    );
    // Grey values up to 255 stored as float32: one rounding is ≤ 255 · 2⁻²⁴ ≈ 1.5e-5; the
    // separable passes round in between, so allow a few ulps: 1e-4 grey units.
    expect(d.vox).toBeLessThan(1e-4);
    expect(d.um).toBeLessThan(1e-4);
  }, SLOW);

  it("--op median is bit-identical for --threads 1 and --threads 2 and equals scipy.ndimage.median_filter", () => {
    const one = okJson(cli("filter", GREY_128, t("med1.npy"), "--op", "median", "--radius-voxels", "1", "--threads", "1", "--json"));
    const two = okJson(cli("filter", GREY_128, t("med2.npy"), "--op", "median", "--radius-voxels", "1", "--threads", "2", "--json"));
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(one.dtype).toBe("uint8");
    expect(fs.readFileSync(t("med1.npy")).equals(fs.readFileSync(t("med2.npy")))).toBe(true);
    const mismatches = runPython<number>(
      `import sys, json, numpy as np, tifffile
from scipy import ndimage
g = tifffile.imread(sys.argv[1])
m = np.load(sys.argv[2])
print(json.dumps(int((ndimage.median_filter(g, size=3, mode="reflect") != m).sum())))`,
      [GREY_128, t("med1.npy")],
    );
    expect(mismatches).toBe(0);
  }, SLOW);

  it("--op unsharp (run in a worker thread) equals skimage.filters.unsharp_mask with preserve_range", async () => {
    const small = crop(await read(GREY_128), { z: [40, 72], y: [40, 72], x: [40, 72] });
    await write(small, t("small.npy"));
    const j = okJson(cli("filter", t("small.npy"), t("unsharp.npy"), "--op", "unsharp", "--radius-voxels", "2", "--amount", "0.7", "--json"));
    expect(j.options).toEqual({ radiusVoxels: 2, amount: 0.7 });
    const diff = runPython<number>(
      `import sys, json, numpy as np
from skimage.filters import unsharp_mask
g = np.load(sys.argv[1]).astype(np.float64)
u = np.load(sys.argv[2])
print(json.dumps(float(np.abs(unsharp_mask(g, radius=2, amount=0.7, preserve_range=True) - u).max())))`,
      [t("small.npy"), t("unsharp.npy")],
    );
    // float32 output of values up to ~400 (sharpening overshoots 255): 1e-4 as above, with margin.
    expect(diff).toBeLessThan(2e-4);
  }, SLOW);

  it("--op diffusion keeps the mean grey value (zero flux through the faces) and smooths", async () => {
    const j = okJson(cli("filter", t("small.npy"), t("diff.npy"), "--op", "diffusion", "--kappa", "30", "--iterations", "5", "--json"));
    const before = okJson(cli("info", t("small.npy"), "--json"));
    const after = okJson(cli("info", t("diff.npy"), "--json"));
    // Mean conserved up to float32 storage between steps (~1e-5 relative).
    expect(Math.abs(j.mean - before.mean)).toBeLessThan(1e-3);
    expect(after.std).toBeLessThan(before.std);
  }, SLOW);

  it("never overwrites its input, refuses an existing output without --force", () => {
    const copy = t("input_copy.npy");
    fs.copyFileSync(t("small.npy"), copy);
    const before = fs.readFileSync(copy);
    expectError(cli("filter", copy, copy, "--op", "median", "--radius-voxels", "1", "--force"), 1, "WOULD_OVERWRITE");
    expect(fs.readFileSync(copy).equals(before)).toBe(true);
    fs.writeFileSync(t("exists.npy"), "old");
    expectError(cli("filter", copy, t("exists.npy"), "--op", "median", "--radius-voxels", "1", "--json"), 1, "WOULD_OVERWRITE");
    expect(fs.readFileSync(t("exists.npy"), "utf8")).toBe("old");
    okJson(cli("filter", copy, t("exists.npy"), "--op", "median", "--radius-voxels", "1", "--json", "--force"));
    expect(fs.readdirSync(tmp).filter((f) => f.includes(".tmp"))).toEqual([]);
  }, SLOW);

  it("bad options are usage errors (exit 2); bad data is exit 1", async () => {
    const out = t("never.npy");
    expectError(cli("filter", GREY_128, out, "--op", "bogus"), 2, "INVALID_ARGUMENT", /bogus/);
    expectError(cli("filter", GREY_128, out, "--op", "median", "--radius-voxels", "-1"), 2, "INVALID_ARGUMENT", /-1/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "median", "--radius-voxels", "1.5"), 2, "INVALID_ARGUMENT", /whole number/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "median"), 2, "INVALID_ARGUMENT", /--radius-voxels/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "median", "--radius-voxels", "1", "--sigma-voxels", "1"), 2, "INVALID_ARGUMENT", /does not apply/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "gaussian", "--sigma-voxels", "1", "--sigma-um", "1"), 2, "INVALID_ARGUMENT", /not both/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "gaussian", "--sigma-voxels", "1", "--mode", "sideways"), 2, "INVALID_ARGUMENT");
    expectError(await inProcess("filter", GREY_128, out, "--sigma-voxels", "1"), 2, "INVALID_ARGUMENT", /--op/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "diffusion"), 2, "INVALID_ARGUMENT", /--kappa/);
    expectError(await inProcess("filter", GREY_128, out, "--op", "median", "--radius-voxels", "1", "--threads", "0"), 2, "INVALID_ARGUMENT");
    // A radius reaching beyond the volume is the operation's complaint (exit 1).
    expectError(await inProcess("filter", t("small.npy"), out, "--op", "median", "--radius-voxels", "40"), 1, "INVALID_ARGUMENT", /beyond the volume/);
    expect(fs.existsSync(out)).toBe(false);
  }, SLOW);
});

describe("tomolyte segment", () => {
  it("--method otsu: threshold of skimage.filters.threshold_otsu, labels value > t", () => {
    const j = okJson(cli("segment", GREY_128, t("otsu.tif"), "--method", "otsu", "--json"));
    const p = runPython<{ t: number; mismatches: number; ones: number }>(
      `import sys, json, numpy as np, tifffile
from skimage.filters import threshold_otsu
g = tifffile.imread(sys.argv[1]); l = tifffile.imread(sys.argv[2])
t = threshold_otsu(g)
print(json.dumps({"t": float(t), "mismatches": int(((g > t).astype(np.uint8) != l).sum()), "ones": int(l.sum())}))`,
      [GREY_128, t("otsu.tif")],
    );
    expect(j.thresholds).toEqual([p.t]);
    expect(p.mismatches).toBe(0);
    expect(j.classes).toBe(2);
    expect(j.dtype).toBe("uint8");
    expect(j.phases.map((q: { value: number }) => q.value)).toEqual([0, 1]);
    expect(j.phases[1].voxels).toBe(p.ones);
    expect(j.phases[0].fraction + j.phases[1].fraction).toBeCloseTo(1, 12);
  }, SLOW);

  it("--method multiotsu --classes 3: skimage's thresholds, and the truth labels recovered", () => {
    const j = okJson(cli("segment", GREY_128, t("mo.tif"), "--method", "multiotsu", "--classes", "3", "--json"));
    const p = runPython<{ t: number[]; accuracy: number; recall: number[]; counts: number[] }>(
      `import sys, json, numpy as np, tifffile
from skimage.filters import threshold_multiotsu
g = tifffile.imread(sys.argv[1]); truth = tifffile.imread(sys.argv[2]); l = tifffile.imread(sys.argv[3])
# Grey order of the phases in the simulated CT: pore (0) < carbon-binder (170) < NMC (85).
want = np.zeros_like(truth); want[truth == 170] = 1; want[truth == 85] = 2
print(json.dumps({"t": [float(x) for x in threshold_multiotsu(g, classes=3)], "accuracy": float((l == want).mean()),
  "recall": [float(((l == k) & (want == k)).sum() / (want == k).sum()) for k in range(3)],
  "counts": [int((l == k).sum()) for k in range(3)]}))`,
      [GREY_128, LABELS_128, t("mo.tif")],
    );
    expect(j.thresholds).toEqual(p.t);
    expect(j.phases.map((q: { voxels: number }) => q.voxels)).toEqual(p.counts);
    // Measured 0.8505 (pore 0.908, carbon-binder 0.548, NMC 0.902): the simulated scan's
    // carbon-binder (89.9 ± 26.2) overlaps the pore (53.9 ± 22.0) in grey value, so a
    // global threshold cannot reach 90 %; pore and NMC are recovered above 90 %.
    expect(p.accuracy).toBeGreaterThan(0.84);
    expect(p.recall[0]).toBeGreaterThan(0.9);
    expect(p.recall[2]).toBeGreaterThan(0.9);
  }, SLOW);

  it("--method classifier learns from sparse scribbles; --method watershed splits two touching balls", async () => {
    // Classifier: scribbles = the truth on every 6th voxel of 3 slices of a 32³ crop.
    const box = { z: [48, 80], y: [48, 80], x: [48, 80] } as const;
    const grey = crop(await read(GREY_128), box);
    const truth = crop(await read(LABELS_128), box);
    const s = new Uint8Array(truth.data.length);
    const code: Record<number, number> = { 0: 1, 170: 2, 85: 3 };
    for (let i = 0; i < s.length; i += 6) {
      const z = Math.floor(i / (32 * 32));
      if (z === 4 || z === 16 || z === 28) s[i] = code[truth.data[i]];
    }
    await write(grey, t("cls_grey.tif"));
    await write(createVolume(s, grey.shape, grey.spacing), t("cls_scribbles.tif"));
    const j = okJson(cli("segment", t("cls_grey.tif"), t("cls.npy"), "--method", "classifier", "--scribbles", t("cls_scribbles.tif"), "--json"));
    expect(j.scribbleValues).toEqual([1, 2, 3]);
    const out = await read(t("cls.npy"), QUIET);
    let right = 0;
    for (let i = 0; i < s.length; i++) if (out.data[i] === code[truth.data[i]] - 1) right++;
    // Better than multi-Otsu's 0.85 on the same grey values (features see the neighbourhood).
    expect(right / s.length).toBeGreaterThan(0.85);

    // Watershed: two balls of radius 8 whose centres are 12 voxels apart (they overlap in a neck).
    const [nz, ny, nx] = [24, 24, 40];
    const b = new Uint8Array(nz * ny * nx);
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      const r1 = (z - 12) ** 2 + (y - 12) ** 2 + (x - 14) ** 2;
      const r2 = (z - 12) ** 2 + (y - 12) ** 2 + (x - 26) ** 2;
      if (r1 <= 64 || r2 <= 64) b[(z * ny + y) * nx + x] = 1;
    }
    await write(createVolume(b, [nz, ny, nx], [1, 1, 1]), t("balls.npy"));
    const w = okJson(cli("segment", t("balls.npy"), t("balls_ws.npy"), "--method", "watershed", "--json"));
    expect(w.particles).toBe(2);
    expect(w.dtype).toBe("uint8");
    const ws = await read(t("balls_ws.npy"), QUIET);
    // Each ball's centre in its own particle, background stays 0.
    const at = (z: number, y: number, x: number) => ws.data[(z * ny + y) * nx + x];
    expect(at(12, 12, 14)).not.toBe(at(12, 12, 26));
    expect([at(12, 12, 14), at(12, 12, 26)].sort()).toEqual([1, 2]);
    expect(at(0, 0, 0)).toBe(0);
  }, SLOW);

  it("bad options and inputs: exit 2 for usage, exit 1 for bad data", async () => {
    const out = t("never_seg.tif");
    expectError(cli("segment", GREY_128, out, "--method", "kmeans"), 2, "INVALID_ARGUMENT", /kmeans/);
    expectError(cli("segment", GREY_128, GREY_128, "--method", "otsu", "--force"), 1, "WOULD_OVERWRITE");
    expectError(await inProcess("segment", GREY_128, out, "--method", "otsu", "--classes", "3"), 2, "INVALID_ARGUMENT", /does not apply/);
    expectError(await inProcess("segment", GREY_128, out, "--method", "multiotsu", "--classes", "7"), 2, "INVALID_ARGUMENT", /2 to 5/);
    expectError(await inProcess("segment", GREY_128, out, "--method", "local"), 2, "INVALID_ARGUMENT", /--radius-voxels/);
    expectError(await inProcess("segment", GREY_128, out, "--method", "classifier"), 2, "INVALID_ARGUMENT", /--scribbles/);
    expectError(await inProcess("segment", GREY_128, out, "--method", "classifier", "--scribbles", t("small.npy")), 1, "SHAPE_MISMATCH");
    expect(fs.existsSync(out)).toBe(false);
  }, SLOW);
});

describe("tomolyte metrics", () => {
  it("reproduces TauFactor's published volume fractions and face-count surface areas on its 256³ electrode", () => {
    const j = okJson(cli("metrics", LABELS_256, "--spacing", String(VOXEL_UM), "--names", "0=pore,85=NMC,170=CBD", "--json"));
    expect(j.spacing_um).toEqual([VOXEL_UM, VOXEL_UM, VOXEL_UM]);
    expect(j.phases.map((p: { value: number; name: string }) => [p.value, p.name])).toEqual([[0, "pore"], [85, "NMC"], [170, "CBD"]]);
    const published = [
      { vf: 0.449917, ssaVoxel: 0.30684 },
      { vf: 0.400466, ssaVoxel: 0.1461 },
      { vf: 0.149616, ssaVoxel: 0.34223 },
    ];
    published.forEach((ref, i) => {
      const p = j.phases[i];
      // Published to 6 decimals (volume fraction) and 5 significant digits (SSA): half a unit of the last digit.
      expect(Math.abs(p.volumeFraction - ref.vf)).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(p.specificSurfaceAreaFaceCount_per_um * VOXEL_UM - ref.ssaVoxel)).toBeLessThanOrEqual(5e-6);
      expect(p.specificSurfaceAreaFaceCount_per_um).toBeCloseTo(ref.ssaVoxel / VOXEL_UM, 4);
      // Marching cubes cuts the staircase corners: below the face count, above ~2/3 of it.
      expect(p.specificSurfaceArea_per_um).toBeLessThan(p.specificSurfaceAreaFaceCount_per_um);
      expect(p.specificSurfaceArea_per_um).toBeGreaterThan(0.6 * p.specificSurfaceAreaFaceCount_per_um);
      expect(p.connectedFraction).toBeGreaterThan(0.9);
      expect(p.connectedFraction).toBeLessThanOrEqual(1);
    });
    expect(j.porosity).toBe(j.phases[0].volumeFraction);
  }, SLOW);

  it("with anisotropic --spacing: equals the library's phaseMetrics, and NumPy/SciPy/scikit-image by DESIGN.md's definitions", async () => {
    // A 64³ corner of the 128³ labels keeps the peers quick; all three phases percolate in it.
    const spacing: [number, number, number] = [0.5, 0.25, 0.375];
    const file = t("labels_64.tif");
    await write(crop(await read(LABELS_128), { z: [0, 64], y: [0, 64], x: [0, 64] }), file);
    const j = okJson(cli("metrics", file, "--spacing", spacing.join(","), "--json"));
    const lib = phaseMetrics(await read(file, { spacing_um: spacing }));
    expect(j.phases).toEqual(JSON.parse(JSON.stringify(lib.phases)));
    expect(j.interfaces).toEqual(JSON.parse(JSON.stringify(lib.interfaces)));
    const peer = runPython<{ value: number; vf: number; faces: number; mc: number; connected: number }[]>(
      `import sys, json, numpy as np, tifffile
from scipy import ndimage
from skimage import measure
l = tifffile.imread(sys.argv[1]); dz, dy, dx = (float(x) for x in sys.argv[2].split(","))
total = l.size * dz * dy * dx
out = []
for v in np.unique(l):
    m = l == v
    # Faces between the phase and another phase inside the volume, times their area.
    fz = (m[1:] != m[:-1]).sum() * dy * dx
    fy = (m[:, 1:] != m[:, :-1]).sum() * dz * dx
    fx = (m[:, :, 1:] != m[:, :, :-1]).sum() * dz * dy
    verts, faces, _, _ = measure.marching_cubes(m.astype(np.float64), 0.5, spacing=(dz, dy, dx), method="lorensen")
    lab, n = ndimage.label(m)  # 6-connectivity (the default structure)
    both = np.intersect1d(np.unique(lab[0]), np.unique(lab[-1]))
    both = both[both > 0]
    out.append({"value": int(v), "vf": float(m.mean()), "faces": float((fz + fy + fx) / total),
                "mc": float(measure.mesh_surface_area(verts, faces) / total),
                "connected": float(np.isin(lab, both).sum() / m.sum())})
print(json.dumps(out))`,
      [file, spacing.join(",")],
    );
    expect(j.phases.map((p: { value: number }) => p.value)).toEqual(peer.map((p) => p.value));
    peer.forEach((ref, i) => {
      const p = j.phases[i];
      // Counts divided by the same totals: equal to rounding (1e-12 relative).
      expect(Math.abs(p.volumeFraction - ref.vf)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(p.specificSurfaceAreaFaceCount_per_um / ref.faces - 1)).toBeLessThan(1e-9);
      expect(Math.abs(p.connectedFraction - ref.connected)).toBeLessThanOrEqual(1e-12);
      // Classic (Lorensen) marching cubes: the same surface up to the triangulation of
      // ambiguous cube faces, which the definition leaves open; measured 2e-4 to 7e-4 apart
      // on this crop (scikit-image's Lewiner variant differs from Lorensen by 0.04 % to 4 %).
      expect(Math.abs(p.specificSurfaceArea_per_um / ref.mc - 1)).toBeLessThan(1e-3);
    });
  }, SLOW);

  it("bad input: float grey values, a phase not in the volume, bad --names", async () => {
    expectError(cli("metrics", t("unsharp.npy"), "--json"), 1, "INVALID_ARGUMENT", /integer/);
    expectError(await inProcess("metrics", LABELS_128, "--phases", "0,3"), 1, "INVALID_ARGUMENT", /phase 3 is not in/);
    expectError(await inProcess("metrics", LABELS_128, "--names", "pore"), 2, "INVALID_ARGUMENT");
    expectError(await inProcess("metrics", path.join(tmp, "missing.tif"), "--json"), 1, "FILE_NOT_FOUND");
  }, SLOW);
});

describe("tomolyte tortuosity", () => {
  /** 20 × 12 × 12 voxels: background 1, straight channels (value 0) along z through the whole volume. */
  async function channels(): Promise<{ file: string; fraction: number }> {
    const [nz, ny, nx] = [20, 12, 12];
    const d = new Uint8Array(nz * ny * nx).fill(1);
    let n = 0;
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      // A 3×4 channel and a 2×2 one, apart from each other.
      if ((y >= 2 && y < 5 && x >= 1 && x < 5) || (y >= 8 && y < 10 && x >= 7 && x < 9)) {
        d[(z * ny + y) * nx + x] = 0;
        n++;
      }
    }
    const file = t("channels.npy");
    if (!fs.existsSync(file)) await write(createVolume(d, [nz, ny, nx], [1, 1, 1]), file);
    return { file, fraction: n / d.length };
  }

  it("straight channels along z: tortuosity factor 1, D_eff/D = volume fraction, a linear field", async () => {
    const { file, fraction } = await channels();
    const j = okJson(cli("tortuosity", file, "--phase", "0", "--axis", "z", "--field", t("field.npy"), "--json", "--tolerance", "1e-6", "--spacing", "0.5,0.25,0.25"));
    expect(j.converged).toBe(true);
    expect(Math.abs(j.tortuosityFactor - 1)).toBeLessThan(1e-4);
    expect(Math.abs(j.effectiveDiffusivityRatio - fraction)).toBeLessThan(1e-4 * fraction);
    expect(j.volumeFraction).toBeCloseTo(fraction, 12);
    expect(j.removedFraction).toBe(0);
    expect(j.macMullinNumber).toBeCloseTo(1 / j.effectiveDiffusivityRatio, 9);
    const field = await read(t("field.npy"), QUIET);
    expect(field.shape).toEqual([20, 12, 12]);
    // Inlet 1 and outlet 0 half a voxel outside the first and last slice: c(z) = 1 − (z + ½)/20.
    const at = (z: number, y: number, x: number) => field.data[(z * 12 + y) * 12 + x];
    for (const z of [0, 7, 19]) expect(Math.abs(at(z, 3, 2) - (1 - (z + 0.5) / 20))).toBeLessThan(1e-4);
    expect(at(5, 0, 0)).toBe(0); // not conducting
  }, SLOW);

  it("across the channels nothing percolates: infinite factor as null in JSON, exit 0", async () => {
    const { file } = await channels();
    const j = okJson(cli("tortuosity", file, "--phase", "0", "--axis", "x", "--json"));
    expect(j.percolating).toBe(false);
    expect(j.tortuosityFactor).toBeNull();
    expect(j.effectiveDiffusivityRatio).toBe(0);
    expect(j.message).toMatch(/does not connect/);
  }, SLOW);

  it("a phase absent from the volume and bad options fail with error lines", async () => {
    const { file } = await channels();
    expectError(cli("tortuosity", file, "--phase", "85", "--json"), 1, "INVALID_ARGUMENT", /phase 85 is not in .*values are 0, 1/);
    expectError(cli("tortuosity", file), 2, "INVALID_ARGUMENT", /--phase/);
    expectError(await inProcess("tortuosity", file, "--phase", "0", "--axis", "w"), 2, "INVALID_ARGUMENT");
    expectError(await inProcess("tortuosity", file, "--phase", "0", "--tolerance", "0"), 2, "INVALID_ARGUMENT");
    expectError(await inProcess("tortuosity", file, "--phase", "0", "--field", file), 1, "WOULD_OVERWRITE");
  }, SLOW);

  it("Ctrl-C while the solver runs in its worker: exit 130 within seconds, error[CANCELLED]", async () => {
    // SOR to a tight tolerance on the 128³ labels runs for minutes: time enough to interrupt.
    const args = ["tortuosity", LABELS_128, "--phase", "0", "--method", "sor", "--tolerance", "1e-7", "--json", "--field", t("never_field.npy")];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let sentAt = 0;
    child.stdout.on("data", (d) => (stdout += d));
    // Plain progress lines start after 2 s of solving: interrupt at the first one.
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!sentAt && /tortuosity \(z\): \d+%/.test(stderr)) {
        sentAt = Date.now();
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(sentAt, stderr).toBeGreaterThan(0);
    expect(code, stderr).toBe(130);
    // A synchronous solver on the main thread would only stop at the end (minutes here).
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n").at(-1)).toMatch(/^error\[CANCELLED\]: /);
    expect(fs.existsSync(t("never_field.npy"))).toBe(false);
  }, SLOW);
});
