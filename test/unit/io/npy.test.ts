/**
 * .npy reading and writing, against NumPy itself: files written by NumPy in every
 * numeric dtype, C and Fortran order, both byte orders, format versions 1.0/2.0/3.0;
 * and files written by tomolyte read back by NumPy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume, read, readInfo, readWithMetadata, write, volumeDType, type DType } from "../../../kernel-lib/src";
import { expectCode, makeValues, quiet, runPython, tempDir } from "./helpers";

let dir: string;

// Each case: a NumPy dtype, whether Fortran order, the dtype tomolyte reads it as.
const CASES: [string, string, DType][] = [
  ["b1", "|b1", "uint8"], ["i1", "|i1", "int8"], ["u1", "|u1", "uint8"],
  ["<i2", "<i2", "int16"], [">i2", ">i2", "int16"], ["<u2", "<u2", "uint16"], [">u2", ">u2", "uint16"],
  ["<i4", "<i4", "int32"], [">i4", ">i4", "int32"], ["<u4", "<u4", "uint32"], [">u4", ">u4", "uint32"],
  ["<i8", "<i8", "float64"], [">i8", ">i8", "float64"], ["<u8", "<u8", "float64"], [">u8", ">u8", "float64"],
  ["<f2", "<f2", "float32"], [">f2", ">f2", "float32"], ["<f4", "<f4", "float32"], [">f4", ">f4", "float32"],
  ["<f8", "<f8", "float64"], [">f8", ">f8", "float64"],
];

beforeAll(() => {
  dir = tempDir();
  // Values chosen to exercise each type's range: negatives, the extremes, fractions.
  runPython(
    `
import json, sys, os, numpy as np
d = sys.argv[1]
cases = json.loads(sys.argv[2])
rng = np.random.default_rng(7)
for name, descr, _ in cases:
    dt = np.dtype(descr)
    shape = (3, 4, 5)
    if dt.kind == "b":
        a = rng.integers(0, 2, size=shape).astype(dt)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(info.min, -2**53), min(info.max, 2**53)
        a = rng.integers(lo, hi, size=shape, dtype=np.int64 if dt.itemsize < 8 or dt.kind == "i" else np.uint64, endpoint=True).astype(dt)
        a.flat[0] = lo; a.flat[1] = hi
    else:
        a = (rng.standard_normal(shape) * 100).astype(dt)
        a.flat[0] = np.inf; a.flat[1] = -0.0
    safe = name.replace("<", "le").replace(">", "be").replace("|", "")
    np.save(os.path.join(d, f"c_{safe}.npy"), a)
    np.save(os.path.join(d, f"f_{safe}.npy"), np.asfortranarray(a))
    # Reference: the values in C order as float64 (exact for every case here).
    np.save(os.path.join(d, f"ref_{safe}.npy"), a.astype(np.float64))
# Format versions 2.0 and 3.0, 2D and 1D arrays.
a = np.arange(12, dtype=np.int16).reshape(3, 4)
with open(os.path.join(d, "v2.npy"), "wb") as f:
    np.lib.format.write_array(f, a, version=(2, 0))
with open(os.path.join(d, "v3.npy"), "wb") as f:
    np.lib.format.write_array(f, a, version=(3, 0))
np.save(os.path.join(d, "oned.npy"), np.arange(7, dtype=np.uint8))
np.save(os.path.join(d, "c64.npy"), np.zeros((2, 2, 2), np.complex64))
np.save(os.path.join(d, "big64.npy"), np.array([[[2**53 + 1]]], np.int64))
np.save(os.path.join(d, "four.npy"), np.zeros((2, 2, 2, 2), np.uint8))
np.save(os.path.join(d, "lead1.npy"), np.arange(8, dtype=np.uint8).reshape(1, 2, 2, 2))
print(json.dumps("ok"))
`,
    [dir, JSON.stringify(CASES)],
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function refValues(name: string): Float64Array {
  // The reference files are little-endian float64 C order: read the bytes directly.
  const buf = fs.readFileSync(path.join(dir, `ref_${name}.npy`));
  const headerLen = buf.readUInt16LE(8);
  const data = buf.subarray(10 + headerLen);
  return new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

describe("npy written by NumPy", () => {
  for (const [name, , dtype] of CASES) {
    const safe = name.replace("<", "le").replace(">", "be").replace("|", "");
    for (const order of ["c", "f"]) {
      it(`reads ${name} in ${order === "c" ? "C" : "Fortran"} order exactly`, async () => {
        const r = await readWithMetadata(path.join(dir, `${order}_${safe}.npy`), quiet);
        expect(r.shape).toEqual([3, 4, 5]);
        expect(volumeDType(r.volume)).toBe(dtype);
        expect(r.format).toBe("npy");
        expect(r.spacingSource).toBe("default");
        expect(Array.from(r.volume.data)).toEqual(Array.from(refValues(safe)));
      });
    }
  }

  it("reads versions 2.0 and 3.0, 2D as one slice, 1D as one row", async () => {
    for (const v of ["v2", "v3"]) {
      const vol = await read(path.join(dir, `${v}.npy`), quiet);
      expect(vol.shape).toEqual([1, 3, 4]);
      expect(Array.from(vol.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    }
    expect((await read(path.join(dir, "oned.npy"), quiet)).shape).toEqual([1, 1, 7]);
    expect((await read(path.join(dir, "lead1.npy"), quiet)).shape).toEqual([2, 2, 2]);
  });

  it("defaults the spacing to 1 µm with a warning, and takes an override without one", async () => {
    const warnings: string[] = [];
    const v = await read(path.join(dir, "c_u1.npy"), { onWarning: (m) => warnings.push(m) });
    expect(v.spacing).toEqual([1, 1, 1]);
    expect(warnings.join("\n")).toMatch(/no voxel size.*1 µm/);
    const w2: string[] = [];
    const r = await readWithMetadata(path.join(dir, "c_u1.npy"), { spacing_um: [0.5, 0.39, 0.39], onWarning: (m) => w2.push(m) });
    expect(r.volume.spacing).toEqual([0.5, 0.39, 0.39]);
    expect(r.spacingSource).toBe("override");
    expect(w2).toEqual([]);
    const info = await readInfo(path.join(dir, "f_bei8.npy"), quiet);
    expect(info).toMatchObject({ format: "npy", shape: [3, 4, 5], dtype: "float64", fileDType: ">i8", spacingSource: "default" });
  });

  it("refuses complex, out-of-range int64, 4D arrays", async () => {
    await expectCode(read(path.join(dir, "c64.npy"), quiet), "UNSUPPORTED_DTYPE");
    await expectCode(read(path.join(dir, "big64.npy"), quiet), "UNSUPPORTED_DTYPE");
    await expectCode(read(path.join(dir, "four.npy"), quiet), "SHAPE_MISMATCH");
  });
});

describe("npy written by tomolyte", () => {
  const dtypes: DType[] = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"];
  it("round-trips every dtype, and NumPy reads the same values", async () => {
    const out = tempDir();
    try {
      for (const dtype of dtypes) {
        const n = 2 * 3 * 5;
        const v = createVolume(makeValues(dtype, n), [2, 3, 5], [2, 1, 1]);
        await write(v, path.join(out, `${dtype}.npy`));
        const back = await read(path.join(out, `${dtype}.npy`), quiet);
        expect(volumeDType(back)).toBe(dtype);
        expect(back.shape).toEqual([2, 3, 5]);
        expect(Array.from(back.data)).toEqual(Array.from(v.data));
      }
      const seen = runPython<Record<string, { dtype: string; shape: number[]; values: number[] }>>(
        `
import json, sys, os, numpy as np
out = {}
for name in json.loads(sys.argv[2]):
    a = np.load(os.path.join(sys.argv[1], name + ".npy"))
    out[name] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": [float(x) for x in a.ravel()]}
print(json.dumps(out))
`,
        [out, JSON.stringify(dtypes)],
      );
      for (const dtype of dtypes) {
        expect(seen[dtype].dtype).toBe(dtype);
        expect(seen[dtype].shape).toEqual([2, 3, 5]);
        expect(seen[dtype].values).toEqual(Array.from(makeValues(dtype, 30)));
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

