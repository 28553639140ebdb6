/** The volume MIME bundle: encoding round trips, downsampling past the cap, labels, tables, figures, errors. */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  PLOTLY_MIME,
  VOLUME_MIME,
  TomolyteError,
  base64Decode,
  base64Encode,
  createVolume,
  decodeVoxels,
  downsample,
  downsampleLabels,
  emitBundle,
  encodeVoxels,
  histogram,
  histogramTable,
  insideTslab,
  labelVolume,
  mimeBundle,
  setDeflateRaw,
  show,
  toTable,
  volumeBundle,
  volumeSummary,
  type VoxelArray,
  type VolumeMimeBundleV1,
} from "../../../kernel-lib/src";
import { rng } from "./helpers";

const r = rng(5);
const shape = [10, 12, 14] as const;
const n = shape[0] * shape[1] * shape[2];

function arrays(): VoxelArray[] {
  return [
    new Uint8Array(n).map(() => Math.floor(r() * 256)),
    new Int8Array(n).map(() => Math.floor(r() * 256) - 128),
    new Uint16Array(n).map(() => Math.floor(r() * 65536)),
    new Int16Array(n).map(() => Math.floor(r() * 65536) - 32768),
    new Uint32Array(n).map(() => Math.floor(r() * 2 ** 32)),
    new Int32Array(n).map(() => Math.floor(r() * 2 ** 32) - 2 ** 31),
    new Float32Array(n).map(() => (r() - 0.5) * 1e6),
  ];
}

describe("encoding", () => {
  it("base64: Buffer and the plain loop agree, for every length mod 3", () => {
    for (let len = 0; len < 8; len++) {
      const b = new Uint8Array(len).map(() => Math.floor(r() * 256));
      const s = base64Encode(b, { useBuffer: false });
      expect(s).toBe(Buffer.from(b).toString("base64"));
      expect([...base64Decode(s)]).toEqual([...b]);
    }
    const big = new Uint8Array(200_001).map(() => Math.floor(r() * 256));
    expect(base64Encode(big, { useBuffer: false })).toBe(base64Encode(big));
  });

  it("encode/decode round trip for every dtype; raw deflate readable by zlib's inflateRaw", () => {
    for (const a of arrays()) {
      const s = encodeVoxels(a);
      const dtype = a.constructor.name.replace("Array", "").toLowerCase();
      const back = decodeVoxels(s, dtype as "uint8", a.length);
      expect(back.constructor).toBe(a.constructor);
      expect(Buffer.from(back.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      // Little-endian bytes on the wire, independently of fflate.
      expect(inflateRawSync(Buffer.from(s, "base64")).equals(Buffer.from(a.buffer))).toBe(true);
    }
  });

  it("fflate's deflate (the browser path) and node:zlib's produce the same voxels", () => {
    const a = arrays()[2];
    setDeflateRaw(undefined); // fflate
    try {
      const s = encodeVoxels(a);
      expect(Buffer.from(decodeVoxels(s, "uint16").buffer).equals(Buffer.from(a.buffer))).toBe(true);
    } finally {
      setDeflateRaw((b, level) => new Uint8Array(deflateRawSync(b, { level })));
    }
    expect(() => decodeVoxels("AAAA", "uint8")).toThrow(expect.objectContaining({ code: "CORRUPT_FILE" }));
    expect(() => decodeVoxels(encodeVoxels(new Uint8Array(5)), "uint16")).toThrow(expect.objectContaining({ code: "CORRUPT_FILE" }));
  });
});

describe("volumeBundle", () => {
  const grey = createVolume(new Uint16Array(n).map((_, i) => (i * 37) % 4000), shape, [0.5, 0.4, 0.4]);

  it("full resolution under the cap: same shape, spacing, dtype, voxels", () => {
    const b = volumeBundle(grey, { title: "t" });
    expect(b.version).toBe(1);
    expect(b.shape).toEqual([...shape]);
    expect(b.spacing).toEqual([0.5, 0.4, 0.4]);
    expect(b.unit).toBe("um");
    expect(b.dtype).toBe("uint16");
    expect(b.encoding).toBe("deflate-base64");
    expect(b.downsample).toBeUndefined();
    expect(b.title).toBe("t");
    expect([...decodeVoxels(b.data, b.dtype, n)]).toEqual([...grey.data]);
    // JSON round trip: the bundle is plain data.
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it("past the cap: the smallest isotropic factor, recorded, data = block mean (dtype kept, rounded)", () => {
    const b = volumeBundle(grey, { maxVoxels: 300 }); // 1680 voxels: f=2 -> 5·6·7 = 210
    expect(b.downsample).toEqual({ factor: [2, 2, 2], originalShape: [...shape] });
    expect(b.shape).toEqual([5, 6, 7]);
    expect(b.spacing).toEqual([1, 0.8, 0.8]);
    expect(b.dtype).toBe("uint16");
    const expected = downsample(grey, { factor: 2, dtype: "same" });
    expect([...decodeVoxels(b.data, "uint16", 210)]).toEqual([...expected.data]);
    const b3 = volumeBundle(grey, { maxVoxels: 100 }); // f=3 -> 4·4·5 = 80
    expect(b3.downsample?.factor).toEqual([3, 3, 3]);
    expect(b3.shape).toEqual([4, 4, 5]);
  });

  it("float64 is sent as float32; the window defaults to the 0.5–99.5 percentiles, or the option", () => {
    const f = createVolume(Float64Array.from({ length: n }, (_, i) => i / 10), shape);
    const b = volumeBundle(f);
    expect(b.dtype).toBe("float32");
    const lo = (0.005 * (n - 1)) / 10;
    const hi = (0.995 * (n - 1)) / 10;
    // The window is taken on the float32 data sent: values near 167 are off by up to 167·2^-24 ≈ 1e-5.
    expect(b.window[0]).toBeCloseTo(lo, 4);
    expect(b.window[1]).toBeCloseTo(hi, 4);
    expect(volumeBundle(f, { window: [1, 2] }).window).toEqual([1, 2]);
    expect(() => volumeBundle(f, { window: [2, 1] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  const lab = labelVolume(
    createVolume(new Uint8Array(n).map((_, i) => [0, 1, 1, 4][i % 4]), shape, [0.5, 0.4, 0.4]),
    [
      { value: 0, name: "pore", color: "#000000" },
      { value: 1, name: "NMC", color: "#E69F00" },
      { value: 4, name: "CBD", color: "#56B4E9" },
    ],
  );

  it("a label volume alone: labels as data and as labels (the same string), window over the phase values", () => {
    const b = volumeBundle(lab);
    expect(b.labels?.data).toBe(b.data);
    expect(b.labels?.dtype).toBe("uint8");
    expect(b.labels?.phases).toEqual(lab.phases);
    expect(b.window).toEqual([0, 4]);
    expect([...decodeVoxels(b.data, "uint8", n)]).toEqual([...lab.data]);
    const small = volumeBundle(lab, { maxVoxels: 300 });
    expect([...decodeVoxels(small.labels!.data, "uint8", 210)]).toEqual([...downsampleLabels(lab, 2).data]);
  });

  it("grey with a label overlay: both downsampled by the same factor; shape mismatch refused", () => {
    const b = volumeBundle(grey, { labels: lab, maxVoxels: 300 });
    expect(b.dtype).toBe("uint16");
    expect(b.labels?.phases.map((p) => p.name)).toEqual(["pore", "NMC", "CBD"]);
    expect([...decodeVoxels(b.labels!.data, "uint8", 210)]).toEqual([...downsampleLabels(lab, 2).data]);
    const other = labelVolume(createVolume(new Uint8Array(8), [2, 2, 2]));
    expect(() => volumeBundle(grey, { labels: other })).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => volumeBundle(lab, { labels: lab })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("the text summary: shape, dtype, spacing, statistics, phase fractions", () => {
    const s = volumeSummary(lab);
    expect(s).toContain("LabelVolume 10 × 12 × 14 (z, y, x) uint8, spacing 0.5 × 0.4 × 0.4 µm");
    expect(s).toMatch(/0\s+pore\s+0\.250000/);
    expect(s).toMatch(/1\s+NMC\s+0\.500000/);
    expect(s).toMatch(/4\s+CBD\s+0\.250000/);
    const unnamed = labelVolume(lab, [{ value: 0, name: "pore", color: "#000" }]);
    expect(volumeSummary(unnamed)).toMatch(/4\s+\(no phase\)\s+0\.250000/);
    // Particle labels: thousands of values, the summary lists 24 lines and counts the rest.
    const many = labelVolume(createVolume(Uint16Array.from({ length: n }, (_, i) => i % 1000), shape));
    const sm = volumeSummary(many);
    expect(sm).toContain("… 976 more values");
    expect(sm.split("\n").length).toBeLessThan(40);
    // Values missing from the phase table still fall inside the default window.
    expect(volumeBundle(unnamed).window).toEqual([0, 4]);
    const g = mimeBundle(grey, { maxVoxels: 300 })["text/plain"] as string;
    expect(g).toContain(`min 0  max ${Math.max(...grey.data)}`);
    expect(g).toContain("shown 5 × 6 × 7 (downsampled by 2 × 2 × 2)");
  });
});

describe("mimeBundle and show", () => {
  it("one bundle with the volume, PNG and text for volumes", () => {
    const v = createVolume(new Uint8Array(27).fill(3), [3, 3, 3]);
    const b = mimeBundle(v);
    expect(Object.keys(b).sort()).toEqual([VOLUME_MIME, "image/png", "text/plain"].sort());
    expect((b[VOLUME_MIME] as VolumeMimeBundleV1).window).toEqual([2.5, 3.5]);
  });

  it("tables: HTML and text", () => {
    const t = histogramTable(histogram(createVolume(new Uint8Array([0, 0, 1, 3]), [1, 1, 4]), { bins: 3 }));
    const b = mimeBundle(t, { maxRows: 2, title: "h" });
    expect(b["text/html"]).toMatch(/<table/);
    expect(b["text/plain"]).toContain("… 1 more rows (3 × 4)");
    expect(Object.keys(mimeBundle(toTable([{ a: 1 }])))).toEqual(["text/html", "text/plain"]);
  });

  it("plotly figures: the plotly JSON and a text line", () => {
    const b = mimeBundle({ data: [{ type: "bar", x: [1], y: [2] }], layout: { title: { text: "PSD" } } });
    expect(b[PLOTLY_MIME]).toEqual({ data: [{ type: "bar", x: [1], y: [2] }], layout: { title: { text: "PSD" } } });
    expect(b["text/plain"]).toBe("PSD: plotly figure, 1 trace (bar)");
    const typed = mimeBundle({ data: [{ x: new Float64Array([1, NaN]), y: new Uint8Array([3, 4]) }] });
    expect(typed[PLOTLY_MIME]).toEqual({ data: [{ x: [1, null], y: [3, 4] }], layout: {} });
    expect(typed["text/plain"]).toBe("plotly figure, 1 trace (scatter)");
  });

  it("bad input is a TomolyteError, never another error", () => {
    for (const bad of [42, null, undefined, "x", [1, 2], { data: new Uint8Array(3), shape: [1, 1, 4], spacing: [1, 1, 1] }]) {
      let err: unknown;
      try {
        show(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TomolyteError);
    }
    expect(() => mimeBundle(createVolume(new Uint8Array(8), [2, 2, 2]), { maxVoxels: 0 })).toThrow(TomolyteError);
  });

  it("outside tslab, show() prints the text summary on stdout", () => {
    expect(insideTslab()).toBe(false);
    expect(emitBundle({ "text/plain": "summary" })).toBe("stdout");
    expect(show(createVolume(new Uint8Array(8), [2, 2, 2]))).toBeUndefined();
  });
});
