/** The PNG encoder, checked by Python: chunk CRCs with zlib.crc32, pixels inflated by hand and decoded by Pillow. */
import { describe, expect, it } from "vitest";
import { createVolume, crc32, encodePNG, labelVolume, mimeBundle } from "../../../kernel-lib/src";
import { runPython } from "../../helpers/python";
import { rng, tempRaw } from "./helpers";

/** Python: parse chunks, verify CRCs, inflate IDAT, undo filter 0, and decode with Pillow as a second reader. */
const PARSE = `import sys, json, struct, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "signature"
i, chunks, idat = 8, [], b""
while i < len(b):
    (n,) = struct.unpack(">I", b[i:i+4]); t = b[i+4:i+8]; body = b[i+8:i+8+n]
    (crc,) = struct.unpack(">I", b[i+8+n:i+12+n])
    chunks.append([t.decode(), n, crc == (zlib.crc32(t + body) & 0xffffffff)])
    if t == b"IHDR": w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", body)
    if t == b"IDAT": idat += body
    i += 12 + n
ch = {0: 1, 2: 3}[ctype]
raw = zlib.decompress(idat)
rows = [raw[r*(w*ch+1):(r+1)*(w*ch+1)] for r in range(h)]
assert all(r[0] == 0 for r in rows), "filter type 0"
pixels = [x for r in rows for x in r[1:]]
from PIL import Image
im = Image.open(sys.argv[1]); im.load()
pil = list(im.tobytes())
print(json.dumps({"chunks": chunks, "w": w, "h": h, "depth": depth, "ctype": ctype, "pixels": pixels, "pil": pil, "mode": im.mode}))`;

type Parsed = { chunks: [string, number, boolean][]; w: number; h: number; depth: number; ctype: number; pixels: number[]; pil: number[]; mode: string };

describe("PNG encoder", () => {
  it("crc32 has the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("grey and RGB images decode to the same pixels in Python (zlib by hand, and Pillow)", () => {
    const r = rng(3);
    for (const [channels, w, h] of [[1, 37, 11], [3, 5, 7]] as const) {
      const data = new Uint8Array(w * h * channels).map(() => Math.floor(r() * 256));
      const png = encodePNG({ width: w, height: h, channels, data });
      const p = runPython<Parsed>(PARSE, [tempRaw(`img${channels}.png`, png)]);
      expect(p.chunks.map((c) => c[0])).toEqual(["IHDR", "IDAT", "IEND"]);
      expect(p.chunks.every((c) => c[2])).toBe(true); // every CRC verified by zlib.crc32
      expect([p.w, p.h, p.depth, p.ctype]).toEqual([w, h, 8, channels === 1 ? 0 : 2]);
      expect(p.pixels).toEqual([...data]);
      expect(p.pil).toEqual([...data]);
      expect(p.mode).toBe(channels === 1 ? "L" : "RGB");
    }
  });

  it("rejects wrong sizes with TomolyteErrors", () => {
    expect(() => encodePNG({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => encodePNG({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encodePNG({ width: 1, height: 1, channels: 4 as 1, data: new Uint8Array(4) })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("the display fallback shows the three middle slices, windowed, labels in their colours", () => {
    // Grey volume whose value encodes (z, y, x), so each panel's pixels can be predicted.
    const [nz, ny, nx] = [6, 4, 5];
    const g = new Uint8Array(nz * ny * nx);
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) g[(z * ny + y) * nx + x] = 100 * (z % 2) + 10 * y + x;
    const b = mimeBundle(createVolume(g, [nz, ny, nx]), { window: [0, 255] });
    const png = Buffer.from(b["image/png"] as string, "base64");
    const p = runPython<Parsed>(PARSE, [tempRaw("slices.png", png)]);
    const width = nx + nx + ny + 8;
    expect([p.w, p.h, p.ctype]).toEqual([width, Math.max(ny, nz), 0]);
    const at = (row: number, col: number) => p.pixels[row * width + col];
    const [zm, ym, xm] = [nz >> 1, ny >> 1, nx >> 1];
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) expect(at(y, x)).toBe(g[(zm * ny + y) * nx + x]);
    for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) expect(at(z, nx + 4 + x)).toBe(g[(z * ny + ym) * nx + x]);
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) expect(at(z, 2 * nx + 8 + y)).toBe(g[(z * ny + y) * nx + xm]);
    expect(at(ny, 0)).toBe(255); // below the shorter z-panel: white background

    // Windowing: [50, 150] maps 50 -> 0, 150 -> 255 (rounded), clipped outside.
    const bw = mimeBundle(createVolume(new Uint8Array([0, 50, 100, 150, 200, 77]), [1, 1, 6]), { window: [50, 150] });
    const pw = runPython<Parsed>(PARSE, [tempRaw("win.png", Buffer.from(bw["image/png"] as string, "base64"))]);
    expect(pw.pixels.slice(0, 6)).toEqual([0, 0, 128, 255, 255, Math.round((27 * 255) / 100)]);

    // Labels alone: RGB phase colours.
    const lv = labelVolume(createVolume(new Uint8Array([0, 1, 2, 1]), [1, 1, 4]), [
      { value: 0, name: "pore", color: "#000000" },
      { value: 1, name: "NMC", color: "#E69F00" },
      { value: 2, name: "CBD", color: "#56b4e9" },
    ]);
    const pl = runPython<Parsed>(PARSE, [tempRaw("lab.png", Buffer.from(mimeBundle(lv)["image/png"] as string, "base64"))]);
    expect(pl.ctype).toBe(2);
    expect(pl.pixels.slice(0, 12)).toEqual([0, 0, 0, 0xe6, 0x9f, 0, 0x56, 0xb4, 0xe9, 0xe6, 0x9f, 0]);
  });
});
