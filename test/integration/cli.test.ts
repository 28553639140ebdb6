/**
 * The `tomolyte` CLI run as a real process (node kernel-lib/dist/cli/main.js)
 * on the committed samples, with tifffile/NumPy (Debian's Python) as the
 * reference for every number it prints.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../helpers/python";
import { SHARED_DATA } from "../helpers/shared-data";
import { type Run, runCliProcess } from "../helpers/cli";
import { type CliCommand, EXIT_CODES, runCli } from "../../kernel-lib/src/cli/program";
import { TomolyteError } from "../../kernel-lib/src/errors";
import { createContext } from "../../kernel-lib/src/cli/context";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "kernel-lib/dist/cli/main.js");
const SAMPLES = path.join(ROOT, "data/samples");
const LABELS_256 = path.join(SAMPLES, "taufactor_electrode_256.tiff");
const GREY_128 = path.join(SAMPLES, "taufactor_electrode_ct_128.tif");
const LABELS_128 = path.join(SAMPLES, "taufactor_electrode_labels_128.tif");
const VOXEL_UM = 0.390625;

let tmp: string;

function cli(...args: string[]): Run {
  return runCliProcess(args, 60_000);
}

/** stdout holds exactly one JSON object (one line) and nothing else. */
function onlyJson(r: Run): Record<string, unknown> {
  expect(r.stdout.endsWith("\n")).toBe(true);
  expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  const v = JSON.parse(r.stdout);
  expect(typeof v).toBe("object");
  expect(Array.isArray(v)).toBe(false);
  return v;
}

/** A failure: the given exit code, empty stdout, and stderr exactly one line `error[CODE]: message`. */
function expectError(r: Run, exitCode: number, code: string): void {
  expect(r.code, r.stderr).toBe(exitCode);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\]: \\S.*$`));
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

/** NumPy's view of a volume file: shape, dtype, min, max, mean, std and a digest of the C-order bytes. */
interface PyStats {
  shape: number[];
  dtype: string;
  min: number;
  max: number;
  mean: number;
  std: number;
  sha256: string;
}

const PY_STATS = `
import sys, json, hashlib, re, os
import numpy as np, tifffile
def load(p):
    if p.endswith(".npy"):
        return np.load(p)
    if p.endswith(".mhd"):
        h = dict(l.split(" = ", 1) for l in open(p).read().splitlines() if " = " in l)
        types = {"MET_UCHAR": "u1", "MET_CHAR": "i1", "MET_USHORT": "u2", "MET_SHORT": "i2", "MET_UINT": "u4",
                 "MET_INT": "i4", "MET_FLOAT": "f4", "MET_DOUBLE": "f8"}
        order = ">" if h.get("ElementByteOrderMSB", h.get("BinaryDataByteOrderMSB", "False")) == "True" else "<"
        dims = [int(x) for x in h["DimSize"].split()]
        raw = os.path.join(os.path.dirname(p), h["ElementDataFile"].strip())
        return np.fromfile(raw, dtype=order + types[h["ElementType"].strip()]).reshape(dims[::-1])
    return tifffile.imread(p)
out = []
for p in sys.argv[1:]:
    a = load(p)
    out.append({"shape": list(a.shape), "dtype": str(a.dtype), "min": float(a.min()), "max": float(a.max()),
                "mean": float(a.mean(dtype=np.float64)), "std": float(a.std(dtype=np.float64)),
                "sha256": hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("=")).tobytes()).hexdigest()})
print(json.dumps(out))
`;

function pyStats(...files: string[]): PyStats[] {
  return runPython<PyStats[]>(PY_STATS, files, 120_000);
}

/** Relative agreement to 1e-9 (both sides sum in float64; NumPy pairwise, tomolyte in order). */
function close(a: unknown, b: number): void {
  expect(typeof a).toBe("number");
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
}

beforeAll(() => {
  // Type errors elsewhere in the library do not stop tsc from emitting the CLI;
  // only a missing build fails here (the type check itself is its own CI step).
  try {
    execFileSync("npx", ["tsc", "-b", "kernel-lib"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    if (!fs.existsSync(CLI)) throw e;
    console.warn(`tsc -b kernel-lib reported errors; testing the emitted ${CLI}`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-cli-"));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the installed command", () => {
  it("`npx tomolyte` (node_modules/.bin/tomolyte, as the README uses it) runs the built CLI", () => {
    const bin = path.join(ROOT, "node_modules/.bin/tomolyte");
    const r = spawnSync(bin, ["--version"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "kernel-lib/package.json"), "utf8")).version;
    expect(r.stdout.trim()).toBe(version);
  });
});

describe("tomolyte info", () => {
  it("prints shape, dtype, spacing and statistics that agree with tifffile/NumPy", () => {
    const [ref] = pyStats(LABELS_256);
    const r = cli("info", LABELS_256, "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = onlyJson(r);
    expect(j.shape).toEqual(ref.shape);
    expect(j.shape).toEqual([256, 256, 256]);
    expect(j.dtype).toBe("uint8");
    expect(j.format).toBe("tiff");
    close(j.min, ref.min);
    close(j.max, ref.max);
    close(j.mean, ref.mean);
    close(j.std, ref.std);
    // TauFactor's file stores no voxel size: 1 µm by default, with a warning on stderr only.
    expect(j.spacing_um).toEqual([1, 1, 1]);
    expect(j.spacingSource).toBe("default");
    expect(r.stderr).toMatch(/warning: .*voxel size/);
  });

  it("takes --spacing over the file's metadata (one value or dz,dy,dx)", () => {
    const iso = onlyJson(cli("info", LABELS_256, "--json", "--spacing", String(VOXEL_UM), "--quiet"));
    expect(iso.spacing_um).toEqual([VOXEL_UM, VOXEL_UM, VOXEL_UM]);
    expect(iso.spacingSource).toBe("override");
    const r = cli("info", GREY_128, "--spacing", "0.5,0.25,0.125", "--json");
    expect(r.code, r.stderr).toBe(0);
    const aniso = onlyJson(r);
    expect(aniso.spacing_um).toEqual([0.5, 0.25, 0.125]);
    expect(aniso.spacingSource).toBe("override");
  });

  it("reads the spacing the samples written by tomolyte carry (the simulated CT companion)", () => {
    const [ref] = pyStats(GREY_128);
    const r = cli("info", GREY_128, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const j = onlyJson(r);
    expect(j.shape).toEqual(ref.shape);
    expect(j.spacing_um).toEqual([VOXEL_UM, VOXEL_UM, VOXEL_UM]);
    expect(j.spacingSource).toBe("file");
    close(j.min, ref.min);
    close(j.max, ref.max);
    close(j.mean, ref.mean);
    close(j.std, ref.std);
  });

  it("prints a human-readable summary without --json", () => {
    const r = cli("info", LABELS_256, "--spacing", String(VOXEL_UM));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shape\s+256 × 256 × 256/);
    expect(r.stdout).toMatch(/spacing\s+0\.390625 × 0\.390625 × 0\.390625 µm\s+\(from --spacing\)/);
    expect(r.stdout).toMatch(/max\s+170\n/);
    expect(r.stdout.trimStart().startsWith("{")).toBe(false);
  });
});

describe("tomolyte convert", () => {
  it("round-trips TIFF → .npy → .mhd → TIFF with identical voxels and the spacing carried along", () => {
    // The 128³ labels keep this quick; the spacing given at the first step (anisotropic,
    // to catch axis mix-ups) must reach the last file. .npy holds no spacing, so the
    // second step passes it again; .mhd stores ElementSpacing, so the third reads it.
    const spacing = "0.5,0.25,0.125";
    const npy = path.join(tmp, "labels.npy");
    const mhd = path.join(tmp, "labels.mhd");
    const tif = path.join(tmp, "labels_back.tif");
    const a = cli("convert", LABELS_128, npy, "--spacing", spacing, "--json");
    expect(a.code, a.stderr).toBe(0);
    const ja = onlyJson(a);
    expect(ja.format).toBe("npy");
    expect(ja.shape).toEqual([128, 128, 128]);
    expect(ja.bytes).toBe(fs.statSync(npy).size);
    const b = cli("convert", npy, mhd, "--spacing", spacing, "--json");
    expect(b.code, b.stderr).toBe(0);
    expect(onlyJson(b).format).toBe("mhd");
    const c = cli("convert", mhd, tif, "--json");
    expect(c.code, c.stderr).toBe(0);
    const jc = onlyJson(c);
    expect(jc.spacingSource).toBe("file");
    expect(jc.spacing_um).toEqual([0.5, 0.25, 0.125]);

    const [ref, s1, s2, s3] = pyStats(LABELS_128, npy, mhd, tif);
    for (const s of [s1, s2, s3]) {
      expect(s.shape).toEqual(ref.shape);
      expect(s.dtype).toBe("uint8");
      expect(s.sha256).toBe(ref.sha256);
    }
    const back = onlyJson(cli("info", tif, "--json"));
    expect(back.spacing_um).toEqual([0.5, 0.25, 0.125]);
    expect(back.spacingSource).toBe("file");
  });

  it("converts dtype with --dtype (clipped and rounded) and --rescale", () => {
    const out = path.join(tmp, "grey_f32.npy");
    const r = cli("convert", GREY_128, out, "--dtype", "float32", "--rescale", "--json");
    expect(r.code, r.stderr).toBe(0);
    const [s] = pyStats(out);
    expect(s.dtype).toBe("float32");
    expect(s.min).toBe(0);
    expect(s.max).toBe(1);
  });

  it("never overwrites its input, even with --force, and keeps the input intact", () => {
    const npy = path.join(tmp, "input.npy");
    expect(cli("convert", LABELS_128, npy, "--quiet").code).toBe(0);
    const before = fs.readFileSync(npy);
    expectError(cli("convert", npy, npy), 1, "WOULD_OVERWRITE");
    expectError(cli("convert", npy, npy, "--force", "--json"), 1, "WOULD_OVERWRITE");
    const link = path.join(tmp, "link.npy");
    fs.symlinkSync(npy, link);
    expectError(cli("convert", npy, link, "--force"), 1, "WOULD_OVERWRITE");
    expect(fs.readFileSync(npy).equals(before)).toBe(true);
    // No temp files left beside it.
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses to replace an existing output without --force, replaces it with --force", () => {
    const out = path.join(tmp, "existing.npy");
    fs.writeFileSync(out, "old");
    expectError(cli("convert", GREY_128, out, "--json"), 1, "WOULD_OVERWRITE");
    expect(fs.readFileSync(out, "utf8")).toBe("old");
    const r = cli("convert", GREY_128, out, "--force", "--json");
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = pyStats(GREY_128, out);
    expect(b.sha256).toBe(a.sha256);
  });
});

describe("tomolyte errors and usage", () => {
  it("a missing file: exit 1, error[FILE_NOT_FOUND]", () => {
    expectError(cli("info", path.join(tmp, "nope.tif"), "--json"), 1, "FILE_NOT_FOUND");
    expectError(cli("convert", path.join(tmp, "nope.tif"), path.join(tmp, "x.npy")), 1, "FILE_NOT_FOUND");
  });

  it("a corrupt or truncated file: exit 1, error[CORRUPT_FILE]", () => {
    const truncated = path.join(tmp, "truncated.tif");
    fs.writeFileSync(truncated, fs.readFileSync(LABELS_256).subarray(0, 4096));
    expectError(cli("info", truncated, "--json"), 1, "CORRUPT_FILE");
    const garbage = path.join(tmp, "garbage.npy");
    fs.writeFileSync(garbage, Buffer.from("this is not a numpy file at all"));
    expectError(cli("info", garbage), 1, "CORRUPT_FILE");
  });

  it("a bad --spacing: exit 2, error[INVALID_ARGUMENT]", () => {
    for (const bad of ["1,2", "-1,1,1", "0,1,1", "a,b,c", "1,,1", "nan", "1,2,3,4"]) {
      expectError(cli("info", LABELS_256, "--json", `--spacing=${bad}`), 2, "INVALID_ARGUMENT");
    }
  });

  it("usage errors: unknown option or subcommand, missing argument, no subcommand: exit 2", () => {
    expectError(cli("info", LABELS_256, "--bogus"), 2, "INVALID_ARGUMENT");
    expectError(cli("frobnicate"), 2, "INVALID_ARGUMENT");
    expectError(cli("info"), 2, "INVALID_ARGUMENT");
    expectError(cli(), 2, "INVALID_ARGUMENT");
    expectError(cli("convert", LABELS_256, path.join(tmp, "r.npy"), "--rescale"), 2, "INVALID_ARGUMENT");
    expectError(cli("convert", LABELS_256, path.join(tmp, "r.npy"), "--dtype", "int64"), 2, "INVALID_ARGUMENT");
  });

  it("--help documents the subcommands and the exit codes, exit 0", () => {
    const r = cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/info/);
    expect(r.stdout).toMatch(/convert/);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*\b2\s+usage error/);
    const v = cli("--version");
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/** The environment of the (one) child process of `pid`, read from /proc. */
function childEnvironment(pid: number): string[] {
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      // Field 4 of /proc/N/stat is the parent's pid (the name in field 2 has no spaces here).
      if (Number(fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(" ")[3]) === pid) {
        return fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      }
    } catch {
      // a process that ended while we looked
    }
  }
  return [];
}

describe("tomolyte interrupted", () => {
  it("Ctrl-C cancels cleanly: exit 130, error[CANCELLED], no output or temp file left", async () => {
    const out = path.join(tmp, "interrupted.npy");
    // Without GLIBC_TUNABLES the CLI reruns itself on huge pages (cli/main.ts): the
    // interrupt must pass through that parent to the working child, once.
    const env = { ...process.env };
    delete env.GLIBC_TUNABLES;
    const child = spawn(process.execPath, [CLI, "convert", LABELS_256, out, "--json"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    // The spacing warning comes once the header is read (the handler is installed by
    // then) and well before the 256³ voxels are decoded: interrupt right there.
    child.stderr.on("data", (d) => {
      const first = !stderr.includes("warning:");
      stderr += d;
      if (first && stderr.includes("warning:")) {
        workerEnv = childEnvironment(child.pid!);
        child.kill("SIGINT");
      }
    });
    let workerEnv: string[] = [];
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(workerEnv).toContain("GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
    expect(code, stderr).toBe(130);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n").at(-1)).toMatch(/^error\[CANCELLED\]: /);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.includes("interrupted"))).toEqual([]);
  });
});

describe("the committed samples", () => {
  it("SHA256SUMS matches the files in data/samples", () => {
    for (const line of fs.readFileSync(path.join(SAMPLES, "SHA256SUMS"), "utf8").trim().split("\n")) {
      const [digest, name] = line.split(/\s+/);
      const actual = execFileSync("sha256sum", [path.join(SAMPLES, name)], { encoding: "utf8" }).split(/\s+/)[0];
      expect(actual, name).toBe(digest);
    }
  });

  it("scripts/make-samples.mjs regenerates the derived samples bit for bit", () => {
    const r = spawnSync(process.execPath, ["scripts/make-samples.mjs", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, BXW_SOURCE: `${SHARED_DATA}/bxw_cell_vol_crop_100x320x320.tif` },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^same\s+taufactor_electrode_labels_128\.tif/m);
    expect(r.stdout).toMatch(/^same\s+taufactor_electrode_ct_128\.tif/m);
    if (fs.existsSync(`${SHARED_DATA}/bxw_cell_vol_crop_100x320x320.tif`)) {
      expect(r.stdout).toMatch(/^same\s+bxw_cell_vol_crop_100x160x160\.tif/m);
    }
  });

  it("the grey companion follows its documented model: phase order, cupping and noise measured back with SciPy", () => {
    // Far from interfaces (the whole 9³ neighbourhood, ±4σ of the blur, is NMC) the
    // model is 200·(1 + 0.08ρ²) + noise, so the residual's std is √(12² + 1/12) (uint8 rounding).
    const m = runPython<{ means: Record<string, number>; residualStd: number; residualMean: number; n: number }>(
      `import sys, json, numpy as np, tifffile
from scipy import ndimage
g = tifffile.imread(sys.argv[1]).astype(np.float64)
l = tifffile.imread(sys.argv[2])
means = {str(v): float(g[l == v].mean()) for v in (0, 85, 170)}
inner = ndimage.minimum_filter((l == 85).astype(np.uint8), size=9, mode="nearest") == 1
n = g.shape[1]
c = (n - 1) / 2
yy, xx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
rho2 = ((yy - c) ** 2 + (xx - c) ** 2) / (2 * c * c)
model = 200 * (1 + 0.08 * rho2)[None, :, :]
res = (g - model)[inner]
print(json.dumps({"means": means, "residualStd": float(res.std()), "residualMean": float(res.mean()), "n": int(inner.sum())}))`,
      [GREY_128, path.join(SAMPLES, "taufactor_electrode_labels_128.tif")],
    );
    expect(m.means["0"]).toBeLessThan(m.means["170"]);
    expect(m.means["170"]).toBeLessThan(m.means["85"]);
    expect(m.n).toBeGreaterThan(10_000);
    // Standard error of the std is 12/√(2n) < 0.1 for n > 10⁴; 0.3 leaves room for clipping at 255.
    expect(Math.abs(m.residualStd - Math.sqrt(144 + 1 / 12))).toBeLessThan(0.3);
    expect(Math.abs(m.residualMean)).toBeLessThan(0.3);
  });
});

describe("runCli in process (failures the real commands cannot be made to produce)", () => {
  /** A throwaway subcommand whose action throws `error`. */
  function throwing(error: unknown): CliCommand {
    return {
      register(program) {
        program.command("boom").option("--json").action(() => {
          throw error;
        });
      },
    };
  }
  async function run(error: unknown) {
    let out = "";
    let err = "";
    const code = await runCli(["boom", "--json"], [throwing(error)], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    return { code, out, err };
  }

  it("a non-TomolyteError becomes one error[INTERNAL] line and exit 70, without a stack", async () => {
    const r = await run(new TypeError("x is not a function\n    at somewhere (file.js:1:1)"));
    expect(r.code).toBe(EXIT_CODES.INTERNAL);
    expect(r.code).toBe(70);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^error\[INTERNAL\]: x is not a function at somewhere/);
  });

  it("maps error codes to the documented exit codes", async () => {
    const cases: [string, number][] = [
      ["CORRUPT_FILE", 1], ["WOULD_OVERWRITE", 1], ["MISSING_DEPENDENCY", 3], ["OUT_OF_MEMORY", 4], ["CANCELLED", 130], ["INTERNAL", 70],
    ];
    for (const [code, exit] of cases) {
      const r = await run(new TomolyteError(code as never, `something about ${code}`));
      expect(r.code, code).toBe(exit);
      expect(r.err).toBe(`error[${code}]: something about ${code}\n`);
    }
    // Node's own file-system errors that escape unwrapped still get a stable code.
    const enoent = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", path: "/nope" });
    const r = await run(enoent);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[FILE_NOT_FOUND\]: .*\/nope/);
  });
});

describe("progress on stderr", () => {
  function fakeRun(isTTY: boolean, steps: [number, number][]) {
    let t = 0;
    let err = "";
    const ctx = createContext(
      { stdout: { write: () => undefined }, stderr: { isTTY, columns: 60, write: (x: string) => (err += x) } },
      new AbortController().signal,
      () => t,
    );
    const p = ctx.progress({}, "reading");
    for (const [time, fraction] of steps) {
      t = time;
      p(fraction);
    }
    p.done();
    return err;
  }

  it("draws a bar in place on a terminal, only for steps longer than 200 ms", () => {
    expect(fakeRun(true, [[50, 0.5], [100, 1]])).toBe("");
    const bar = fakeRun(true, [[300, 0.25], [350, 0.3], [500, 0.5]]);
    // Redrawn at most every 100 ms: 25 % and 50 %, then 100 % with a newline.
    expect(bar.split("\r").filter(Boolean)).toEqual([
      "reading [##########------------------------------]  25%",
      "reading [####################--------------------]  50%",
      "reading [########################################] 100%\n",
    ]);
  });

  it("writes plain lines per 25 % elsewhere, only for steps longer than 2 s, and nothing with --quiet", () => {
    expect(fakeRun(false, [[500, 0.5], [1500, 1]])).toBe("");
    expect(fakeRun(false, [[2500, 0.3], [2600, 0.4], [3000, 0.8]])).toBe("reading: 25%\nreading: 75%\nreading: 100%\n");
    let err = "";
    const ctx = createContext({ stdout: { write: () => undefined }, stderr: { write: (x: string) => (err += x) } }, new AbortController().signal, () => 1e9);
    const p = ctx.progress({ quiet: true }, "reading");
    p(0.5);
    p.done();
    ctx.warn({ quiet: true }, "hidden");
    expect(err).toBe("");
  });
});
