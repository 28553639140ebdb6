/**
 * `npm run figures` (scripts/figures.mjs, which executes notebooks/figures.ipynb
 * with the real tslab kernel): two runs give the same SVG bytes and the same PNG
 * pixels; a modified input volume changes its figure; the provenance records
 * carry the inputs' SHA-256 (checked against data/samples/SHA256SUMS, written
 * when the samples were made, and against the file bytes).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../helpers/python";

const ROOT = join(__dirname, "..", "..");
const SAMPLES = join(ROOT, "data", "samples");
const FIGURES = ["01-histogram", "02-segmented-slice", "03-pore-size-distribution", "04-tortuosity", "05-network"];

function sh(command: string, args: string[], timeoutMs: number) {
  return spawnSync("bash", ["-c", `source scripts/env.sh && ${command}`, "bash", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 1 << 28,
  });
}

function generate(out: string, params: Record<string, unknown> = {}): void {
  const t0 = Date.now();
  const r = sh(`node scripts/figures.mjs --out "$1" --executed "$1.executed.ipynb" --params "$2"`, [out, JSON.stringify(params)], 590_000);
  if (r.status !== 0) throw new Error(`scripts/figures.mjs failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  console.log(`figures into ${out}: ${((Date.now() - t0) / 1000).toFixed(1)} s wall`);
}

/** Decoded pixels of PNGs (Pillow): size, mode and the SHA-256 of the raw pixel bytes. */
function pixels(files: string[]): { size: [number, number]; mode: string; sha256: string }[] {
  return runPython(
    `import sys, json, hashlib
from PIL import Image
out = []
for p in sys.argv[1:]:
    im = Image.open(p)
    im.load()
    out.append({"size": list(im.size), "mode": im.mode, "sha256": hashlib.sha256(im.tobytes()).hexdigest()})
print(json.dumps(out))`,
    files,
  );
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const sampleSums = () =>
  new Map(
    readFileSync(join(SAMPLES, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/).reverse() as [string, string]),
  );

let dir: string;
let a: string;
let b: string;

beforeAll(() => {
  // The notebook imports the built package: build it (as notebooks.test.ts does).
  const build = sh("npx tsc -b kernel-lib", [], 300_000);
  if (build.status !== 0) throw new Error(`kernel-lib does not build:\n${build.stdout}${build.stderr}`);
  if (!existsSync(join(ROOT, ".jupyter/share/jupyter/kernels/tslab/kernel.json"))) {
    const reg = sh(`npx tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/.jupyter"`, [], 120_000);
    if (reg.status !== 0) throw new Error(`could not register the tslab kernel (run npm run setup):\n${reg.stderr}`);
  }
  dir = mkdtempSync(join(tmpdir(), "tomolyte-figures-test-"));
  a = join(dir, "a");
  b = join(dir, "b");
});

describe("npm run figures", () => {
  it("writes every figure as PNG, SVG and a provenance record", { timeout: 600_000 }, () => {
    generate(a);
    const files = readdirSync(a).filter((f) => !f.startsWith(".")).sort();
    expect(files).toEqual(FIGURES.flatMap((f) => [`${f}.png`, `${f}.provenance.json`, `${f}.svg`]));
    const px = pixels(FIGURES.map((f) => join(a, `${f}.png`)));
    // 800 × 600 CSS pixels at scale 2; the slice figure is 680 × 700.
    expect(px.map((p) => p.size)).toEqual([[1600, 1200], [1360, 1400], [1600, 1200], [1600, 1200], [1600, 1200]]);
    const hist = readFileSync(join(a, "01-histogram.svg"), "utf8");
    expect(hist.startsWith("<svg")).toBe(true);
    expect(hist).toContain("grey value");
    expect(hist).toContain("t1 = ");
    expect(readFileSync(join(a, "04-tortuosity.svg"), "utf8")).toContain("tortuosity factor");
  });

  it("provenance records: inputs' SHA-256, version, parameters, spec and output hashes", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "kernel-lib", "package.json"), "utf8")).version;
    const inputOf: Record<string, string> = {
      "01-histogram": "taufactor_electrode_ct_128.tif",
      "02-segmented-slice": "taufactor_electrode_ct_128.tif",
      "03-pore-size-distribution": "taufactor_electrode_ct_128.tif",
      "04-tortuosity": "taufactor_electrode_labels_128.tif",
      "05-network": "taufactor_electrode_labels_128.tif",
    };
    const sums = sampleSums();
    for (const f of FIGURES) {
      const rec = JSON.parse(readFileSync(join(a, `${f}.provenance.json`), "utf8"));
      expect(rec.figure).toBe(f);
      expect(rec.tomolyte).toBe(version);
      expect(rec.inputs).toEqual([{ file: inputOf[f], sha256: sums.get(inputOf[f]) }]);
      expect(rec.inputs[0].sha256).toBe(sha256(readFileSync(join(SAMPLES, inputOf[f]))));
      expect(rec.figureSpecSha256).toMatch(/^[0-9a-f]{64}$/);
      for (const ext of ["png", "svg"]) expect(rec.outputs[`${f}.${ext}`]).toBe(sha256(readFileSync(join(a, `${f}.${ext}`))));
      expect(rec.parameters.scale).toBe(2);
    }
    const h = JSON.parse(readFileSync(join(a, "01-histogram.provenance.json"), "utf8"));
    expect(h.parameters.sigmaVoxels).toBe(1);
    expect(h.parameters.thresholds).toHaveLength(2);
  });

  it("a second run gives the same SVG bytes and the same PNG pixels", { timeout: 600_000 }, () => {
    generate(b);
    for (const f of FIGURES) {
      expect(readFileSync(join(b, `${f}.svg`), "utf8"), `${f}.svg`).toBe(readFileSync(join(a, `${f}.svg`), "utf8"));
      expect(readFileSync(join(b, `${f}.provenance.json`), "utf8"), `${f}.provenance.json`).toBe(readFileSync(join(a, `${f}.provenance.json`), "utf8"));
    }
    const pa = pixels(FIGURES.map((f) => join(a, `${f}.png`)));
    const pb = pixels(FIGURES.map((f) => join(b, `${f}.png`)));
    expect(pb).toEqual(pa);
  });

  it("a modified input volume changes its figure and its provenance", { timeout: 600_000 }, () => {
    const c = join(dir, "c");
    const modified = join(dir, "ct_modified.tif");
    // Invert the grey values of a third of the sample (x < 43): the histogram changes shape.
    runPython(
      `import sys, json, tifffile
a = tifffile.imread(sys.argv[1])
a[:, :, :43] = 255 - a[:, :, :43]
tifffile.imwrite(sys.argv[2], a)
print(json.dumps(True))`,
      [join(SAMPLES, "taufactor_electrode_ct_128.tif"), modified],
    );
    generate(c, { ct: modified, only: ["01-histogram"] });
    expect(readdirSync(c).filter((f) => !f.startsWith(".")).sort()).toEqual(["01-histogram.png", "01-histogram.provenance.json", "01-histogram.svg"]);
    expect(readFileSync(join(c, "01-histogram.svg"), "utf8")).not.toBe(readFileSync(join(a, "01-histogram.svg"), "utf8"));
    const [pa, pc] = pixels([join(a, "01-histogram.png"), join(c, "01-histogram.png")]);
    expect(pc.size).toEqual(pa.size);
    expect(pc.sha256).not.toBe(pa.sha256);
    const ra = JSON.parse(readFileSync(join(a, "01-histogram.provenance.json"), "utf8"));
    const rc = JSON.parse(readFileSync(join(c, "01-histogram.provenance.json"), "utf8"));
    expect(rc.inputs).toEqual([{ file: "ct_modified.tif", sha256: sha256(readFileSync(modified)) }]);
    expect(rc.inputs[0].sha256).not.toBe(ra.inputs[0].sha256);
    expect(rc.figureSpecSha256).not.toBe(ra.figureSpecSha256);
    expect(rc.parameters.thresholds).not.toEqual(ra.parameters.thresholds);
  });
});
