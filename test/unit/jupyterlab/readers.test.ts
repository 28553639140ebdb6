/**
 * The browser-side volume file readers (jupyterlab-ext/src/reader*.ts) against files written
 * by kernel-lib's io writers and by Python (tifffile, NumPy, hand-written MetaImage headers):
 * shape, dtype and every value exactly (SHA-256 of the little-endian C-order bytes), spacing
 * equal; damaged files fail with the reader's VolumeFileError, never another exception.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume, readWithMetadata, write } from "../../../kernel-lib/src";
import { readVolumeFile, VolumeFileError } from "../../../jupyterlab-ext/src/reader";
import type { VolumeFile } from "../../../jupyterlab-ext/src/reader";
import { tiffSpacing } from "../../../jupyterlab-ext/src/reader-tiff";
import { percentileWindow } from "../../../jupyterlab-ext/src/planes";
import { runPython } from "../../helpers/python";
import { rng } from "../../helpers/random";
import { SHARED_DATA } from "../../helpers/shared-data";

let dir: string;

const sha = (a: ArrayBufferView) => createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");

/** Reads a file of the temp dir the way the document does: its bytes, and siblings by name. */
function open(name: string): Promise<VolumeFile> {
  const file = path.join(dir, name);
  const bytes = new Uint8Array(fs.readFileSync(file));
  return readVolumeFile(name, bytes, async (n) => new Uint8Array(fs.readFileSync(path.join(path.dirname(file), n))));
}

async function expectFileError(p: Promise<unknown>, match?: RegExp): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, "expected a VolumeFileError").toBeInstanceOf(VolumeFileError);
  if (match) expect((err as Error).message).toMatch(match);
}

interface Digest {
  shape: number[];
  dtype: string;
  sha: string;
}

let made: Record<string, Digest>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-readers-"));
  made = runPython<Record<string, Digest>>(
    `
import json, sys, os, hashlib, zlib, numpy as np, tifffile
d = sys.argv[1]
out = {}
def digest(a):
    a = np.ascontiguousarray(a)
    a = a.astype(a.dtype.newbyteorder("<"))
    while a.ndim < 3: a = a[None]
    return {"shape": list(a.shape), "dtype": str(a.dtype.newbyteorder("=")), "sha": hashlib.sha256(a.tobytes()).hexdigest()}
rng = np.random.default_rng(11)
def tif(name, a, **kw):
    kw.setdefault("photometric", "minisblack")
    if kw.get("imagej"): kw["metadata"] = dict({"axes": "ZYX"}, **kw["metadata"])
    tifffile.imwrite(os.path.join(d, name), a, **kw)
    out[name] = digest(a)
def ints(dt, shape):
    i = np.iinfo(dt)
    return rng.integers(i.min, i.max, shape, dtype=dt, endpoint=True)
# TIFF: every dtype, uncompressed / deflate / big-endian; ImageJ spacing in nm; cm resolution.
for dt in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"]:
    a = (rng.standard_normal((3, 4, 5)) * 1000).astype(dt) if dt.startswith("float") else ints(dt, (3, 4, 5))
    tif(f"plain_{dt}.tif", a)
    tif(f"zlib_{dt}.tif", a, compression="zlib")
    tif(f"be_{dt}.tif", a, byteorder=">")
h = (rng.standard_normal((2, 3, 4)) * 100).astype(np.float16)
tif("f16.tif", h)
out["f16.tif"] = digest(h.astype(np.float32))
tif("pred_u16.tif", ints("uint16", (3, 6, 7)), compression="zlib", predictor=True)
tif("ij_nm.tif", ints("uint16", (3, 5, 4)), imagej=True, resolution=(1 / 390.0, 1 / 400.0), metadata={"spacing": 500.0, "unit": "nm"})
tif("cm.tif", ints("uint8", (2, 3, 4)), resolution=(1e4 / 0.8, 1e4 / 0.8), resolutionunit="CENTIMETER")
tif("dpi.tif", ints("uint8", (2, 3, 4)), resolution=(72, 72), resolutionunit="INCH")
tif("tiled.tif", ints("uint16", (2, 40, 40)), tile=(16, 16))
tif("rgb.tif", ints("uint8", (4, 5, 3)), photometric="rgb")
# .npy: every dtype, both byte orders, C and Fortran order, 2-D, versions 1/2/3.
for dt in ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "float32", "float64"]:
    if dt == "bool": a = rng.integers(0, 2, (3, 4, 5)).astype(bool)
    elif dt.startswith("float"): a = (rng.standard_normal((3, 4, 5)) * 100).astype(dt)
    elif dt in ("uint64", "int64"): a = rng.integers(-2**40 if dt == "int64" else 0, 2**40, (3, 4, 5)).astype(dt)
    else: a = ints(dt, (3, 4, 5))
    conv = {"bool": "uint8", "uint64": "float64", "int64": "float64", "float16": "float32"}.get(dt, dt)
    for order in ["<", ">"]:
        b = a.astype(a.dtype.newbyteorder(order))
        np.save(os.path.join(d, f"{dt}{'le' if order == '<' else 'be'}.npy"), b)
        out[f"{dt}{'le' if order == '<' else 'be'}.npy"] = digest(a.astype(conv))
    np.save(os.path.join(d, f"{dt}_f.npy"), np.asfortranarray(a))
    out[f"{dt}_f.npy"] = digest(a.astype(conv))
a = ints("uint16", (6, 7))
np.save(os.path.join(d, "two_d.npy"), a); out["two_d.npy"] = digest(a)
np.save(os.path.join(d, "two_d_f.npy"), np.asfortranarray(a)); out["two_d_f.npy"] = digest(a)
a = ints("int16", (1, 1, 2, 3, 4))
np.save(os.path.join(d, "five_d.npy"), a); out["five_d.npy"] = digest(a[0, 0])
from numpy.lib import format as npf
a = ints("int32", (2, 3, 4))
for v in [(2, 0), (3, 0)]:
    with open(os.path.join(d, f"v{v[0]}.npy"), "wb") as f:
        npf.write_array(f, a, version=v)
    out[f"v{v[0]}.npy"] = digest(a)
np.save(os.path.join(d, "complex.npy"), np.zeros((2, 2, 2), np.complex64))
# MetaImage by hand (as ITK writes them): big-endian .mha, zlib .mha, .mhd + .raw with HeaderSize.
a = ints("int16", (3, 4, 5))
hdr = "ObjectType = Image\\nNDims = 3\\nBinaryData = True\\nBinaryDataByteOrderMSB = True\\nElementSpacing = 0.5 0.25 2\\nDimSize = 5 4 3\\nElementType = MET_SHORT\\nElementDataFile = LOCAL\\n"
open(os.path.join(d, "be.mha"), "wb").write(hdr.encode() + a.astype(">i2").tobytes()); out["be.mha"] = digest(a)
f = (rng.standard_normal((3, 4, 5))).astype(np.float32)
z = zlib.compress(f.astype("<f4").tobytes())
hdr = f"ObjectType = Image\\nNDims = 3\\nCompressedData = True\\nCompressedDataSize = {len(z)}\\nElementSpacing = 1 1 1.5\\nDimSize = 5 4 3\\nElementType = MET_FLOAT\\nElementDataFile = LOCAL\\n"
open(os.path.join(d, "zlib.mha"), "wb").write(hdr.encode() + z); out["zlib.mha"] = digest(f)
u = ints("uint16", (2, 3, 4))
open(os.path.join(d, "skip.raw"), "wb").write(b"\\xff" * 16 + u.astype("<u2").tobytes())
hdr = "ObjectType = Image\\r\\nNDims = 3\\r\\nHeaderSize = 16\\r\\nElementSpacing = 0.1 0.2 0.3\\r\\nDimSize = 4 3 2\\r\\nElementType = MET_USHORT\\r\\nElementDataFile = skip.raw\\r\\n"
open(os.path.join(d, "skip.mhd"), "w", newline="").write(hdr); out["skip.mhd"] = digest(u)
print(json.dumps(out))
`,
    [dir],
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("readers against files written by Python (tifffile, NumPy, hand-written MetaImage)", () => {
  it("TIFF: every dtype, deflate, big-endian, float16, predictor, tiles: exact values, shape, dtype", async () => {
    const names = Object.keys(made).filter((n) => n.endsWith(".tif") && !["rgb.tif"].includes(n));
    expect(names.length).toBe(30);
    for (const n of names) {
      const v = await open(n);
      expect(v.shape, n).toEqual(made[n].shape);
      expect(v.dtype, n).toBe(made[n].dtype);
      expect(sha(v.data), n).toBe(made[n].sha);
      expect(v.format).toBe("tiff");
    }
  });

  it("TIFF spacing: ImageJ nm, centimetre resolution, 72 dpi ignored, none -> 1 µm; equal to kernel-lib's read", async () => {
    // tifffile stores 1/400 px per nm as a rounded rational, so 0.4 µm comes back within 5e-8 (8.8e-9 here).
    const ij = await open("ij_nm.tif");
    expect(ij.spacing[0]).toBe(0.5);
    expect(ij.spacing[1]).toBeCloseTo(0.4, 7);
    expect(ij.spacing[2]).toBeCloseTo(0.39, 7);
    expect(ij.spacingSource).toBe("file");
    const cm = await open("cm.tif");
    expect(cm.spacing[2]).toBeCloseTo(0.8, 7);
    expect(cm.spacing[0]).toBe(cm.spacing[2]); // no z in the file: cubic voxels assumed
    const dpi = await open("dpi.tif");
    expect(dpi.spacing).toEqual([1, 1, 1]);
    expect(dpi.spacingSource).toBe("default");
    expect(dpi.notes.join(" ")).toMatch(/print default/);
    expect((await open("plain_uint8.tif")).spacingSource).toBe("default");
    // The same numbers as the kernel's reader, bit for bit.
    for (const n of ["ij_nm.tif", "cm.tif", "dpi.tif", "plain_uint8.tif"]) {
      const k = await readWithMetadata(path.join(dir, n), { onWarning: () => undefined });
      expect((await open(n)).spacing, n).toEqual([...k.volume.spacing]);
    }
  });

  it("TIFF spacing rules without a file (ImageJ µm escape, JSON description)", () => {
    expect(tiffSpacing({ description: "ImageJ=1.11a\nunit=\\u00B5m\nspacing=3", xres: [2, 1], yres: [4, 1] }, 5)).toEqual([3, 0.25, 0.5]);
    expect(tiffSpacing({ description: '{"shape": [2, 3, 4], "spacing": 2, "unit": "um"}', xres: [1, 1], resUnit: 1 }, 2)).toEqual([2, 1, 1]);
    expect(tiffSpacing({ description: "ImageJ=1.11a\nunit=pixel", xres: [2, 1] }, 5)).toBeUndefined();
  });

  it(".npy: every dtype, both byte orders, Fortran order, versions 2 and 3, 2-D and 5-D arrays", async () => {
    const names = Object.keys(made).filter((n) => n.endsWith(".npy"));
    expect(names.length).toBe(12 * 3 + 5);
    for (const n of names) {
      const v = await open(n);
      expect(v.shape, n).toEqual(made[n].shape);
      expect(v.dtype, n).toBe(made[n].dtype);
      expect(sha(v.data), n).toBe(made[n].sha);
      expect(v.spacing).toEqual([1, 1, 1]);
    }
  });

  it("MetaImage: big-endian .mha, zlib .mha, .mhd + .raw with HeaderSize and CRLF lines", async () => {
    for (const n of ["be.mha", "zlib.mha", "skip.mhd"]) {
      const v = await open(n);
      expect(v.shape, n).toEqual(made[n].shape);
      expect(v.dtype, n).toBe(made[n].dtype);
      expect(sha(v.data), n).toBe(made[n].sha);
    }
    // ElementSpacing is x y z; the volume's spacing is [dz, dy, dx].
    expect((await open("be.mha")).spacing).toEqual([2, 0.25, 0.5]);
    expect((await open("zlib.mha")).spacing).toEqual([1.5, 1, 1]);
    expect((await open("skip.mhd")).spacing).toEqual([0.3, 0.2, 0.1]);
  });

  it("refuses RGB TIFFs and complex .npy with a message", async () => {
    await expectFileError(open("rgb.tif"), /samples per pixel/);
    await expectFileError(open("complex.npy"), /not supported/);
  });
});

describe("readers against files written by kernel-lib's io", () => {
  const r = rng(5);
  const shape: [number, number, number] = [4, 6, 5];
  const n = 120;
  const spacing: [number, number, number] = [0.7, 0.35, 0.35];
  const volumes = {
    u8: createVolume(Uint8Array.from({ length: n }, () => Math.floor(r() * 256)), shape, spacing),
    i16: createVolume(Int16Array.from({ length: n }, () => Math.floor(r() * 65536) - 32768), shape, spacing),
    f32: createVolume(Float32Array.from({ length: n }, () => (r() - 0.5) * 1e4), shape, spacing),
    f64: createVolume(Float64Array.from({ length: n }, () => (r() - 0.5) * 1e9), shape, spacing),
  };

  it("TIFF (plain and deflate), .npy, .mhd + .raw, .mhd + .zraw, .mha: values, shape, dtype and spacing equal", async () => {
    for (const [k, vol] of Object.entries(volumes)) {
      const targets: [string, { compression?: "none" | "deflate" }][] = [
        [`k_${k}.tif`, {}],
        [`k_${k}_z.tif`, { compression: "deflate" }],
        [`k_${k}.npy`, {}],
        [`k_${k}.mhd`, {}],
        [`k_${k}_z.mhd`, { compression: "deflate" }],
        [`k_${k}.mha`, {}],
        [`k_${k}_z.mha`, { compression: "deflate" }],
      ];
      for (const [name, opts] of targets) {
        await write(vol, path.join(dir, name), opts);
        const v = await open(name);
        expect(v.shape, name).toEqual(shape);
        expect(v.data.constructor, name).toBe(vol.data.constructor);
        expect(sha(v.data), name).toBe(sha(vol.data));
        // kernel-lib writes spacing exactly recoverable (TIFF rationals with den/num = spacing).
        if (!name.endsWith(".npy")) expect(v.spacing, name).toEqual(spacing);
        expect(v.window, name).toEqual(percentileWindow(vol.data, 0.5, 99.5));
      }
    }
  });

  it("damaged files: truncations and byte flips fail with VolumeFileError only", async () => {
    const rand = rng(99);
    const names = ["k_u8.tif", "k_f32_z.tif", "k_i16.npy", "k_f32_z.mha", "k_u8.mha", "k_f64.mhd"];
    let failures = 0;
    for (const name of names) {
      const good = new Uint8Array(fs.readFileSync(path.join(dir, name)));
      for (let t = 0; t < 12; t++) {
        const bad = good.slice();
        let cut = bad;
        if (t % 2 === 0) cut = bad.subarray(0, Math.floor(rand() * good.length));
        else for (let i = 0; i < 4; i++) bad[Math.floor(rand() * bad.length)] ^= 1 << Math.floor(rand() * 8);
        try {
          await readVolumeFile(name, cut, async () => {
            throw new Error("no such file");
          });
        } catch (e) {
          // Anything but the reader's own error would be a broken document instead of a message.
          expect(e, `${name} #${t}: ${String(e)}`).toBeInstanceOf(VolumeFileError);
          failures++;
        }
      }
    }
    // Every truncation must fail (half of the 72 cases); byte flips in data bytes may read fine.
    expect(failures).toBeGreaterThanOrEqual(36);
  });

  it("a truncated .raw, a missing data file, an empty file, a renamed file: clear messages", async () => {
    const raw = fs.readFileSync(path.join(dir, "k_f32.raw"));
    fs.writeFileSync(path.join(dir, "short.raw"), raw.subarray(0, raw.length - 4));
    fs.writeFileSync(path.join(dir, "short.mhd"), fs.readFileSync(path.join(dir, "k_f32.mhd"), "latin1").replace(/ElementDataFile = .*/, "ElementDataFile = short.raw"));
    await expectFileError(open("short.mhd"), /short\.raw holds 476 bytes .* needs 480; it is truncated/);
    fs.writeFileSync(path.join(dir, "gone.mhd"), fs.readFileSync(path.join(dir, "k_f32.mhd"), "latin1").replace(/ElementDataFile = .*/, "ElementDataFile = gone.raw"));
    await expectFileError(open("gone.mhd"), /cannot read the data file gone\.raw/);
    fs.writeFileSync(path.join(dir, "empty.tif"), "");
    await expectFileError(open("empty.tif"), /empty/);
    fs.copyFileSync(path.join(dir, "k_f32.raw"), path.join(dir, "renamed.npy"));
    await expectFileError(open("renamed.npy"), /is not a NumPy \.npy file/);
    await expectFileError(open("k_f32.raw"), /open the \.mhd/);
  });

  it("a .npy in disguise (.tif name) is read by its content", async () => {
    fs.copyFileSync(path.join(dir, "k_i16.npy"), path.join(dir, "disguised.tif"));
    const v = await open("disguised.tif");
    expect(v.format).toBe("npy");
    expect(sha(v.data)).toBe(sha(volumes.i16.data));
  });

  it("refuses volumes over the viewer's voxel limit before allocating", async () => {
    // A header-only .npy claiming 1024³ uint8: the limit (256 Mi voxels) must stop it, not the missing data.
    const head = "{'descr': '|u1', 'fortran_order': False, 'shape': (1024, 1024, 1024), }";
    const pad = 64 - ((10 + head.length + 1) % 64);
    const text = head + " ".repeat(pad) + "\n";
    const bytes = new Uint8Array(10 + text.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
    bytes.set(Buffer.from(text, "latin1"), 10);
    await expectFileError(readVolumeFile("huge.npy", bytes), /exceed the viewer's limit/);
  });
});

describe.skipIf(!fs.existsSync(SHARED_DATA))("the project's real TIFFs (shared data folder)", () => {
  it("read in the browser as kernel-lib's read() reads them: shape, dtype, every value, spacing", async () => {
    // The smaller files plus the cell scan (100 × 320 × 320 uint16, about 2 s here); the two
    // larger ones (MATBOX, TauFactor) matched too when checked once, but take 5 s more.
    const names = ["bxw_cell_vol_crop_100x320x320.tif", "bxw_im_1.tif", "bxw_mask_1.tif", "puma_100_fiberform.tif"];
    for (const n of names) {
      const file = path.join(SHARED_DATA, n);
      const k = await readWithMetadata(file, { onWarning: () => undefined });
      const v = await readVolumeFile(n, new Uint8Array(fs.readFileSync(file)));
      expect(v.shape, n).toEqual([...k.volume.shape]);
      expect(v.data.constructor, n).toBe(k.volume.data.constructor);
      expect(sha(v.data), n).toBe(sha(k.volume.data));
      expect(v.spacing, n).toEqual([...k.volume.spacing]);
    }
  });
});
