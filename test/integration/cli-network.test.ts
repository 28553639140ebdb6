/**
 * `tomolyte network` as a real process (node kernel-lib/dist/cli/main.js) on a
 * constructed inverted sphere lattice (analytic pore and throat counts) and on a
 * 64³ crop of the committed TauFactor label sample, against the library's own
 * `snow` / `networkDiffusion` on the same input; the files' OpenPNM keys; error lines.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { read, write } from "../../kernel-lib/src/io";
import { networkDiffusion, networkPermeability, networkSummary, snow } from "../../kernel-lib/src/network";
import { crop } from "../../kernel-lib/src/volume";
import { sphereLattice } from "../unit/network/shapes";
import { type Run, runCliProcess } from "../helpers/cli";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "kernel-lib/dist/cli/main.js");
const LABELS_128 = path.join(ROOT, "data/samples/taufactor_electrode_labels_128.tif");

let tmp: string;
const t = (name: string) => path.join(tmp, name);

function cli(...args: string[]): Run {
  return runCliProcess(args);
}

/** Exit 0 and stdout exactly one JSON object on one line. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function okJson(r: Run): any {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(r.stdout);
}

/** A failure: the exit code, empty stdout, one `error[CODE]: message` line on stderr (progress lines aside). */
function expectError(r: Run, exitCode: number, code: string, pattern?: RegExp): void {
  expect(r.code, r.stderr).toBe(exitCode);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning:") && !/^[\w ()]+: \d+%$/.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\]: \\S.*$`));
  if (pattern) expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  // As cli.test.ts: type errors elsewhere do not stop tsc from emitting the CLI.
  try {
    execFileSync("npx", ["tsc", "-b", "kernel-lib"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    if (!fs.existsSync(CLI)) throw e;
    console.warn(`tsc -b kernel-lib reported errors; testing the emitted ${CLI}`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-cli-network-"));
  // 4×4×4 cells of 9 voxels, pore spheres of radius 5 voxels: face neighbours meet in a neck.
  await write(sphereLattice(4, 9, 5, 0.5), t("lattice.tif"));
  await write(crop(await read(LABELS_128), { z: [32, 96], y: [0, 64], x: [64, 128] }), t("crop64.tif"));
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("tomolyte network", () => {
  it("on an inverted sphere lattice: one pore per sphere, one throat per neck, OpenPNM keys in the file", async () => {
    const j = okJson(cli("network", t("lattice.tif"), "--phase", "0", "--out", t("lattice.json"), "--json"));
    // Analytic: 4³ spheres; 3 axes × 4 × 4 × 3 necks; each face has 16 sphere caps.
    expect(j.pores).toBe(64);
    expect(j.throats).toBe(144);
    expect(j.boundaryPores).toBe(6 * 16);
    expect(j.boundaryThroats).toBe(6 * 16);
    expect(j.format).toBe("json");
    expect(j.spacing_um).toEqual([0.5, 0.5, 0.5]);
    // The library on the same input gives the same summary.
    const lib = networkSummary(snow(await read(t("lattice.tif")), { phase: 0 }).network);
    expect(j.meanCoordination).toBeCloseTo(lib.meanCoordination, 12);
    expect(j.porosity).toBeCloseTo(lib.porosity, 12);
    const d = JSON.parse(fs.readFileSync(j.files.json, "utf8"));
    for (const k of ["pore.coords", "pore.volume", "pore.inscribed_diameter", "pore.boundary", "pore.internal", "pore.xmin", "pore.zmax",
      "throat.conns", "throat.cross_sectional_area", "throat.inscribed_diameter", "throat.total_length", "throat.conduit_lengths"]) {
      expect(d, k).toHaveProperty([k]);
    }
    expect(d["pore.coords"]).toHaveLength(64 + 96);
    expect(d["throat.conns"]).toHaveLength(144 + 96);
    expect(d["pore.coords"][0]).toHaveLength(3);
    expect(d.meta.spacing_um).toEqual([0.5, 0.5, 0.5]);
    // No temp file left beside the output.
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("on a 64³ crop of the TauFactor sample: the library's snow counts; --transport as networkDiffusion/Permeability; CSV and VTP", async () => {
    const j = okJson(cli("network", t("crop64.tif"), "--phase", "0", "--out", t("crop.csv"), "--transport", "--axis", "x", "--json"));
    const v = await read(t("crop64.tif"));
    const r = snow(v, { phase: 0 });
    const s = networkSummary(r.network);
    expect(j.pores).toBe(s.pores);
    expect(j.throats).toBe(s.throats);
    expect(j.boundaryPores).toBe(s.boundaryPores);
    expect(j.steps).toEqual(r.steps);
    expect(j.pores).toBeGreaterThan(50);
    // Same network, same solver: equal to rounding (the JSON round trip keeps every digit).
    const dif = networkDiffusion(r.network, { axis: "x" });
    const k = networkPermeability(r.network, { axis: "x" });
    expect(j.transport.axis).toBe("x");
    expect(j.transport.tortuosityFactor).toBeCloseTo(dif.tortuosityFactor, 10);
    expect(j.transport.permeability_mD / k.permeability_mD).toBeCloseTo(1, 10);
    // CSV: two tables, a header plus one row per pore / throat (boundary ones included).
    const pores = fs.readFileSync(j.files.pores, "utf8").trimEnd().split("\n");
    const throats = fs.readFileSync(j.files.throats, "utf8").trimEnd().split("\n");
    expect(path.basename(j.files.pores)).toBe("crop.pores.csv");
    expect(pores).toHaveLength(1 + s.pores + s.boundaryPores);
    expect(throats).toHaveLength(1 + s.throats + s.boundaryThroats);
    expect(pores[0].split(",")).toContain("inscribedDiameter_um");
    // VTP by --format, whatever the extension.
    const w = okJson(cli("network", t("crop64.tif"), "--phase", "0", "--out", t("crop.xml"), "--format", "vtp", "--json", "--quiet"));
    const xml = fs.readFileSync(w.files.vtp, "utf8");
    expect(xml).toContain(`NumberOfPoints="${s.pores + s.boundaryPores}"`);
    expect(xml).toContain(`NumberOfLines="${s.throats + s.boundaryThroats}"`);
  }, 60_000);

  it("error lines: absent phase, existing --out, --out on the input, unknown extension, missing --phase", () => {
    const lattice = t("lattice.tif");
    expectError(cli("network", lattice, "--phase", "7", "--out", t("none.json"), "--json"), 1, "INVALID_ARGUMENT", /phase 7 is not in .*values are 0, 1/);
    expect(fs.existsSync(t("none.json"))).toBe(false);
    fs.writeFileSync(t("exists.json"), "keep me");
    expectError(cli("network", lattice, "--phase", "0", "--out", t("exists.json")), 1, "WOULD_OVERWRITE", /--force/);
    expect(fs.readFileSync(t("exists.json"), "utf8")).toBe("keep me");
    // --force replaces an output, never the input.
    expectError(cli("network", lattice, "--phase", "0", "--out", lattice, "--format", "json", "--force"), 1, "WOULD_OVERWRITE", /input/);
    expectError(cli("network", lattice, "--phase", "0", "--out", t("net.txt")), 1, "INVALID_ARGUMENT", /--format/);
    expectError(cli("network", lattice, "--out", t("x.json")), 2, "INVALID_ARGUMENT", /--phase/);
    const f = okJson(cli("network", lattice, "--phase", "0", "--out", t("exists.json"), "--force", "--json", "--quiet"));
    expect(f.pores).toBe(64);
    expect(JSON.parse(fs.readFileSync(t("exists.json"), "utf8"))["pore.coords"]).toHaveLength(160);
  }, 60_000);
});
