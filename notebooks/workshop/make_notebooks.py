"""Writes the workshop notebooks: notebooks/workshop/NN-*.ipynb (exercises with blank
answers) and notebooks/workshop/solutions/NN-*.ipynb (the same notebooks, answers
filled in), from the single definition below, so the two never drift apart.

usage: /usr/bin/python3 notebooks/workshop/make_notebooks.py [--out DIR]

Edit the cells here, not in the .ipynb files (test/integration/workshop.test.ts
checks that exercises and solutions differ only in their answer cells). Cells:
  md(text)                         a markdown cell
  code(src)                        a code cell, the same in both versions
  answer(name, blank, solution)    the student's cell (tag "answer"): `blank` in the
                                   exercise notebook, `solution` in solutions/
  check(name, src)                 the check after it (tag "check"): calls check(...)
                                   and ends with passed(...)
DATA in a source is replaced by the path of data/samples relative to the notebook.
Notebooks are stored without outputs.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CHECK_HELPER = r'''
// The check cells call these. check() stops the cell, with a hint, when an answer is missing or wrong
// (it throws a plain string, which the kernel prints without a stack trace).
function describe(v: any): string {
  if (typeof v === "number") return String(+v.toPrecision(6));
  if (v && v.data && v.shape) return `a volume of shape [${v.shape.join(", ")}]`;
  try { return JSON.stringify(v); } catch (e) { return String(v); }
}
function check(name: string, value: any, ok: (v: any) => boolean, hint: string): void {
  if (value === undefined) throw `✗ ${name} has no answer yet: replace \`undefined\` in the cell above. Hint: ${hint}`;
  let passed = false;
  try { passed = ok(value); } catch (e) { passed = false; }
  if (!passed) throw `✗ ${name} = ${describe(value)} is not right yet. ${hint}`;
}
function passed(name: string, value: any): void {
  console.log(`✓ ${name} = ${describe(value)}: correct`);
}
'''


def md(text, **kw):
    return {"kind": "md", "source": text, **kw}


def code(src, **kw):
    return {"kind": "code", "source": src, **kw}


def answer(name, blank, solution):
    return {"kind": "answer", "name": name, "blank": blank, "solution": solution}


def check(name, src):
    return {"kind": "check", "name": name, "source": src}


def setup(title, intro):
    return [
        md(f"# {title}\n\n{intro}"),
        code('import * as t from "tomolyte";\n' + CHECK_HELPER),
    ]


HOW = """**How the exercises work.** Each exercise has a cell where you write your answer into a named
variable (it starts as `undefined`), followed by a check cell. Run both: the check prints ✓ when your
answer is right, or stops with a hint saying what to look at. Solutions are in `solutions/`, but try first."""

NOTEBOOKS = {}

# ---------------------------------------------------------------------------
NOTEBOOKS["01-loading-and-looking"] = setup(
    "Workshop 1: loading and looking at a tomogram",
    f"""A tomogram is a 3D array of grey values (voxels) plus a voxel size. In tomolyte it is a `Volume`:
`data` (a typed array, x fastest, then y, then z), `shape` `[nz, ny, nx]` and `spacing` `[dz, dy, dx]` in
micrometres. z runs through the electrode thickness.

We use a simulated CT scan of an NMC cathode (128³ voxels) and its true phases (0 pore, 85 NMC, 170
carbon-binder), from `data/samples/`.

{HOW}""",
) + [
    md("""## Read the scan

`t.read` takes a TIFF stack, a folder of TIFFs, `.npy` or MetaImage. This file stores its voxel size; for one
that does not, pass `{ spacing_um: [dz, dy, dx] }`."""),
    code("""const grey = await t.read("DATA/taufactor_electrode_ct_128.tif");
console.log("shape [z, y, x]:", grey.shape, " spacing (µm):", grey.spacing, " dtype:", t.volumeDType(grey));
t.show(grey, { title: "simulated CT" });"""),
    md("""### Exercise 1: how big is it?

Give the side length of the volume along x, in micrometres, as `extentX_um`.
(Hint: the number of voxels along x is `grey.shape[2]`.)"""),
    answer("extentX_um",
           "const extentX_um = undefined as any; // TODO: number of voxels along x × voxel size along x",
           "const extentX_um = grey.shape[2] * grey.spacing[2];"),
    check("extentX_um", """check("extentX_um", extentX_um, (v) => typeof v === "number",
  "extentX_um should be a number of micrometres.");
check("extentX_um", extentX_um, (v) => v !== grey.shape[2],
  "that is the number of voxels along x; multiply it by the voxel size grey.spacing[2] (µm).");
check("extentX_um", extentX_um, (v) => Math.abs(v - grey.shape[2] * grey.spacing[2]) < 1e-9,
  "multiply the number of voxels along x (grey.shape[2]) by the voxel size along x (grey.spacing[2]).");
passed("extentX_um", extentX_um);"""),
    md("""## The true phases

The label file holds one value per voxel: the phase. `t.labelVolume` attaches names and colours, and `show`
draws them over the grey values."""),
    code("""const truth = t.labelVolume(await t.read("DATA/taufactor_electrode_labels_128.tif") as t.Volume<Uint8Array>, [
  { value: 0, name: "pore", color: "#000000" },
  { value: 85, name: "NMC", color: "#E69F00" },
  { value: 170, name: "carbon-binder", color: "#56B4E9" },
]);
console.log("values in the labels:", t.distinctValues(truth));
t.show(t.sliceFigure(grey, { axis: "z", labels: truth, title: "middle z slice with the true phases" }));"""),
    md("""### Exercise 2: the porosity

The porosity is the fraction of the volume that is pore: voxels with value 0 divided by all voxels.
Compute it yourself with a loop over `truth.data` and store it in `porosity`."""),
    answer("porosity",
           "const porosity = undefined as any; // TODO: count the voxels equal to 0, divide by the number of voxels",
           """let poreVoxels = 0;
for (let i = 0; i < truth.data.length; i++) if (truth.data[i] === 0) poreVoxels++;
const porosity = poreVoxels / truth.data.length;"""),
    check("porosity", """check("porosity", porosity, (p) => typeof p === "number" && p >= 0 && p <= 1,
  "porosity should be between 0 and 1; did you divide by the number of voxels (truth.data.length)?");
check("porosity", porosity, (p) => Math.abs(p - t.volumeFractions(truth).porosity) < 1e-9,
  "count only the voxels whose value is 0 (pore) and divide by all voxels.");
passed("porosity", porosity);"""),
    md("""### Exercise 3: what grey value does each phase get?

X-rays are attenuated more by heavy elements, so NMC (nickel, manganese, cobalt) should look brightest.
Compute the mean grey value of the CT voxels whose true phase is NMC (value 85 in `truth`) as `meanGreyNMC`."""),
    answer("meanGreyNMC",
           "const meanGreyNMC = undefined as any; // TODO: average grey.data[i] over the voxels where truth.data[i] === 85",
           """let sumNMC = 0, countNMC = 0;
for (let i = 0; i < grey.data.length; i++) {
  if (truth.data[i] === 85) { sumNMC += grey.data[i]; countNMC++; }
}
const meanGreyNMC = sumNMC / countNMC;"""),
    check("meanGreyNMC", """const greyStats = t.statistics(grey);
check("meanGreyNMC", meanGreyNMC, (m) => typeof m === "number" && m >= greyStats.min && m <= greyStats.max,
  `a mean grey value lies between the volume's minimum (${greyStats.min}) and maximum (${greyStats.max}); did you divide the sum by the count?`);
check("meanGreyNMC", meanGreyNMC, (m) => m > greyStats.mean,
  "NMC absorbs most, so its mean should be above the volume's overall mean: did you select truth.data[i] === 85?");
let s = 0, n = 0;
for (let i = 0; i < grey.data.length; i++) if (truth.data[i] === 85) { s += grey.data[i]; n++; }
check("meanGreyNMC", meanGreyNMC, (m) => Math.abs(m - s / n) < 1e-6,
  "average the grey values (grey.data) of exactly the voxels where truth.data is 85.");
passed("meanGreyNMC", meanGreyNMC);"""),
    md("""Look at the histogram of the grey values with the per-phase means in mind: the three phases overlap,
which is what makes segmentation hard (workshop 3)."""),
    code("""t.show(t.histogramFigure(t.histogram(grey, { bins: 128, range: [0, 256] }), { title: "grey values", thresholds: [meanGreyNMC] }));"""),
]

# ---------------------------------------------------------------------------
NOTEBOOKS["02-filtering"] = setup(
    "Workshop 2: filtering noise",
    f"""Every CT scan is noisy. Filters trade noise for blur: they average neighbouring voxels, which also smears
interfaces between phases. We work on a 64³ crop of the simulated scan so that each filter takes a moment.

{HOW}""",
) + [
    code("""const full = await t.read("DATA/taufactor_electrode_ct_128.tif");
const grey = t.crop(full, { z: [32, 96], y: [32, 96], x: [32, 96] });
const noise = t.estimateSigma(grey);
console.log(`crop of shape ${grey.shape.join(" × ")}; estimated noise σ = ${noise.toFixed(2)} grey levels (the simulation used 12)`);"""),
    md("""### Exercise 1: a Gaussian filter

Smooth `grey` with a Gaussian of σ = 1 voxel (`t.gaussian(volume, { sigmaVoxels })`) and store the result in
`smoothed`."""),
    answer("smoothed",
           "const smoothed = undefined as any; // TODO: t.gaussian(...)",
           "const smoothed = t.gaussian(grey, { sigmaVoxels: 1 });"),
    check("smoothed", """check("smoothed", smoothed, (v) => v && v.data && v.shape && v.shape.join() === grey.shape.join(),
  "smoothed should be a volume of the same shape as grey: the result of t.gaussian(grey, { sigmaVoxels: 1 }).");
check("smoothed", smoothed, (v) => Math.abs(t.statistics(v).mean - t.statistics(grey).mean) < 0.5,
  "a Gaussian filter keeps the mean grey value (its weights sum to 1): did you filter grey itself?");
check("smoothed", smoothed, (v) => t.estimateSigma(v) < noise / 2,
  "the noise should drop a lot; did you pass { sigmaVoxels: 1 }?");
const reference = t.gaussian(grey, { sigmaVoxels: 1 });
check("smoothed", smoothed, (v) => v.data.every((x: number, i: number) => x === reference.data[i]),
  "use σ = 1 voxel (sigmaVoxels: 1), not micrometres (sigma_um).");
passed("smoothed", smoothed);"""),
    md("""### Exercise 2: what a mean filter does

A 3×3×3 mean filter replaces each voxel by the average of itself and its 26 neighbours. Compute by hand the
filtered value at voxel (z, y, x) = (10, 20, 30) of `grey`, as `manualMean`. The voxel (z, y, x) is
`grey.data[(z * ny + y) * nx + x]` with `[nz, ny, nx] = grey.shape`."""),
    answer("manualMean",
           "const manualMean = undefined as any; // TODO: average the 27 voxels around (10, 20, 30)",
           """const [, ny, nx] = grey.shape;
let sum27 = 0;
for (let dz = -1; dz <= 1; dz++)
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) sum27 += grey.data[((10 + dz) * ny + (20 + dy)) * nx + (30 + dx)];
const manualMean = sum27 / 27;"""),
    check("manualMean", """const meanFiltered = t.mean(grey, { radiusVoxels: 1, dtype: "float64" });
const expectedMean = meanFiltered.data[(10 * grey.shape[1] + 20) * grey.shape[2] + 30];
check("manualMean", manualMean, (m) => typeof m === "number" && m >= 0 && m <= 255,
  "an average of uint8 grey values lies between 0 and 255: did you divide the sum by 27?");
check("manualMean", manualMean, (m) => Math.abs(m - expectedMean) < 1e-6,
  "sum the 27 voxels with dz, dy, dx in -1..1 around (10, 20, 30), using the index (z * ny + y) * nx + x, and divide by 27.");
passed("manualMean", manualMean);"""),
    md("""### Exercise 3: how much smoothing?

Which is the smallest σ in `[0.5, 1, 1.5, 2]` voxels for which the Gaussian-filtered crop has an estimated
noise (`t.estimateSigma`) below 1 grey level? Store it in `smallestSigma`. Then look at the slices below: what
does a larger σ do to the interfaces?"""),
    answer("smallestSigma",
           "const smallestSigma = undefined as any; // TODO: try each σ, keep the first whose estimated noise is below 1",
           """const sigmas = [0.5, 1, 1.5, 2];
const smallestSigma = sigmas.find((s) => t.estimateSigma(t.gaussian(grey, { sigmaVoxels: s })) < 1);"""),
    check("smallestSigma", """check("smallestSigma", smallestSigma, (s) => [0.5, 1, 1.5, 2].includes(s),
  "smallestSigma should be one of 0.5, 1, 1.5 or 2 (the σ itself, not the noise).");
const firstBelow = [0.5, 1, 1.5, 2].find((s) => t.estimateSigma(t.gaussian(grey, { sigmaVoxels: s })) < 1);
check("smallestSigma", smallestSigma, (s) => s === firstBelow,
  "go through the σ values in increasing order and stop at the first whose t.estimateSigma(t.gaussian(grey, { sigmaVoxels: σ })) is below 1.");
passed("smallestSigma", smallestSigma);"""),
    code("""t.show(t.sliceFigure(grey, { title: "as scanned" }));
t.show(t.sliceFigure(t.gaussian(grey, { sigmaVoxels: 2 }), { title: "Gaussian σ = 2 voxels: less noise, blurred interfaces" }));
t.show(t.sliceFigure(t.median(grey, { radiusVoxels: 1 }), { title: "median 3×3×3: less noise, edges kept" }));"""),
    md("""**Going further.** Try `t.nonLocalMeans(grey, { h: ... })` and `t.anisotropicDiffusion`, which smooth inside
phases more than across interfaces. They cost more time: keep to small crops."""),
]

# ---------------------------------------------------------------------------
NOTEBOOKS["03-segmentation"] = setup(
    "Workshop 3: segmentation",
    f"""Segmentation gives each voxel a phase. The simplest way is grey-value thresholds chosen from the histogram
(Otsu's method). Because this scan is simulated we know the true phases and can measure how right we are.

{HOW}""",
) + [
    code("""const box = { z: [32, 96] as [number, number], y: [32, 96] as [number, number], x: [32, 96] as [number, number] };
const grey = t.crop(await t.read("DATA/taufactor_electrode_ct_128.tif"), box);
const truth = t.crop(await t.read("DATA/taufactor_electrode_labels_128.tif"), box);
const filtered = t.median(grey, { radiusVoxels: 1 });
const truthFractions = t.volumeFractions(truth);
console.log("true volume fractions:", truthFractions.phases.map((p) => `${p.value}: ${p.volumeFraction.toFixed(3)}`).join(", "));"""),
    md("""### Exercise 1: Otsu's threshold with two classes

Find Otsu's threshold of `filtered` (`t.otsuThreshold`) and compute the fraction of voxels *above* it, as
`aboveFraction`. Which phase(s) end up above it? Compare with the true fractions printed above."""),
    answer("aboveFraction",
           "const aboveFraction = undefined as any; // TODO: t.otsuThreshold(filtered), then count voxels > threshold",
           """const otsu = t.otsuThreshold(filtered);
let above = 0;
for (let i = 0; i < filtered.data.length; i++) if (filtered.data[i] > otsu) above++;
const aboveFraction = above / filtered.data.length;"""),
    check("aboveFraction", """check("aboveFraction", aboveFraction, (f) => typeof f === "number" && f >= 0 && f <= 1,
  "a fraction lies between 0 and 1; did you divide by the number of voxels?");
const otsuT = t.otsuThreshold(filtered);
let nAbove = 0;
for (let i = 0; i < filtered.data.length; i++) if (filtered.data[i] > otsuT) nAbove++;
check("aboveFraction", aboveFraction, (f) => Math.abs(f - nAbove / filtered.data.length) < 1e-9,
  `count the voxels of filtered strictly above Otsu's threshold (${otsuT}) and divide by all voxels.`);
passed("aboveFraction", aboveFraction);
const nmcTrue = truthFractions.phases.find((p) => p.value === 85)!.volumeFraction;
console.log(`true NMC fraction ${nmcTrue.toFixed(3)}, solid (NMC + carbon-binder) ${(1 - truthFractions.porosity).toFixed(3)}:`,
  "two classes split the bright NMC from everything else, not solid from pore.");"""),
    md("""### Exercise 2: three phases, and how right they are

Segment `filtered` into three classes with `t.multiOtsuThresholds(filtered, { classes: 3 })` and
`t.applyThresholds`. The classes come out 0, 1, 2 in grey order: pore, carbon-binder, NMC. The truth uses 0, 170,
85 for these. Compute `accuracy`: the fraction of voxels whose class matches the true phase."""),
    answer("accuracy",
           "const accuracy = undefined as any; // TODO: segment, then compare class k with the truth value [0, 170, 85][k]",
           """const classes3 = t.applyThresholds(filtered, t.multiOtsuThresholds(filtered, { classes: 3 }));
const truthValue = [0, 170, 85];
let correct = 0;
for (let i = 0; i < truth.data.length; i++) if (truthValue[classes3.data[i]] === truth.data[i]) correct++;
const accuracy = correct / truth.data.length;"""),
    check("accuracy", """check("accuracy", accuracy, (a) => typeof a === "number" && a >= 0 && a <= 1,
  "accuracy is a fraction of voxels, between 0 and 1.");
check("accuracy", accuracy, (a) => a > 0.5,
  "below 50 %: did you map the classes to the truth's values (class 0 → 0, class 1 → 170, class 2 → 85) before comparing?");
function accuracyOf(v: t.Volume): number {
  const c = t.applyThresholds(v, t.multiOtsuThresholds(v, { classes: 3 }));
  const map = [0, 170, 85];
  let ok = 0;
  for (let i = 0; i < truth.data.length; i++) if (map[c.data[i]] === truth.data[i]) ok++;
  return ok / truth.data.length;
}
check("accuracy", accuracy, (a) => Math.abs(a - accuracyOf(filtered)) < 1e-9,
  "segment the median-filtered crop (filtered) with multi-Otsu, three classes.");
passed("accuracy", accuracy);"""),
    md("""### Exercise 3: the best smoothing for segmentation

Smoothing removes noise but blurs interfaces. For Gaussian σ in `[0.5, 1, 1.5, 2]` voxels, filter `grey` (not
`filtered`), segment with three-class multi-Otsu and measure the accuracy as above. Store the σ with the highest
accuracy in `bestSigma`."""),
    answer("bestSigma",
           "const bestSigma = undefined as any; // TODO: loop over the σ values, keep the most accurate",
           """let bestSigma = 0, bestAccuracy = -1;
for (const s of [0.5, 1, 1.5, 2]) {
  const smooth = t.gaussian(grey, { sigmaVoxels: s });
  const c = t.applyThresholds(smooth, t.multiOtsuThresholds(smooth, { classes: 3 }));
  let ok = 0;
  for (let i = 0; i < truth.data.length; i++) if ([0, 170, 85][c.data[i]] === truth.data[i]) ok++;
  if (ok / truth.data.length > bestAccuracy) { bestAccuracy = ok / truth.data.length; bestSigma = s; }
}"""),
    check("bestSigma", """check("bestSigma", bestSigma, (s) => [0.5, 1, 1.5, 2].includes(s),
  "bestSigma should be one of the σ values tried: 0.5, 1, 1.5 or 2.");
const scores = [0.5, 1, 1.5, 2].map((s) => ({ sigma: s, accuracy: accuracyOf(t.gaussian(grey, { sigmaVoxels: s })) }));
const best = scores.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
check("bestSigma", bestSigma, (s) => s === best.sigma,
  "filter grey with each σ, segment each result with three-class multi-Otsu, and keep the σ with the highest accuracy against the truth.");
passed("bestSigma", bestSigma);
t.show(t.toTable(scores));"""),
    md("""Here the least smoothing wins. Most wrong voxels are not noise: the carbon-binder's grey values overlap the
pores' (and blur mixes the two at interfaces), and smoothing thins the carbon-binder further. A filter is a choice
to test against what you want to measure, not a default."""),
    md("""**Going further.** `t.segmentMrf(grey, { classes: 3, beta })` adds a smoothness prior; `t.segmentLocal` uses
local thresholds (useful with uneven illumination); `t.trainClassifier` learns from a few painted voxels. Which one
recovers the carbon-binder best here?"""),
]

# ---------------------------------------------------------------------------
NOTEBOOKS["04-parameters"] = setup(
    "Workshop 4: microstructure parameters",
    f"""Volume fractions, specific surface areas and sizes feed cell models. Before trusting a number on a real
electrode, check the method on a shape whose answer you know: a ball.

{HOW}""",
) + [
    md("""### Exercise 1: a phantom ball

Make a 64³ volume (`Uint8Array`, spacing 0.5 µm on every axis) that is 1 inside a ball of radius 10 µm centred in
the box and 0 elsewhere, as `ball`. A voxel (z, y, x) has its centre at `((z + 0.5) · 0.5, (y + 0.5) · 0.5,
(x + 0.5) · 0.5)` µm; the box centre is at 16 µm on each axis. Use
`t.createVolume(data, [64, 64, 64], [0.5, 0.5, 0.5])`."""),
    code("""const n = 64, spacing = 0.5, radius = 10;
const boxVolume = (n * spacing) ** 3; // µm³"""),
    answer("ball",
           "const ball = undefined as any; // TODO: fill a Uint8Array of n³ voxels, then t.createVolume(...)",
           """const ballData = new Uint8Array(n * n * n);
const c = (n * spacing) / 2;
for (let z = 0; z < n; z++)
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const dz = (z + 0.5) * spacing - c, dy = (y + 0.5) * spacing - c, dx = (x + 0.5) * spacing - c;
      if (dz * dz + dy * dy + dx * dx <= radius * radius) ballData[(z * n + y) * n + x] = 1;
    }
const ball = t.createVolume(ballData, [n, n, n], [spacing, spacing, spacing]);"""),
    check("ball", """check("ball", ball, (v) => v && v.data && v.shape && v.shape.join() === "64,64,64",
  "ball should be a volume of shape [64, 64, 64]: t.createVolume(data, [64, 64, 64], [0.5, 0.5, 0.5]).");
check("ball", ball, (v) => v.spacing.every((s: number) => s === 0.5),
  "the spacing should be 0.5 µm on every axis.");
const ballFraction = t.volumeFractions(ball, { phases: [1] }).phases[0]?.volumeFraction ?? 0;
const analyticFraction = (4 / 3) * Math.PI * radius ** 3 / boxVolume;
check("ball", ball, () => Math.abs(ballFraction / analyticFraction - 1) < 0.01,
  `the ball should fill (4/3)πr³ / L³ = ${analyticFraction.toFixed(4)} of the box, got ${ballFraction.toFixed(4)}: radius 10 µm, centre at 16 µm, distances in µm (index + 0.5) × 0.5.`);
passed("ball", ball);"""),
    md("""### Exercise 2: its specific surface area

The analytic answer is 4πr² / L³. `t.specificSurfaceArea(ball)` measures a marching-cubes surface on the voxels,
whose staircase adds area; the option `smoothSigmaVoxels: 0.8` smooths the phase indicator first. Store the
smoothed specific surface area (µm⁻¹) of phase 1 in `ssaBall`, and compare with the unsmoothed one."""),
    answer("ssaBall",
           "const ssaBall = undefined as any; // TODO: t.specificSurfaceArea(ball, { smoothSigmaVoxels: 0.8 }), phase 1",
           """const ssaRaw = t.specificSurfaceArea(ball).phases.find((p) => p.value === 1)!.specificSurfaceArea_per_um;
const ssaBall = t.specificSurfaceArea(ball, { smoothSigmaVoxels: 0.8 }).phases.find((p) => p.value === 1)!.specificSurfaceArea_per_um;
console.log(`unsmoothed ${ssaRaw.toFixed(5)}, smoothed ${ssaBall.toFixed(5)}, analytic ${(4 * Math.PI * radius ** 2 / boxVolume).toFixed(5)} µm⁻¹`);"""),
    check("ssaBall", """const analyticSSA = 4 * Math.PI * radius ** 2 / boxVolume;
check("ssaBall", ssaBall, (s) => typeof s === "number" && s > 0,
  "ssaBall should be a positive number in µm⁻¹ (the field specificSurfaceArea_per_um of phase 1).");
check("ssaBall", ssaBall, (s) => s < 1.3 * analyticSSA,
  "too large: that looks like the face-counting area (about 3/2 of the true area); use specificSurfaceArea_per_um.");
check("ssaBall", ssaBall, (s) => Math.abs(s / analyticSSA - 1) < 0.02,
  `should be within 2 % of 4πr²/L³ = ${analyticSSA.toFixed(5)} µm⁻¹; the unsmoothed surface is about 9 % too large: pass { smoothSigmaVoxels: 0.8 }.`);
passed("ssaBall", ssaBall);"""),
    md("""### Exercise 3: compare with a published value

TauFactor 2's documentation gives face-counting specific surface areas of `taufactor_electrode_256.tiff` *in
voxel units* (faces inside the volume / all voxels): 0.30684 pore, 0.14610 NMC, 0.34223 carbon-binder. The file
stores no voxel size: it is 0.390625 µm. Compute tomolyte's face-counting value for the carbon-binder (value 170)
in TauFactor's voxel units, as `cbdFacesPerVoxel`. (tomolyte reports `specificSurfaceAreaFaceCount_per_um`, in µm⁻¹.)"""),
    code("""const electrode = await t.read("DATA/taufactor_electrode_256.tiff", { spacing_um: [0.390625, 0.390625, 0.390625] });
const electrodeSurfaces = t.specificSurfaceArea(electrode, { interfaces: false });"""),
    answer("cbdFacesPerVoxel",
           "const cbdFacesPerVoxel = undefined as any; // TODO: the 1/µm value × the voxel size",
           """const cbd = electrodeSurfaces.phases.find((p) => p.value === 170)!;
const cbdFacesPerVoxel = cbd.specificSurfaceAreaFaceCount_per_um * electrode.spacing[0];"""),
    check("cbdFacesPerVoxel", """const published = 0.34223; // TauFactor 2 documentation, carbon-binder of this file
check("cbdFacesPerVoxel", cbdFacesPerVoxel, (v) => typeof v === "number" && v > 0,
  "cbdFacesPerVoxel should be a positive number.");
check("cbdFacesPerVoxel", cbdFacesPerVoxel, (v) => Math.abs(v - published / 0.390625) > 1e-3,
  "that is the value in µm⁻¹; voxel units are faces per voxel: multiply it by the voxel size (0.390625 µm).");
check("cbdFacesPerVoxel", cbdFacesPerVoxel, (v) => Math.abs(v - published) < 5e-5,
  `should agree with TauFactor's ${published} to the published digits: take the carbon-binder (value 170), the face-counting field, times 0.390625.`);
passed("cbdFacesPerVoxel", cbdFacesPerVoxel);"""),
    md("""## All parameters at once

`t.phaseMetrics` gives what `tomolyte metrics` prints: per phase, volume fraction, both surface areas and the
connected fraction along z."""),
    code("""const labels128 = await t.read("DATA/taufactor_electrode_labels_128.tif");
t.show(t.toTable(t.phaseMetrics(labels128).phases.map((p) => ({
  phase: p.value, volumeFraction: +p.volumeFraction.toFixed(4),
  "SSA (1/µm)": +p.specificSurfaceArea_per_um.toFixed(4), connectedFraction: +p.connectedFraction.toFixed(4),
}))));"""),
]

# ---------------------------------------------------------------------------
NOTEBOOKS["05-tortuosity"] = setup(
    "Workshop 5: tortuosity",
    f"""The tortuosity factor τ says how much a structure slows diffusion compared with straight channels of the
same porosity ε: D_eff = D ε / τ (TauFactor's definition). tomolyte solves steady diffusion through the
conducting phase with fixed concentrations on two opposite faces.

{HOW}""",
) + [
    md("""### Exercise 1: straight channels

Make a 32³ volume (spacing 1 µm) that is 0 (pore) where `x % 4 === 0 && y % 4 === 0` and 1 elsewhere: straight
pore channels along z. Store it as `channels`."""),
    answer("channels",
           "const channels = undefined as any; // TODO: a Uint8Array of 32³ voxels, then t.createVolume(data, [32, 32, 32], [1, 1, 1])",
           """const m = 32;
const channelData = new Uint8Array(m * m * m).fill(1);
for (let z = 0; z < m; z++)
  for (let y = 0; y < m; y++)
    for (let x = 0; x < m; x++) if (x % 4 === 0 && y % 4 === 0) channelData[(z * m + y) * m + x] = 0;
const channels = t.createVolume(channelData, [m, m, m], [1, 1, 1]);"""),
    check("channels", """check("channels", channels, (v) => v && v.data && v.shape && v.shape.join() === "32,32,32",
  "channels should be a volume of shape [32, 32, 32].");
check("channels", channels, (v) => Math.abs(t.volumeFractions(v).porosity - 1 / 16) < 1e-12,
  "one column in 4 × 4 is pore, so the porosity should be 1/16: 0 where x % 4 === 0 && y % 4 === 0, 1 elsewhere.");
passed("channels", channels);"""),
    md("""### Exercise 2: their tortuosity factor

Compute the tortuosity factor of the pore phase (value 0) of `channels` along z, as `tauStraight`. What do you
expect for straight channels?"""),
    answer("tauStraight",
           "const tauStraight = undefined as any; // TODO: t.tortuosity(channels, { phase: 0, axis: \"z\" }).tortuosityFactor",
           "const tauStraight = t.tortuosity(channels, { phase: 0, axis: \"z\" }).tortuosityFactor;"),
    check("tauStraight", """check("tauStraight", tauStraight, (v) => typeof v === "number" && v >= 1 - 1e-6,
  "a tortuosity factor is a number ≥ 1 (1 for straight paths): take the field tortuosityFactor.");
check("tauStraight", tauStraight, (v) => Math.abs(v - 1) < 1e-4,
  "straight channels along z give τ = 1 exactly; did you solve along z for the pore phase 0?");
passed("tauStraight", tauStraight);"""),
    md("""### Exercise 3: a real electrode

Now a 64³ crop of the cathode's true phases. `tortuosity` returns τ and the porosity it used (`volumeFraction`).
From those two numbers alone, compute the effective diffusivity ratio D_eff/D of the pores along z, as
`deffRatio`."""),
    code("""const electrode = t.crop(await t.read("DATA/taufactor_electrode_labels_128.tif"), { z: [32, 96], y: [32, 96], x: [32, 96] });
const tauZ = t.tortuosity(electrode, { phase: 0, axis: "z" });
console.log(tauZ.message);"""),
    answer("deffRatio",
           "const deffRatio = undefined as any; // TODO: from tauZ.tortuosityFactor and tauZ.volumeFraction",
           "const deffRatio = tauZ.volumeFraction / tauZ.tortuosityFactor;"),
    check("deffRatio", """check("deffRatio", deffRatio, (v) => typeof v === "number" && v > 0 && v <= 1,
  "D_eff/D lies between 0 and 1: diffusion through a porous structure is slower than in free electrolyte. Is it ε/τ rather than τ/ε?");
check("deffRatio", deffRatio, (v) => Math.abs(v - tauZ.effectiveDiffusivityRatio) < 1e-9 * tauZ.effectiveDiffusivityRatio + 1e-12,
  "use D_eff/D = ε / τ with ε = tauZ.volumeFraction and τ = tauZ.tortuosityFactor.");
passed("deffRatio", deffRatio);
console.log(`Bruggeman exponent p in D_eff/D = ε^p: ${tauZ.bruggemanExponent.toFixed(2)} (cell models often assume 1.5)`);"""),
    md("""## Three directions

`axis: "all"` solves along z, y and x. Differences between them reveal anisotropy, e.g. flattened particles after
calendering."""),
    code("""const all = t.tortuosity(electrode, { phase: 0, axis: "all" });
t.show(t.toTable((["z", "y", "x"] as const).map((a) => ({
  axis: a, tortuosityFactor: +all[a].tortuosityFactor.toFixed(4), "D_eff/D": +all[a].effectiveDiffusivityRatio.toFixed(4),
}))));"""),
    md("""**Going further.** The carbon-binder is porous too: `t.tortuosity(electrode, { phases: { 0: 1, 170: 0.1 } })`
lets it conduct at 10 % of the pore diffusivity. How much does τ drop?"""),
]

# ---------------------------------------------------------------------------
NOTEBOOKS["06-networks"] = setup(
    "Workshop 6: pore networks",
    f"""A pore network model replaces the pore space by pores (nodes: bulges of the space) joined by throats
(edges: the constrictions between them). tomolyte extracts one with SNOW (Gostick 2017, the algorithm behind
PoreSpy's `snow2`): a watershed of the distance map splits the pore space into regions, each a pore; regions
that touch share a throat. Networks are small (hundreds of pores instead of millions of voxels) and carry sizes
that models of transport and wetting need.

{HOW}""",
) + [
    code("""const electrode = t.crop(await t.read("DATA/taufactor_electrode_labels_128.tif"), { z: [32, 96], y: [32, 96], x: [32, 96] });
const { network, regions, steps } = t.snow(electrode, { phase: 0 });
const pores = network.pores, throats = network.throats;
console.log(`${pores.count} pores (boundary pores included), ${throats.count} throats; SNOW steps:`, steps);
t.show(t.sliceFigure(regions, { title: "SNOW regions in the middle z slice (one value per pore)" }));"""),
    md("""### Exercise 1: internal pores

Besides the pores found inside the volume, SNOW adds a *boundary pore* on each face of the volume wherever a
pore touches it (`pores.boundary[i] === 1`), so that transport can enter and leave. Count the internal pores (the
others) as `internalPores`."""),
    answer("internalPores",
           "const internalPores = undefined as any; // TODO: count i with pores.boundary[i] === 0",
           """let internalPores = 0;
for (let i = 0; i < pores.count; i++) if (pores.boundary[i] === 0) internalPores++;"""),
    check("internalPores", """check("internalPores", internalPores, (v) => Number.isInteger(v) && v > 0 && v <= pores.count,
  `a count of pores: a whole number between 1 and pores.count (${pores.count}).`);
let maxRegion = 0;
for (let i = 0; i < regions.data.length; i++) if (regions.data[i] > maxRegion) maxRegion = regions.data[i];
check("internalPores", internalPores, (v) => v !== pores.count,
  "that is every pore; leave out the boundary pores (pores.boundary[i] === 1).");
check("internalPores", internalPores, (v) => v === maxRegion,
  "each internal pore is one region of the watershed (labels 1..N in regions); count the pores whose boundary flag is 0.");
passed("internalPores", internalPores);"""),
    md("""### Exercise 2: coordination number

The coordination number of a pore is how many throats it has. Compute the mean coordination number of the
internal pores (throats to boundary pores count too) as `meanCoordination`. Each throat joins `throats.pore1[k]`
and `throats.pore2[k]`."""),
    answer("meanCoordination",
           "const meanCoordination = undefined as any; // TODO: count throats per pore, average over the internal pores",
           """const coordination = new Float64Array(pores.count);
for (let k = 0; k < throats.count; k++) { coordination[throats.pore1[k]]++; coordination[throats.pore2[k]]++; }
let coordinationSum = 0;
for (let i = 0; i < pores.count; i++) if (pores.boundary[i] === 0) coordinationSum += coordination[i];
const meanCoordination = coordinationSum / internalPores;"""),
    check("meanCoordination", """check("meanCoordination", meanCoordination, (v) => typeof v === "number" && v > 0 && v < pores.count,
  "a mean number of throats per pore: positive, and below the number of pores.");
check("meanCoordination", meanCoordination, (v) => Math.abs(v - (2 * throats.count) / pores.count) > 1e-9 || internalPores === pores.count,
  "that is the mean over all pores (2 × throats / pores), boundary pores included; average over the internal pores only.");
const degree = new Map<number, number>();
for (let k = 0; k < throats.count; k++) for (const p of [throats.pore1[k], throats.pore2[k]]) degree.set(p, (degree.get(p) ?? 0) + 1);
let degreeSum = 0, internalCount = 0;
for (let i = 0; i < pores.count; i++) if (!pores.boundary[i]) { degreeSum += degree.get(i) ?? 0; internalCount++; }
check("meanCoordination", meanCoordination, (v) => Math.abs(v - degreeSum / internalCount) < 1e-9,
  "each throat adds 1 to the count of throats.pore1[k] and 1 to that of throats.pore2[k]; then average over the pores with boundary 0.");
passed("meanCoordination", meanCoordination);"""),
    code("""const coordinationOfPore = new Float64Array(pores.count);
for (let k = 0; k < throats.count; k++) { coordinationOfPore[throats.pore1[k]]++; coordinationOfPore[throats.pore2[k]]++; }
const internalIndex = Array.from({ length: pores.count }, (_, i) => i).filter((i) => !pores.boundary[i]);
t.show(t.scatterFigure(
  [{ name: "internal pores", x: internalIndex.map((i) => pores.inscribedDiameter_um[i]), y: internalIndex.map((i) => coordinationOfPore[i]) }],
  { x: ["inscribed diameter", "µm"], y: ["coordination number"], title: "bigger pores have more neighbours" },
));"""),
    md("""### Exercise 3: diffusion through the network

`t.networkDiffusion(network, { axis: "z" })` solves diffusion from the boundary pores on the z = 0 face to those
on the far face, with a conductance per pore–throat–pore conduit. Store the network's tortuosity factor as
`tauNetwork`, then compare it with the voxel solve below."""),
    answer("tauNetwork",
           "const tauNetwork = undefined as any; // TODO: t.networkDiffusion(network, { axis: \"z\" }).tortuosityFactor",
           "const tauNetwork = t.networkDiffusion(network, { axis: \"z\" }).tortuosityFactor;"),
    check("tauNetwork", """const diffusion = t.networkDiffusion(network, { axis: "z" });
check("tauNetwork", tauNetwork, (v) => typeof v === "number" && v >= 1,
  "a tortuosity factor is a number ≥ 1: take tortuosityFactor, not effectiveDiffusivityRatio.");
check("tauNetwork", tauNetwork, (v) => Math.abs(v - diffusion.porosity / diffusion.effectiveDiffusivityRatio) < 1e-9 * v,
  "along z: t.networkDiffusion(network, { axis: \\"z\\" }).tortuosityFactor (= porosity / (D_eff/D)).");
passed("tauNetwork", tauNetwork);
const voxelTau = t.tortuosity(electrode, { phase: 0, axis: "z" }).tortuosityFactor;
console.log(`tortuosity factor along z: network ${tauNetwork.toFixed(2)}, voxel solve ${voxelTau.toFixed(2)}`);"""),
    md("""The network gives a larger τ than the voxel solve on the same pores: its conduits idealise each pore and
throat as spheres and cylinders of the inscribed diameters, which underestimates how much electrolyte a throat
passes. Network models need calibrating against a voxel solve (or experiment) before their absolute numbers are
used; their strength is speed and the per-pore detail.

**Going further.** `t.toOpenPNM(network)` gives OpenPNM's dictionary (`pore.coords`, `throat.conns`, ...) to
continue in Python; `t.networkPermeability` solves Stokes flow through the same network."""),
]


def render(cells, solution, data):
    out = []
    for i, c in enumerate(cells):
        kind = c["kind"]
        meta = {}
        if kind == "md":
            src, cell_type = c["source"], "markdown"
        elif kind == "code":
            src, cell_type = c["source"], "code"
        elif kind == "answer":
            src = c["solution"] if solution else c["blank"]
            cell_type, meta = "code", {"tags": ["answer"]}
        else:
            src, cell_type, meta = c["source"], "code", {"tags": ["check"]}
        src = src.strip("\n").replace("DATA/", data + "/")
        lines = src.split("\n")
        source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        cid = f"cell-{i:02d}" if kind in ("md", "code") else f"{kind}-{c['name']}"
        cell = {"cell_type": cell_type, "id": cid, "metadata": meta, "source": source}
        if cell_type == "code":
            cell = {"cell_type": "code", "execution_count": None, "id": cid, "metadata": meta, "outputs": [], "source": source}
        out.append(cell)
    return {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"},
            "language_info": {
                "codemirror_mode": {"mode": "typescript", "name": "javascript", "typescript": True},
                "file_extension": ".ts", "mimetype": "text/typescript", "name": "typescript", "version": "3.7.2",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main():
    # --out DIR writes elsewhere (the test compares that with the committed notebooks).
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else HERE
    os.makedirs(os.path.join(out, "solutions"), exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        for solution, folder, data in ((False, out, "../../data/samples"), (True, os.path.join(out, "solutions"), "../../../data/samples")):
            nb = render(cells, solution, data)
            with open(os.path.join(folder, name + ".ipynb"), "w", encoding="utf-8") as f:
                json.dump(nb, f, indent=1, ensure_ascii=False)
                f.write("\n")
    print(f"wrote {len(NOTEBOOKS)} exercise notebooks and their solutions")


if __name__ == "__main__":
    main()
