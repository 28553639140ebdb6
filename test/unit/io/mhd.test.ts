/**
 * MetaImage (.mhd + .raw, .mha): round trips of every dtype, and hand-written headers
 * covering the fields other tools use (byte order, HeaderSize incl. -1, zlib
 * compression, relative data paths, LIST of slice files, 2D images). Compressed
 * fixtures use Node's zlib, an implementation independent of the reader's fflate.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DType, createVolume, read, readWithMetadata, volumeDType, write } from "../../../kernel-lib/src";
import { expectCode, makeValues, quiet, tempDir } from "./helpers";

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** int16 values 0..n-1 minus 100, as big- or little-endian bytes. */
function int16Bytes(n: number, bigEndian: boolean): Buffer {
  const b = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) {
    if (bigEndian) b.writeInt16BE(i - 100, 2 * i);
    else b.writeInt16LE(i - 100, 2 * i);
  }
  return b;
}
const expected = (n: number) => Array.from({ length: n }, (_, i) => i - 100);

function header(fields: Record<string, string | number>): string {
  return Object.entries(fields).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n";
}

const BASE = { ObjectType: "Image", NDims: 3, DimSize: "5 4 3", ElementSpacing: "0.4 0.5 0.6", ElementType: "MET_SHORT" };

describe("MetaImage written by tomolyte", () => {
  const dtypes: DType[] = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"];
  it("round-trips every dtype as .mhd+.raw, .mhd+.zraw and .mha, spacing included", async () => {
    for (const dtype of dtypes) {
      const v = createVolume(makeValues(dtype, 3 * 4 * 5), [3, 4, 5], [0.6, 0.5, 0.4]);
      for (const [name, compression] of [[`${dtype}.mhd`, "none"], [`${dtype}_z.mhd`, "deflate"], [`${dtype}.mha`, "none"], [`${dtype}_z.mha`, "deflate"]] as const) {
        const res = await write(v, path.join(dir, name), { compression });
        const r = await readWithMetadata(path.join(dir, name), quiet);
        expect(volumeDType(r.volume), name).toBe(dtype);
        expect(r.spacing, name).toEqual([0.6, 0.5, 0.4]);
        expect(r.spacingSource).toBe("file");
        expect(Array.from(r.volume.data), name).toEqual(Array.from(v.data));
        expect(res.files.length).toBe(name.endsWith(".mhd") ? 2 : 1);
      }
    }
    // x first in DimSize and ElementSpacing; the data file named relative to the header.
    const text = fs.readFileSync(path.join(dir, "uint16.mhd"), "utf8");
    expect(text).toMatch(/^DimSize = 5 4 3$/m);
    expect(text).toMatch(/^ElementSpacing = 0.4 0.5 0.6$/m);
    expect(text).toMatch(/^ElementType = MET_USHORT$/m);
    expect(text).toMatch(/^ElementDataFile = uint16.raw$/m);
    expect(fs.readFileSync(path.join(dir, "uint16_z.mhd"), "utf8")).toMatch(/^ElementDataFile = uint16_z.zraw$/m);
    // Reading the .raw goes through its header.
    expect((await read(path.join(dir, "uint16.raw"), quiet)).shape).toEqual([3, 4, 5]);
  });
});

describe("MetaImage compression across pieces", () => {
  it("a volume larger than one 16 MiB compression piece: Node's zlib inflates the .zraw to the same bytes", async () => {
    const n = 1100 * 16000;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (i >> 14) & 255; // long runs: compresses fast
    const v = createVolume(data, [1, 1100, 16000], [1, 1, 1]);
    await write(v, path.join(dir, "bigz.mhd"), { compression: "deflate" });
    const inflated = zlib.inflateSync(fs.readFileSync(path.join(dir, "bigz.zraw")));
    expect(inflated.length).toBe(n);
    expect(Buffer.compare(inflated, Buffer.from(data.buffer))).toBe(0);
    const size = Number(/CompressedDataSize = (\d+)/.exec(fs.readFileSync(path.join(dir, "bigz.mhd"), "utf8"))![1]);
    expect(size).toBe(fs.statSync(path.join(dir, "bigz.zraw")).size);
    const back = await read(path.join(dir, "bigz.mhd"), quiet);
    expect(Buffer.compare(Buffer.from(back.data.buffer), Buffer.from(data.buffer))).toBe(0);
  });
});

describe("MetaImage written by hand", () => {
  const n = 60;
  it("reads big-endian data (BinaryDataByteOrderMSB and ElementByteOrderMSB)", async () => {
    for (const key of ["BinaryDataByteOrderMSB", "ElementByteOrderMSB"]) {
      fs.writeFileSync(path.join(dir, `be_${key}.raw`), int16Bytes(n, true));
      fs.writeFileSync(path.join(dir, `be_${key}.mhd`), header({ ...BASE, [key]: "True", ElementDataFile: `be_${key}.raw` }));
      const r = await readWithMetadata(path.join(dir, `be_${key}.mhd`), quiet);
      expect(r.shape).toEqual([3, 4, 5]);
      expect(r.spacing).toEqual([0.6, 0.5, 0.4]);
      expect(Array.from(r.volume.data)).toEqual(expected(n));
    }
  });

  it("skips HeaderSize bytes, and with HeaderSize = -1 takes the data from the end", async () => {
    fs.writeFileSync(path.join(dir, "hs.raw"), Buffer.concat([Buffer.alloc(16, 7), int16Bytes(n, false)]));
    fs.writeFileSync(path.join(dir, "hs16.mhd"), header({ ...BASE, HeaderSize: 16, ElementDataFile: "hs.raw" }));
    fs.writeFileSync(path.join(dir, "hsm1.mhd"), header({ ...BASE, HeaderSize: -1, ElementDataFile: "hs.raw" }));
    expect(Array.from((await read(path.join(dir, "hs16.mhd"), quiet)).data)).toEqual(expected(n));
    expect(Array.from((await read(path.join(dir, "hsm1.mhd"), quiet)).data)).toEqual(expected(n));
  });

  it("inflates CompressedData (zlib) and finds data files by relative path", async () => {
    fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
    const z = zlib.deflateSync(int16Bytes(n, false));
    fs.writeFileSync(path.join(dir, "sub", "c.zraw"), z);
    fs.writeFileSync(path.join(dir, "c.mhd"), header({ ...BASE, CompressedData: "True", CompressedDataSize: z.length, ElementDataFile: "sub/c.zraw" }));
    expect(Array.from((await read(path.join(dir, "c.mhd"), quiet)).data)).toEqual(expected(n));
  });

  it("reads ElementDataFile = LIST (one file per slice), a 2D image, and LOCAL data in .mha", async () => {
    const all = int16Bytes(n, false);
    for (let z = 0; z < 3; z++) fs.writeFileSync(path.join(dir, `slice${z}.raw`), all.subarray(z * 40, (z + 1) * 40));
    fs.writeFileSync(path.join(dir, "list.mhd"), header({ ...BASE, ElementDataFile: "LIST" }) + "slice0.raw\nslice1.raw\nslice2.raw\n");
    expect(Array.from((await read(path.join(dir, "list.mhd"), quiet)).data)).toEqual(expected(n));

    fs.writeFileSync(path.join(dir, "two.raw"), int16Bytes(20, false));
    fs.writeFileSync(path.join(dir, "two.mhd"), header({ ObjectType: "Image", NDims: 2, DimSize: "5 4", ElementSpacing: "0.25 0.5", ElementType: "MET_SHORT", ElementDataFile: "two.raw" }));
    const two = await readWithMetadata(path.join(dir, "two.mhd"), quiet);
    expect(two.shape).toEqual([1, 4, 5]);
    expect(two.spacing).toEqual([0.25, 0.5, 0.25]);

    fs.writeFileSync(path.join(dir, "local.mha"), Buffer.concat([Buffer.from(header({ ...BASE, ElementDataFile: "LOCAL" })), int16Bytes(n, false)]));
    const loc = await readWithMetadata(path.join(dir, "local.mha"), quiet);
    expect(loc.format).toBe("mha");
    expect(Array.from(loc.volume.data)).toEqual(expected(n));
  });

  it("reads MET_LONG_LONG as float64; refuses channels and unknown element types", async () => {
    const b = Buffer.alloc(8 * 4);
    [-(2 ** 40), 0, 1, 2 ** 53].forEach((v, i) => b.writeBigInt64LE(BigInt(v), 8 * i));
    fs.writeFileSync(path.join(dir, "ll.raw"), b);
    fs.writeFileSync(path.join(dir, "ll.mhd"), header({ ...BASE, DimSize: "2 2 1", ElementType: "MET_LONG_LONG", ElementDataFile: "ll.raw" }));
    const ll = await read(path.join(dir, "ll.mhd"), quiet);
    expect(volumeDType(ll)).toBe("float64");
    expect(Array.from(ll.data)).toEqual([-(2 ** 40), 0, 1, 2 ** 53]);

    fs.writeFileSync(path.join(dir, "rgb.mhd"), header({ ...BASE, ElementNumberOfChannels: 3, ElementType: "MET_UCHAR", ElementDataFile: "ll.raw" }));
    await expectCode(read(path.join(dir, "rgb.mhd"), quiet), "UNSUPPORTED_FORMAT");
    fs.writeFileSync(path.join(dir, "str.mhd"), header({ ...BASE, ElementType: "MET_STRING", ElementDataFile: "ll.raw" }));
    await expectCode(read(path.join(dir, "str.mhd"), quiet), "UNSUPPORTED_DTYPE");
  });

  it("accepts keys in any order (ElementType first)", async () => {
    fs.writeFileSync(path.join(dir, "order.raw"), int16Bytes(n, false));
    const { ElementType, ...rest } = BASE;
    fs.writeFileSync(path.join(dir, "order.mhd"), header({ ElementType, ...rest, ElementDataFile: "order.raw" }));
    expect(Array.from((await read(path.join(dir, "order.mhd"), quiet)).data)).toEqual(expected(n));
  });

  it("without ElementSpacing uses 1 µm with a warning", async () => {
    fs.writeFileSync(path.join(dir, "nosp.raw"), int16Bytes(n, false));
    const { ElementSpacing: _drop, ...noSpacing } = BASE;
    void _drop;
    fs.writeFileSync(path.join(dir, "nosp.mhd"), header({ ...noSpacing, ElementDataFile: "nosp.raw" }));
    const w: string[] = [];
    const r = await readWithMetadata(path.join(dir, "nosp.mhd"), { onWarning: (m) => w.push(m) });
    expect(r.spacing).toEqual([1, 1, 1]);
    expect(r.spacingSource).toBe("default");
    expect(w.join()).toMatch(/no voxel size/);
  });
});
