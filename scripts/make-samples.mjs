#!/usr/bin/env node
/**
 * Regenerates the derived sample volumes in data/samples/ from the original
 * files, bit for bit (docs/data.md describes them):
 *
 *   taufactor_electrode_labels_128.tif  centre crop [64, 192)³ of taufactor_electrode_256.tiff (the truth)
 *   taufactor_electrode_ct_128.tif      simulateCT() of that crop: the greyscale companion, seed 2024
 *   bxw_cell_vol_crop_100x160x160.tif   crop of the real cell scan (needs the original, see below)
 *
 * Usage (after `npx tsc -b kernel-lib`):
 *   node scripts/make-samples.mjs            write the files (replacing them)
 *   node scripts/make-samples.mjs --check    regenerate into a temp folder and compare with the committed files
 *   BXW_SOURCE=/path/bxw_cell_vol_crop_100x320x320.tif node scripts/make-samples.mjs
 *
 * The cell-scan crop is made with tifffile (Debian's /usr/bin/python3) rather than
 * tomolyte's writer, because the source states no voxel size and tomolyte's TIFF
 * writer always records one: the crop keeps "no voxel size" instead of a made-up 1 µm.
 * It is skipped when the 10 MB source file is not available.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tomolyte = require(path.join(ROOT, "kernel-lib/dist/index.js"));
const { read, write, crop, simulateCT } = tomolyte;

const SAMPLES = path.join(ROOT, "data/samples");
const VOXEL_UM = 0.390625; // 100 µm / 256, as TauFactor's notebooks use it

/** The forward-model parameters of the greyscale companion (documented in docs/data.md). */
export const CT_PARAMETERS = {
  // Grey level per label value, ordered by X-ray attenuation: pore < carbon-binder < NMC.
  attenuation: { 0: 40, 170: 90, 85: 200 },
  blurSigmaVoxels: 1.0,
  noiseSigma: 12,
  cupping: 0.08,
  cuppingAxis: "z",
  seed: 2024,
  dtype: "uint8",
  mode: "reflect",
};
export const CROP = { z: [64, 192], y: [64, 192], x: [64, 192] };
const BXW_CROP = { z: [0, 100], y: [100, 260], x: [100, 260] };

function sha256(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

async function makeTaufactor(outDir) {
  const labels256 = await read(path.join(SAMPLES, "taufactor_electrode_256.tiff"), {
    spacing_um: [VOXEL_UM, VOXEL_UM, VOXEL_UM],
    onWarning: () => undefined,
  });
  const labels = crop(labels256, CROP);
  const grey = simulateCT(labels, CT_PARAMETERS);
  const files = [];
  for (const [name, v] of [
    ["taufactor_electrode_labels_128.tif", labels],
    ["taufactor_electrode_ct_128.tif", grey],
  ]) {
    const out = path.join(outDir, name);
    await write(v, out, { overwrite: true, compression: "deflate" });
    files.push(out);
  }
  return files;
}

function makeBxw(outDir) {
  const source = process.env.BXW_SOURCE ?? path.resolve(ROOT, "../shared/data/bxw_cell_vol_crop_100x320x320.tif");
  if (!fs.existsSync(source)) {
    console.error(`make-samples: ${source} not found; skipping the cell-scan crop (set BXW_SOURCE)`);
    return [];
  }
  const out = path.join(outDir, "bxw_cell_vol_crop_100x160x160.tif");
  const [z, y, x] = [BXW_CROP.z, BXW_CROP.y, BXW_CROP.x];
  const script = `
import sys, numpy as np, tifffile
a = tifffile.imread(sys.argv[1])
assert a.shape == (100, 320, 320) and a.dtype == np.uint8, a.shape
c = np.ascontiguousarray(a[${z[0]}:${z[1]}, ${y[0]}:${y[1]}, ${x[0]}:${x[1]}])
tifffile.imwrite(sys.argv[2], c, compression="zlib", software=None)
`;
  const r = spawnSync("/usr/bin/python3", ["-c", script, source, out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tifffile crop failed: ${r.stderr}`);
  return [out];
}

async function main() {
  const check = process.argv.includes("--check");
  const outDir = check ? fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-samples-")) : SAMPLES;
  try {
    const files = [...(await makeTaufactor(outDir)), ...makeBxw(outDir)];
    let bad = 0;
    for (const f of files) {
      const name = path.basename(f);
      const digest = sha256(f);
      if (check) {
        const committed = path.join(SAMPLES, name);
        const same = fs.existsSync(committed) && sha256(committed) === digest;
        console.log(`${same ? "same     " : "DIFFERENT"} ${name} ${digest}`);
        if (!same) bad++;
      } else {
        console.log(`wrote ${name} (${fs.statSync(f).size} bytes) sha256 ${digest}`);
      }
    }
    if (bad > 0) process.exitCode = 1;
  } finally {
    if (check) fs.rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e?.code ? `error[${e.code}]: ${e.message}` : e);
  process.exitCode = 1;
});
