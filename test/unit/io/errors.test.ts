/**
 * Failures: every bad file gives a TomolyteError with the right code (never another
 * exception, never a hang), oversized headers are refused before allocating, and
 * writers never overwrite an input nor leave partial or temp files behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume, isTomolyteError, read, readInfo, setMemoryBudget, withSpacing, write } from "../../../kernel-lib/src";
import { expectCode, listing, makeValues, quiet, tempDir } from "./helpers";

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const vol = () => createVolume(makeValues("uint16", 4 * 5 * 6), [4, 5, 6], [0.5, 0.25, 0.25]);

/** A .npy header for `shape` uint8, followed by `dataBytes` zero bytes. */
function npyWithShape(shape: number[], dataBytes: number): Buffer {
  let dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(", ")}), }`;
  dict += " ".repeat(64 - ((10 + dict.length + 1) % 64)) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, "latin1"), Buffer.alloc(dataBytes)]);
}

describe("reading bad input", () => {
  it("missing paths: FILE_NOT_FOUND; unknown, HDF5 and headerless raw: UNSUPPORTED_FORMAT", async () => {
    await expectCode(read(path.join(dir, "nope.tif"), quiet), "FILE_NOT_FOUND");
    await expectCode(readInfo(path.join(dir, "nope.npy"), quiet), "FILE_NOT_FOUND");
    fs.writeFileSync(path.join(dir, "x.xyz"), "hello");
    await expectCode(read(path.join(dir, "x.xyz"), quiet), "UNSUPPORTED_FORMAT");
    fs.writeFileSync(path.join(dir, "x.h5"), Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    await expectCode(read(path.join(dir, "x.h5"), quiet), "UNSUPPORTED_FORMAT");
    fs.writeFileSync(path.join(dir, "lonely.raw"), Buffer.alloc(10));
    await expectCode(read(path.join(dir, "lonely.raw"), quiet), "UNSUPPORTED_FORMAT");
    await expectCode(read(path.join(dir, "scan.h5:/volume"), quiet), "UNSUPPORTED_FORMAT");
    fs.mkdirSync(path.join(dir, "scan.zarr"));
    await expectCode(read(path.join(dir, "scan.zarr"), quiet), "UNSUPPORTED_FORMAT");
    fs.mkdirSync(path.join(dir, "empty"));
    await expectCode(read(path.join(dir, "empty"), quiet), "UNSUPPORTED_FORMAT");
  });

  it("bad spacing override: INVALID_ARGUMENT", async () => {
    await write(vol(), path.join(dir, "ok.npy"));
    await expectCode(read(path.join(dir, "ok.npy"), { spacing_um: [1, 0, 1] }), "INVALID_ARGUMENT");
    await expectCode(read(path.join(dir, "ok.npy"), { spacing_um: [1, NaN, 1] as unknown as [number, number, number] }), "INVALID_ARGUMENT");
  });

  it("truncated files and headers that claim more voxels than the file holds: CORRUPT_FILE", async () => {
    const v = vol();
    for (const name of ["t.tif", "t.npy", "t.mha", "tz.tif"]) {
      await write(v, path.join(dir, name), { compression: name === "tz.tif" ? "deflate" : "none" });
      const full = fs.readFileSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, `cut_${name}`), full.subarray(0, full.length - 40));
      await expectCode(read(path.join(dir, `cut_${name}`), quiet), "CORRUPT_FILE");
    }
    await write(v, path.join(dir, "t.mhd"));
    fs.truncateSync(path.join(dir, "t.raw"), 100);
    await expectCode(read(path.join(dir, "t.mhd"), quiet), "CORRUPT_FILE");
    fs.writeFileSync(path.join(dir, "empty.tif"), "");
    await expectCode(read(path.join(dir, "empty.tif"), quiet), "CORRUPT_FILE");
    // Shape and data disagree: the header says 10×10×10, the file holds 999 bytes.
    fs.writeFileSync(path.join(dir, "short.npy"), npyWithShape([10, 10, 10], 999));
    await expectCode(read(path.join(dir, "short.npy"), quiet), "CORRUPT_FILE");
    // A tiny file whose header claims 10^12 voxels is corrupt, not big.
    fs.writeFileSync(path.join(dir, "tera_tiny.npy"), npyWithShape([10000, 10000, 10000], 10));
    await expectCode(read(path.join(dir, "tera_tiny.npy"), quiet), "CORRUPT_FILE");
  });

  it("corrupt headers: CORRUPT_FILE (an IFD chain that loops, garbage .npy header, bad DimSize)", async () => {
    // A TIFF whose first IFD points back at itself as the next one.
    await write(createVolume(new Uint8Array(4), [1, 2, 2]), path.join(dir, "one.tif"));
    const b = fs.readFileSync(path.join(dir, "one.tif"));
    const ifd = b.readUInt32LE(4);
    const n = b.readUInt16LE(ifd);
    b.writeUInt32LE(ifd, ifd + 2 + 12 * n);
    fs.writeFileSync(path.join(dir, "loop.tif"), b);
    await expectCode(read(path.join(dir, "loop.tif"), quiet), "CORRUPT_FILE");
    const bad = npyWithShape([2, 2, 2], 8);
    bad.write("{'desc': nonsense", 10, "latin1");
    fs.writeFileSync(path.join(dir, "bad.npy"), bad);
    await expectCode(read(path.join(dir, "bad.npy"), quiet), "CORRUPT_FILE");
    fs.writeFileSync(path.join(dir, "bad.mhd"), "ObjectType = Image\nNDims = 3\nDimSize = 5 -4 3\nElementType = MET_UCHAR\nElementDataFile = t.raw\n");
    await expectCode(read(path.join(dir, "bad.mhd"), quiet), "CORRUPT_FILE");
    fs.writeFileSync(path.join(dir, "notiff.tif"), "this is not a tiff at all");
    await expectCode(read(path.join(dir, "notiff.tif"), quiet), "CORRUPT_FILE");
  });

  it("a header claiming 10^12 voxels that the file could hold: OUT_OF_MEMORY before allocating", async () => {
    // A sparse file really as long as the header says (takes no disk space; every
    // Linux file system CI uses supports them, and the file is removed at once).
    const f = path.join(dir, "tera.npy");
    fs.writeFileSync(f, npyWithShape([10000, 10000, 10000], 0));
    try {
      fs.truncateSync(f, fs.statSync(f).size + 1e12);
      const e = await expectCode(read(f, quiet), "OUT_OF_MEMORY");
      expect(e.message).toMatch(/crop or downsample/);
      expect(e.message).toMatch(/exceed the 4294967295/);
    } finally {
      fs.rmSync(f, { force: true });
    }
    // Compressed data cannot be checked against the file size: the budget refuses it.
    fs.writeFileSync(path.join(dir, "teraz.mha"), "ObjectType = Image\nNDims = 3\nDimSize = 10000 10000 10000\nElementType = MET_UCHAR\nCompressedData = True\nCompressedDataSize = 8\nElementDataFile = LOCAL\n12345678");
    await expectCode(read(path.join(dir, "teraz.mha"), quiet), "OUT_OF_MEMORY");
    // And within the element limit, the memory budget decides.
    setMemoryBudget(100);
    try {
      await expectCode(read(path.join(dir, "t.npy"), quiet), "OUT_OF_MEMORY");
    } finally {
      setMemoryBudget(undefined);
    }
  });

  it("never throws anything but a TomolyteError on damaged files (truncations and byte flips)", async () => {
    const v = createVolume(makeValues("int16", 2 * 3 * 4), [2, 3, 4], [1, 1, 1]);
    let seed = 99;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const name of ["f.tif", "fz.tif", "f.npy", "f.mha", "fz.mha"]) {
      await write(v, path.join(dir, name), { compression: name.includes("z") ? "deflate" : "none" });
      const good = fs.readFileSync(path.join(dir, name));
      const damaged = path.join(dir, `d_${name}`);
      for (let k = 0; k < 60; k++) {
        const b = Buffer.from(good);
        if (k < 20) fs.writeFileSync(damaged, b.subarray(0, Math.floor(rand() * b.length)));
        else {
          for (let j = 0; j < 1 + (k % 4); j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
          fs.writeFileSync(damaged, b);
        }
        try {
          await read(damaged, quiet);
        } catch (e) {
          expect(isTomolyteError(e), `${name} variant ${k}: ${String(e)}`).toBe(true);
        }
      }
    }
  });
});

describe("writing safely", () => {
  it("refuses to overwrite an existing file unless asked", async () => {
    const f = path.join(dir, "exists.tif");
    await write(vol(), f);
    await expectCode(write(vol(), f), "WOULD_OVERWRITE");
    await write(vol(), f, { overwrite: true });
    // A folder of slices is replaced only with overwrite, and only if it holds nothing but TIFFs.
    const stack = path.join(dir, "stack") + "/";
    await write(vol(), stack);
    await expectCode(write(vol(), stack), "WOULD_OVERWRITE");
    const two = createVolume(makeValues("uint8", 2 * 5 * 6), [2, 5, 6]);
    await write(two, stack, { overwrite: true });
    expect(listing(stack)).toEqual(["z0000.tif", "z0001.tif"]);
    expect((await read(stack, quiet)).shape).toEqual([2, 5, 6]);
    fs.writeFileSync(path.join(stack, "notes.txt"), "mine");
    await expectCode(write(two, stack, { overwrite: true }), "WOULD_OVERWRITE");
    expect(listing(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
    await write(vol(), path.join(dir, "exists.mhd"));
    // The .raw of a new .mhd must not clobber either.
    fs.rmSync(path.join(dir, "exists.mhd"));
    await expectCode(write(vol(), path.join(dir, "exists.mhd")), "WOULD_OVERWRITE");
  });

  it("always refuses to overwrite the file a volume was read from (also through a symlink or a shared-data copy)", async () => {
    for (const name of ["src.tif", "src.npy", "src.mhd", "src.mha"]) {
      const f = path.join(dir, name);
      await write(vol(), f, { overwrite: true });
      const before = fs.readFileSync(f);
      const v = await read(f, quiet);
      await expectCode(write(v, f, { overwrite: true }), "WOULD_OVERWRITE");
      await expectCode(write(withSpacing(v, [1, 1, 1]), f, { overwrite: true }), "WOULD_OVERWRITE");
      expect(fs.readFileSync(f).equals(before)).toBe(true);
    }
    fs.symlinkSync(path.join(dir, "src.tif"), path.join(dir, "link.tif"));
    const v = await read(path.join(dir, "src.tif"), quiet);
    await expectCode(write(v, path.join(dir, "link.tif"), { overwrite: true }), "WOULD_OVERWRITE");
    // Writing the .raw that a read .mhd used is refused too.
    const m = await read(path.join(dir, "src.mhd"), quiet);
    await expectCode(write(m, path.join(dir, "src.mhd"), { overwrite: true, format: "mhd" }), "WOULD_OVERWRITE");
  });

  it("leaves no partial or temp file when writing fails or is cancelled, and keeps the old file", async () => {
    const sub = path.join(dir, "w");
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, "afile"), "x");
    // The parent "folder" is a file: the write must fail (running as root, permissions would not stop it).
    for (const name of ["afile/out.tif", "afile/out.npy", "afile/out.mhd", "afile/stack/"]) {
      await expectCode(write(vol(), path.join(sub, name)), "WRITE_FAILED");
    }
    expect(listing(sub)).toEqual(["afile"]);
    // Cancelled half-way through: the existing file is untouched, no temp remains.
    const big = createVolume(makeValues("float32", 8 * 16 * 16), [8, 16, 16]);
    await write(big, path.join(sub, "keep.tif"));
    const before = fs.readFileSync(path.join(sub, "keep.tif"));
    for (const target of ["keep.tif", "new.tif", "stack/", "new.npy"]) {
      const ac = new AbortController();
      await expectCode(
        write(vol(), path.join(sub, target), { overwrite: true, signal: ac.signal, onProgress: () => ac.abort() }),
        "CANCELLED",
      );
    }
    expect(listing(sub)).toEqual(["afile", "keep.tif"]);
    expect(fs.readFileSync(path.join(sub, "keep.tif")).equals(before)).toBe(true);
  });

  it("refuses bad volumes, unknown extensions and options", async () => {
    const fake = { data: new Uint8Array(10), shape: [2, 2, 2], spacing: [1, 1, 1] } as never;
    await expectCode(write(fake, path.join(dir, "fake.tif")), "SHAPE_MISMATCH");
    await expectCode(write(vol(), path.join(dir, "x.png")), "UNSUPPORTED_FORMAT");
    await expectCode(write(vol(), path.join(dir, "x.raw")), "UNSUPPORTED_FORMAT");
    await expectCode(write(vol(), path.join(dir, "x.npy"), { compression: "deflate" }), "INVALID_ARGUMENT");
    await expectCode(write(vol(), path.join(dir, "x.tif"), { compression: "lzma" as never }), "INVALID_ARGUMENT");
  });
});
