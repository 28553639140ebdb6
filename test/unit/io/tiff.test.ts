/**
 * TIFF reading and writing against tifffile (and Pillow for LZW, which tifffile
 * cannot write here without imagecodecs): values compared bit for bit through
 * SHA-256 of the C-order little-endian bytes, spacing through ImageJ metadata and
 * resolution tags, and the project's real data files.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DType, type Volume, createVolume, read, readInfo, readWithMetadata, volumeDType, write } from "../../../kernel-lib/src";
import { OutputFile } from "../../../kernel-lib/src/io/fsutil";
import { writeTiff } from "../../../kernel-lib/src/io/tiff-write";
import { expectCode, makeValues, quiet, runPython, tempDir } from "./helpers";
import { SHARED_DATA } from "../../helpers/shared-data";

const DATA = SHARED_DATA;
let dir: string;

const sha = (v: Volume) => createHash("sha256").update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength)).digest("hex");

// The Python side reports, per file: shape, dtype, sha256 of the little-endian C-order bytes.
const DIGEST = `
import hashlib
def digest(a):
    a = np.ascontiguousarray(a)
    a = a.astype(a.dtype.newbyteorder("<"))
    if a.ndim == 2: a = a[None]
    return {"shape": list(a.shape), "dtype": str(a.dtype.newbyteorder("=")), "sha": hashlib.sha256(a.tobytes()).hexdigest(), "sum": float(a.astype(np.float64).sum())}
`;

interface Digest {
  shape: number[];
  dtype: string;
  sha: string;
  sum: number;
  res?: number[][];
}

let made: Record<string, Digest>;

beforeAll(() => {
  dir = tempDir();
  made = runPython<Record<string, Digest>>(
    `
import json, sys, os, numpy as np, tifffile
from PIL import Image
${DIGEST}
d = sys.argv[1]
out = {}
rng = np.random.default_rng(3)
def save(name, a, **kw):
    # Without these tifffile takes a leading axis of 3 or 4 for colour channels.
    kw.setdefault("photometric", "minisblack")
    if kw.get("imagej"): kw["metadata"] = dict({"axes": "ZYX"}, **kw["metadata"])
    tifffile.imwrite(os.path.join(d, name), a, **kw)
    out[name] = digest(a)
    with tifffile.TiffFile(os.path.join(d, name)) as t:
        out[name]["res"] = [list(t.pages[0].tags[k].value) for k in ("YResolution", "XResolution")] if "XResolution" in t.pages[0].tags else None
# ImageJ stacks with spacing, as Fiji saves them.
a8 = rng.integers(0, 256, (4, 6, 7), dtype=np.uint8)
save("ij_u8.tif", a8, imagej=True, resolution=(1 / 0.39, 1 / 0.39), metadata={"spacing": 0.5, "unit": "um"})
a16 = rng.integers(0, 65536, (3, 5, 4), dtype=np.uint16)
save("ij_u16_nm.tif", a16, imagej=True, resolution=(1 / 390.0, 1 / 400.0), metadata={"spacing": 500.0, "unit": "nm"})
f32 = rng.standard_normal((3, 4, 5)).astype(np.float32)
save("ij_f32_mm.tif", f32, imagej=True, resolution=(1 / 0.00039, 1 / 0.00039), metadata={"spacing": 0.0005, "unit": "mm"})
save("ij_micro.tif", a8, imagej=True, resolution=(2.0, 2.0), metadata={"spacing": 0.5, "unit": "\\\\u00B5m"})
save("ij_inch.tif", a8, imagej=True, resolution=(25400 / 1.3, 25400 / 1.3), metadata={"spacing": 1.3 / 25400, "unit": "inch"})
save("ij_nospacing.tif", a8, imagej=True, resolution=(2.0, 2.0), metadata={"unit": "micron"})
# Plain TIFF with resolution in centimetres (no ImageJ description).
save("cm.tif", a16, resolution=(1e4 / 0.8, 1e4 / 0.8), resolutionunit="CENTIMETER")
# Every dtype tifffile writes, deflate-compressed and not.
for dt in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"]:
    a = (rng.standard_normal((3, 4, 5)) * 1000).astype(dt) if dt.startswith("float") else rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, (3, 4, 5), dtype=dt, endpoint=True)
    save(f"plain_{dt}.tif", a)
    save(f"zlib_{dt}.tif", a, compression="zlib")
    save(f"be_{dt}.tif", a, byteorder=">")
# float16 is read as float32 (exactly).
h = (rng.standard_normal((3, 4, 5)) * 100).astype(np.float16)
for kind, kw in [("plain", {}), ("zlib", {"compression": "zlib"}), ("be", {"byteorder": ">"})]:
    save(f"f16_{kind}.tif", h, **kw)
    out[f"f16_{kind}.tif"] = digest(h.astype(np.float32))
# ImageJ's layout for files over 4 GiB: one IFD, slices contiguous after it.
save("ij_truncated.tif", a16, imagej=True, truncate=True, resolution=(2.0, 2.0), metadata={"spacing": 0.5, "unit": "um"})
with tifffile.TiffFile(os.path.join(d, "ij_truncated.tif")) as t:
    out["ij_truncated.tif"]["pages_in_file"] = len(t.pages.pages) if hasattr(t.pages, "pages") else None
# Hyperstack with channels: refused.
save("ij_channels.tif", rng.integers(0, 255, (3, 2, 4, 5), dtype=np.uint8), imagej=True, metadata={"axes": "ZCYX", "unit": "um"})
# Horizontal predictor with deflate, 8/16/32-bit integers.
for dt in ["uint8", "int16", "uint16", "int32"]:
    a = rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, (3, 6, 7), dtype=dt, endpoint=True)
    save(f"pred_{dt}.tif", a, compression="zlib", predictor=True)
# LZW (predictor none) multi-page by Pillow.
l16 = rng.integers(0, 65536, (3, 4, 5), dtype=np.uint16)
ims = [Image.fromarray(p) for p in l16]
ims[0].save(os.path.join(d, "lzw_u16.tif"), save_all=True, append_images=ims[1:], compression="tiff_lzw")
out["lzw_u16.tif"] = digest(l16)
lf = rng.standard_normal((2, 4, 5)).astype(np.float32)
ims = [Image.fromarray(p) for p in lf]
ims[0].save(os.path.join(d, "lzw_f32.tif"), save_all=True, append_images=ims[1:], compression="tiff_lzw")
out["lzw_f32.tif"] = digest(lf)
# Tiled pages.
save("tiled.tif", rng.integers(0, 65536, (2, 40, 40), dtype=np.uint16), tile=(16, 16))
# A folder of 2D slices whose names sort wrongly as text.
os.mkdir(os.path.join(d, "slices"))
st = rng.integers(0, 256, (12, 3, 4), dtype=np.uint8)
for i, p in enumerate(st):
    tifffile.imwrite(os.path.join(d, "slices", f"s{i + 1}.tif"), p, photometric="minisblack")
out["slices"] = digest(st)
# RGB is refused.
save("rgb.tif", rng.integers(0, 256, (4, 5, 3), dtype=np.uint8), photometric="rgb")
# A .npy in disguise.
np.save(os.path.join(d, "disguised.npy"), a8)
os.rename(os.path.join(d, "disguised.npy"), os.path.join(d, "disguised.tif"))
out["disguised.tif"] = digest(a8)
print(json.dumps(out))
`,
    [dir],
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("TIFF written by tifffile and Pillow", () => {
  it("reads ImageJ spacing and units (µm, nm, mm) and converts to µm", async () => {
    const cases: [string, [number, number, number], number][] = [
      ["ij_u8.tif", [0.5, 0.39, 0.39], 1],
      ["ij_u16_nm.tif", [0.5, 0.4, 0.39], 1e-3],
      ["ij_f32_mm.tif", [0.5, 0.39, 0.39], 1e3],
      ["ij_micro.tif", [0.5, 0.5, 0.5], 1],
      // Inches are fine when they are not a whole print resolution: 19538.46 px/inch = 1.3 µm.
      ["ij_inch.tif", [1.3, 1.3, 1.3], 25400],
    ];
    for (const [name, spacing, um] of cases) {
      const r = await readWithMetadata(path.join(dir, name), quiet);
      expect(r.spacingSource, name).toBe("file");
      expect(r.spacing[0], name).toBeCloseTo(spacing[0], 12);
      // tifffile stores x/y as 32-bit rationals it approximates (1/0.00039 px/mm became
      // 4294967295/1675037, 1.5e-7 off): compare with the stored rational exactly, and
      // with the nominal value to that precision.
      const [yr, xr] = made[name].res!;
      expect(r.spacing[1], name).toBeCloseTo((um * yr[1]) / yr[0], 12);
      expect(r.spacing[2], name).toBeCloseTo((um * xr[1]) / xr[0], 12);
      for (let i = 1; i < 3; i++) expect(Math.abs(r.spacing[i] / spacing[i] - 1), `${name} axis ${i}: ${r.spacing[i]}`).toBeLessThan(1e-6);
      expect(sha(r.volume), name).toBe(made[name].sha);
      expect(r.shape).toEqual(made[name].shape);
    }
  });

  it("assumes dz = dx with a warning when only x/y are given; reads centimetre resolution tags", async () => {
    const w: string[] = [];
    const r = await readWithMetadata(path.join(dir, "ij_nospacing.tif"), { onWarning: (m) => w.push(m) });
    expect(r.spacing).toEqual([0.5, 0.5, 0.5]);
    expect(w.join()).toMatch(/no z spacing/);
    const c = await readWithMetadata(path.join(dir, "cm.tif"), quiet);
    for (let i = 0; i < 3; i++) expect(c.spacing[i]).toBeCloseTo(0.8, 10);
    expect(c.spacingSource).toBe("file");
  });

  it("reads every dtype, uncompressed, deflate and big-endian, bit for bit", async () => {
    for (const dt of ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"]) {
      for (const kind of ["plain", "zlib", "be"]) {
        const name = `${kind}_${dt}.tif`;
        const v = await read(path.join(dir, name), quiet);
        expect(volumeDType(v), name).toBe(dt);
        expect(sha(v), name).toBe(made[name].sha);
      }
    }
  });

  it("reads float16 as float32, exactly", async () => {
    for (const name of ["f16_plain.tif", "f16_zlib.tif", "f16_be.tif"]) {
      const v = await read(path.join(dir, name), quiet);
      expect(volumeDType(v)).toBe("float32");
      expect(sha(v), name).toBe(made[name].sha);
    }
  });

  it("reads ImageJ's over-4-GiB layout (one IFD, images=N contiguous slices) and refuses channel hyperstacks", async () => {
    const r = await readWithMetadata(path.join(dir, "ij_truncated.tif"), quiet);
    expect(r.shape).toEqual([3, 5, 4]);
    expect(sha(r.volume)).toBe(made["ij_truncated.tif"].sha);
    expect(r.spacing).toEqual([0.5, 0.5, 0.5]);
    await expectCode(read(path.join(dir, "ij_channels.tif"), quiet), "UNSUPPORTED_FORMAT");
  });

  it("reads LZW (Pillow), the horizontal predictor, and tiled pages", async () => {
    for (const name of ["lzw_u16.tif", "lzw_f32.tif", "tiled.tif", "pred_uint8.tif", "pred_int16.tif", "pred_uint16.tif", "pred_int32.tif"]) {
      const v = await read(path.join(dir, name), quiet);
      expect(sha(v), name).toBe(made[name].sha);
    }
  });

  it("reads a folder of 2D TIFFs in natural name order (s2 before s10)", async () => {
    const r = await readWithMetadata(path.join(dir, "slices"), quiet);
    expect(r.format).toBe("tiff-folder");
    expect(r.shape).toEqual([12, 3, 4]);
    expect(sha(r.volume)).toBe(made.slices.sha);
    expect(path.basename(r.files[2])).toBe("s3.tif");
  });

  it("reads a .npy named .tif by its content, with a warning", async () => {
    const w: string[] = [];
    const r = await readWithMetadata(path.join(dir, "disguised.tif"), { onWarning: (m) => w.push(m) });
    expect(r.format).toBe("npy");
    expect(sha(r.volume)).toBe(made["disguised.tif"].sha);
    expect(w.join()).toMatch(/extension says tiff but the content is npy/);
  });

  it("refuses RGB", async () => {
    await expectCode(read(path.join(dir, "rgb.tif"), quiet), "UNSUPPORTED_FORMAT");
  });
});

describe("the real data files, against tifffile", () => {
  let ref: Record<string, Digest & { mid: string }>;
  beforeAll(() => {
    ref = runPython(
      `
import json, sys, numpy as np, tifffile, hashlib
out = {}
for f in sys.argv[1:]:
    a = tifffile.imread(f)
    out[f] = {"shape": list(a.shape), "dtype": str(a.dtype), "sha": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
              "sum": float(a.astype(np.float64).sum()), "mid": hashlib.sha256(np.ascontiguousarray(a[a.shape[0] // 2]).tobytes()).hexdigest()}
print(json.dumps(out))
`,
      [`${DATA}/taufactor_electrode_256.tiff`, `${DATA}/puma_100_fiberform.tif`, `${DATA}/matbox_nmc-1-cal_generatedCBD_bridge.tif`],
    );
  });

  it("taufactor electrode (256 pages, Adobe deflate): identical voxels, 1 µm default spacing", async () => {
    const f = `${DATA}/taufactor_electrode_256.tiff`;
    const w: string[] = [];
    const r = await readWithMetadata(f, { onWarning: (m) => w.push(m) });
    expect(r.shape).toEqual([256, 256, 256]);
    expect(r.dtype).toBe("uint8");
    expect(sha(r.volume)).toBe(ref[f].sha);
    expect(r.spacingSource).toBe("default");
    expect(w.join()).toMatch(/no voxel size/);
    // The published voxel size (100 µm / 256) is applied by override (header only: the voxels were checked above).
    const info = await readInfo(f, { spacing_um: [0.390625, 0.390625, 0.390625], ...quiet });
    expect(info.spacing).toEqual([0.390625, 0.390625, 0.390625]);
    expect(info.spacingSource).toBe("override");
  });

  it("puma FiberForm: ImageJ unit=inch at 100 pixels per inch is a print default, ignored with a warning", async () => {
    const f = `${DATA}/puma_100_fiberform.tif`;
    const w: string[] = [];
    const r = await readWithMetadata(f, { onWarning: (m) => w.push(m) });
    expect(r.shape).toEqual([100, 100, 100]);
    expect(sha(r.volume)).toBe(ref[f].sha);
    expect(r.spacingSource).toBe("default");
    expect(r.spacing).toEqual([1, 1, 1]);
    expect(w.join("\n")).toMatch(/100 pixels per inch \(254\.0 µm per voxel/);
  });

  it("MATBOX electrode (PackBits, 251 pages)", async () => {
    const f = `${DATA}/matbox_nmc-1-cal_generatedCBD_bridge.tif`;
    const v = await read(f, quiet);
    expect(v.shape).toEqual(ref[f].shape);
    expect(sha(v)).toBe(ref[f].sha);
  });

  it("readInfo reads the header only", async () => {
    const info = await readInfo(`${DATA}/taufactor_electrode_256.tiff`, quiet);
    expect(info).toMatchObject({ format: "tiff", shape: [256, 256, 256], dtype: "uint8", spacingSource: "default" });
  });
});

describe("TIFF written by tomolyte", () => {
  const dtypes: DType[] = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"];
  let out: string;
  beforeAll(() => {
    out = tempDir();
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("round-trips every dtype, uncompressed and deflate, and tifffile reads the same voxels and spacing", async () => {
    const spacing = [0.5, 0.39, 0.390625] as const;
    const names: string[] = [];
    for (const dtype of dtypes) {
      const v = createVolume(makeValues(dtype, 3 * 4 * 5), [3, 4, 5], spacing);
      for (const compression of ["none", "deflate"] as const) {
        const name = `${dtype}_${compression}.tif`;
        await write(v, path.join(out, name), { compression });
        const r = await readWithMetadata(path.join(out, name), quiet);
        expect(r.spacing).toEqual(spacing);
        expect(r.spacingSource).toBe("file");
        expect(volumeDType(r.volume)).toBe(dtype);
        expect(sha(r.volume)).toBe(sha(v));
        names.push(name);
      }
    }
    const seen = runPython<Record<string, Digest & { imagej: boolean; unit: string; spacing: number; xres: number[]; yres: number[]; pages: number }>>(
      `
import json, sys, os, numpy as np, tifffile
${DIGEST}
out = {}
for name in json.loads(sys.argv[2]):
    with tifffile.TiffFile(os.path.join(sys.argv[1], name)) as t:
        a = t.asarray()
        m = t.imagej_metadata or {}
        p = t.pages[0]
        out[name] = dict(digest(a), imagej=t.is_imagej, unit=m.get("unit"), spacing=m.get("spacing"),
                         xres=list(p.tags["XResolution"].value), yres=list(p.tags["YResolution"].value), pages=len(t.pages))
print(json.dumps(out))
`,
      [out, JSON.stringify(names)],
    );
    for (const name of names) {
      const dtype = name.split("_")[0];
      const v = createVolume(makeValues(dtype as DType, 60), [3, 4, 5], spacing);
      expect(seen[name].sha, name).toBe(sha(v));
      expect(seen[name].dtype, name).toBe(dtype);
      expect(seen[name].shape).toEqual([3, 4, 5]);
      expect(seen[name].imagej).toBe(true);
      expect(seen[name].unit).toBe("micron");
      expect(seen[name].spacing).toBe(0.5);
      expect(seen[name].pages).toBe(3);
      // ImageJ's convention: XResolution in pixels per unit (here per µm).
      expect(seen[name].xres[1] / seen[name].xres[0]).toBe(0.390625);
      expect(seen[name].yres[1] / seen[name].yres[0]).toBe(0.39);
    }
  });

  it("writes a folder of slices that reads back, and that tifffile reads slice by slice", async () => {
    const v = createVolume(makeValues("uint16", 11 * 3 * 4), [11, 3, 4], [2, 1, 1]);
    const res = await write(v, path.join(out, "stack") + "/");
    expect(res.files.length).toBe(11);
    const r = await readWithMetadata(path.join(out, "stack"), quiet);
    expect(r.format).toBe("tiff-folder");
    expect(sha(r.volume)).toBe(sha(v));
    expect(r.spacing).toEqual([2, 1, 1]);
    const py = runPython<Digest>(
      `
import json, sys, glob, numpy as np, tifffile
${DIGEST}
print(json.dumps(digest(np.stack([tifffile.imread(f) for f in sorted(glob.glob(sys.argv[1] + "/*.tif"))]))))
`,
      [path.join(out, "stack")],
    );
    expect(py.sha).toBe(sha(v));
  });

  it("writes BigTIFF when asked (it does so by itself past 4 GiB), readable by tifffile and tomolyte", async () => {
    const v = createVolume(makeValues("float32", 2 * 3 * 4), [2, 3, 4], [1.5, 1, 1]);
    const file = path.join(out, "big.tif");
    const o = await OutputFile.create(file);
    await writeTiff(o, v, 0, 2, { compression: "deflate", bigTiff: true });
    await o.close(false);
    const r = await readWithMetadata(file, quiet);
    expect(sha(r.volume)).toBe(sha(v));
    expect(r.spacing).toEqual([1.5, 1, 1]);
    const py = runPython<Digest & { big: boolean }>(
      `
import json, sys, numpy as np, tifffile
${DIGEST}
with tifffile.TiffFile(sys.argv[1]) as t:
    print(json.dumps(dict(digest(t.asarray()), big=t.is_bigtiff)))
`,
      [file],
    );
    expect(py.big).toBe(true);
    expect(py.sha).toBe(sha(v));
  });
});
