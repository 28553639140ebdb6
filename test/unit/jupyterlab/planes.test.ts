/**
 * Pure logic of the three-plane viewer: plane extraction (against direct indexing),
 * windowing of XZ / YZ planes, colour maps, percentile windows (NumPy "lower" percentiles
 * as peer), zoom about a point, scale bars, label outlines (scikit-image find_boundaries
 * as peer), the colour-mapped blend, and the plotly figure check.
 */
import { describe, expect, it } from "vitest";
import { runPython } from "../../helpers/python";
import { buildGreyLut, composeRgba, windowToGrey } from "../../../jupyterlab-ext/src/render";
import {
  colormapTable,
  extractPlane,
  greyPlane,
  histogramBins,
  outlineMask,
  percentileWindow,
  PLANES,
  planeAxes,
  sanitizeViewState,
  planeSize,
  scaleBar,
  sliceAxis,
  voxelIndex,
  zoomAt,
} from "../../../jupyterlab-ext/src/planes";
import { parsePlotlyFigure } from "../../../jupyterlab-ext/src/figure";
import { rng } from "../../helpers/random";


const SHAPE: [number, number, number] = [5, 6, 7];

describe("plane geometry and extraction", () => {
  it("names the slice axis and the in-plane axes of each plane", () => {
    expect(PLANES.map(sliceAxis)).toEqual([0, 1, 2]);
    expect(planeSize(SHAPE, "xy")).toEqual([7, 6]);
    expect(planeSize(SHAPE, "xz")).toEqual([7, 5]);
    expect(planeSize(SHAPE, "yz")).toEqual([6, 5]);
    // Each plane's three axes are z, y, x once each.
    for (const p of PLANES) expect([sliceAxis(p), ...planeAxes(p)].sort()).toEqual([0, 1, 2]);
  });

  it("extracts every plane of every slice equal to direct [z][y][x] indexing", () => {
    const [nz, ny, nx] = SHAPE;
    const data = Uint16Array.from({ length: nz * ny * nx }, (_, i) => i);
    const at = (z: number, y: number, x: number) => data[(z * ny + y) * nx + x];
    for (const p of PLANES) {
      const a = sliceAxis(p);
      const [w, h] = planeSize(SHAPE, p);
      for (let s = 0; s < SHAPE[a]; s++) {
        const out = extractPlane(data, SHAPE, p, s, new Uint16Array(w * h));
        for (let v = 0; v < h; v++) {
          for (let u = 0; u < w; u++) {
            const zyx = [0, 0, 0];
            zyx[a] = s;
            zyx[planeAxes(p)[0]] = u;
            zyx[planeAxes(p)[1]] = v;
            const expected = at(zyx[0], zyx[1], zyx[2]);
            expect(out[v * w + u]).toBe(expected);
            expect(voxelIndex(SHAPE, p, s, u, v)).toBe(expected); // data[i] = i
          }
        }
      }
    }
  });

  it("windows XZ and YZ planes exactly like windowToGrey, with and without a lookup table", () => {
    const r = rng(3);
    const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
    const cases = [
      { dtype: "uint8" as const, data: Uint8Array.from({ length: n }, () => Math.floor(r() * 256)) },
      { dtype: "int16" as const, data: Int16Array.from({ length: n }, () => Math.floor(r() * 2000) - 1000) },
      { dtype: "float32" as const, data: Float32Array.from({ length: n }, () => r() * 3 - 1) },
    ];
    for (const { dtype, data } of cases) {
      const [lo, hi] = dtype === "float32" ? [-0.25, 1.5] : dtype === "int16" ? [-300, 700] : [20, 200];
      for (const p of PLANES) {
        const [w, h] = planeSize(SHAPE, p);
        const s = SHAPE[sliceAxis(p)] - 2;
        const values = extractPlane(data, SHAPE, p, s, new Float64Array(w * h));
        const got = greyPlane(data, SHAPE, p, s, lo, hi, new Uint8Array(w * h), buildGreyLut(dtype, lo, hi));
        const noLut = greyPlane(data, SHAPE, p, s, lo, hi, new Uint8Array(w * h), null);
        const want = Array.from(values, (v) => windowToGrey(v, lo, hi));
        expect(Array.from(got)).toEqual(want);
        expect(Array.from(noLut)).toEqual(want);
      }
    }
  });
});

describe("colour maps", () => {
  it("grey is the identity, inverted is 255 - g", () => {
    const g = colormapTable("grey");
    const inv = colormapTable("inverted");
    for (let i = 0; i < 256; i++) {
      expect([g[i * 3], g[i * 3 + 1], g[i * 3 + 2]]).toEqual([i, i, i]);
      expect(inv[i * 3]).toBe(255 - i);
    }
  });

  it("viridis and magma start and end on the published colours and brighten monotonically", () => {
    const v = colormapTable("viridis");
    const m = colormapTable("magma");
    expect(Array.from(v.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]);
    expect(Array.from(v.subarray(765))).toEqual([0xfd, 0xe7, 0x25]);
    expect(Array.from(m.subarray(0, 3))).toEqual([0x00, 0x00, 0x04]);
    expect(Array.from(m.subarray(765))).toEqual([0xfc, 0xfd, 0xbf]);
    // Relative luminance (Rec. 709 weights on the sRGB codes, a proxy good enough for an
    // ordering check) never decreases by more than 1 code step: the maps read low -> high.
    for (const t of [v, m]) {
      let prev = -Infinity;
      for (let i = 0; i < 256; i++) {
        const y = 0.2126 * t[i * 3] + 0.7152 * t[i * 3 + 1] + 0.0722 * t[i * 3 + 2];
        expect(y).toBeGreaterThan(prev - 1);
        prev = y;
      }
    }
  });

  it("blends labels over the colour-mapped level, and outline mode colours boundaries only", () => {
    const cm = colormapTable("viridis");
    const grey = Uint8Array.of(0, 128, 255, 64);
    const labels = Uint8Array.of(0, 1, 1, 2);
    const out = new Uint8ClampedArray(16);
    composeRgba(grey, out, { labels, offset: 0, colors: new Map([[1, [255, 0, 0]]]), opacity: 0.5 }, cm);
    expect(Array.from(out.subarray(0, 4))).toEqual([cm[0], cm[1], cm[2], 255]);
    const g = 128;
    expect(Array.from(out.subarray(4, 8))).toEqual([
      Math.round(cm[g * 3] * 0.5 + 127.5),
      Math.round(cm[g * 3 + 1] * 0.5),
      Math.round(cm[g * 3 + 2] * 0.5),
      255,
    ]);
    // Label 2 has no phase: colour map only.
    expect(Array.from(out.subarray(12, 16))).toEqual([cm[64 * 3], cm[64 * 3 + 1], cm[64 * 3 + 2], 255]);
    // Mask 0 at pixel 2: no phase colour there.
    composeRgba(grey, out, { labels, offset: 0, colors: new Map([[1, [255, 0, 0]]]), opacity: 1, mask: Uint8Array.of(1, 1, 0, 1) });
    expect(Array.from(out.subarray(4, 8))).toEqual([255, 0, 0, 255]);
    expect(Array.from(out.subarray(8, 12))).toEqual([255, 255, 255, 255]);
    // Hidden phase: grey.
    composeRgba(grey, out, { labels, offset: 0, colors: new Map([[1, [255, 0, 0]]]), opacity: 1, hidden: new Set([1]) });
    expect(Array.from(out.subarray(4, 8))).toEqual([128, 128, 128, 255]);
  });
});

describe("percentile window and histogram", () => {
  it("matches NumPy's percentile(method='lower') on the same values", () => {
    const r = rng(11);
    const data = Float32Array.from({ length: 5001 }, () => Math.round((r() ** 2) * 1000) / 10);
    data[7] = NaN; // skipped, as NumPy's nanpercentile does
    const ours = percentileWindow(data, 0.5, 99.5);
    const peer = runPython<[number, number]>(
      `import json, sys, numpy as np
v = np.array(json.loads(sys.stdin.read() if False else sys.argv[1]), dtype=np.float64)
print(json.dumps([float(np.nanpercentile(v, 0.5, method="lower")), float(np.nanpercentile(v, 99.5, method="lower"))]))`,
      [JSON.stringify(Array.from(data, (x) => (Number.isNaN(x) ? null : x))).replace(/null/g, "NaN")],
    );
    expect(ours[0]).toBe(peer[0]);
    expect(ours[1]).toBe(peer[1]);
  });

  it("widens a flat result and samples large inputs on a stride", () => {
    expect(percentileWindow(new Uint8Array(100).fill(7))).toEqual([7, 8]);
    expect(percentileWindow(new Float32Array(0))).toEqual([0, 1]);
    // 0..999 with maxSamples 100: every 10th value (0, 10, ..., 990); the 99.5 % rank is
    // floor(0.995 * 99) = 98, value 980.
    const ramp = Uint16Array.from({ length: 1000 }, (_, i) => i);
    expect(percentileWindow(ramp, 0, 99.5, 100)).toEqual([0, 980]);
  });

  it("bins values over [min, max]", () => {
    const h = histogramBins(Uint8Array.of(0, 0, 5, 10, 10, 10), 2);
    expect([h.min, h.max]).toEqual([0, 10]);
    expect(Array.from(h.counts)).toEqual([2, 4]); // 5 falls in the upper half-open bin [5, 10]
  });
});

describe("zoom and scale bar", () => {
  it("keeps the voxel under the pointer fixed while zooming", () => {
    let z = { scale: 1, tx: 0, ty: 0 };
    const cx = 123;
    const cy = 45;
    // Content point under (cx, cy): ((cx - tx) / scale, (cy - ty) / scale).
    const before = [(cx - z.tx) / z.scale, (cy - z.ty) / z.scale];
    for (const f of [1.25, 2, 3.5]) {
      z = zoomAt(z, f, cx, cy);
      expect((cx - z.tx) / z.scale).toBeCloseTo(before[0], 9);
      expect((cy - z.ty) / z.scale).toBeCloseTo(before[1], 9);
    }
    expect(z.scale).toBeCloseTo(8.75, 12);
    expect(zoomAt(z, 1e-3, 0, 0)).toEqual({ scale: 1, tx: 0, ty: 0 });
    expect(zoomAt({ scale: 1, tx: 0, ty: 0 }, 1e6, 0, 0).scale).toBe(64);
  });

  it("picks 1-2-5 lengths that fit and follow the zoom", () => {
    expect(scaleBar(0.5, 120)).toEqual({ um: 200, px: 100, label: "200 µm" });
    expect(scaleBar(1, 120)).toEqual({ um: 100, px: 100, label: "100 µm" });
    expect(scaleBar(2.5, 120).um).toBe(20); // 48 µm fit, 50 do not
    expect(scaleBar(0.05, 120)).toEqual({ um: 2000, px: 100, label: "2 mm" });
    expect(scaleBar(300, 120).label).toBe("0.2 µm");
    // Zoom ×4 on a plane of 0.3 px/µm: bar length in µm shrinks, pixels stay ≤ max.
    const a = scaleBar(0.3, 120);
    const b = scaleBar(1.2, 120);
    expect(b.um).toBeLessThan(a.um);
    expect(b.px).toBeLessThanOrEqual(120);
    expect(scaleBar(0, 120).px).toBe(0);
  });
});

describe("outline mask", () => {
  it("equals scikit-image's find_boundaries(connectivity=1, mode='thick')", () => {
    const r = rng(5);
    const w = 23;
    const h = 17;
    // Blobs: a few labelled discs on background.
    const labels = new Uint8Array(w * h);
    for (let k = 0; k < 5; k++) {
      const cx = r() * w;
      const cy = r() * h;
      const rad = 2 + r() * 4;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < rad * rad) labels[y * w + x] = 1 + (k % 3);
    }
    const ours = outlineMask(labels, w, h);
    const peer = runPython<number[]>(
      `import json, sys, numpy as np
from skimage.segmentation import find_boundaries
from scipy import ndimage as ndi
w, h = ${w}, ${h}
l = np.array(json.loads(sys.argv[1]), dtype=np.uint8).reshape(h, w)
print(json.dumps(find_boundaries(l, connectivity=1, mode="thick").astype(int).ravel().tolist()))`,
      [JSON.stringify(Array.from(labels))],
    );
    // find_boundaries(mode="thick", connectivity=1) marks a pixel when any 4-neighbour has
    // another label: exactly our rule (both sides of each boundary).
    expect(Array.from(ours)).toEqual(peer);
  });
});

describe("saved view state", () => {
  it("keeps valid fields, clamps indices and zoom, drops the rest", () => {
    const zoom = { xy: { scale: 2, tx: -10, ty: -5 }, xz: { scale: 1, tx: 3, ty: 3 }, yz: { scale: 1e9, tx: 0, ty: 0 } };
    const st = sanitizeViewState(
      { z: 99, y: -3, x: 2.4, window: [10, 200], colormap: "magma", layout: "xz", active: "yz", zoom, opacity: 3, outline: true, hidden: [1, 2] },
      [10, 20, 30],
    );
    expect(st).toEqual({
      z: 9, y: 0, x: 2, window: [10, 200], colormap: "magma", layout: "xz", active: "yz",
      zoom: { xy: { scale: 2, tx: -10, ty: -5 }, xz: { scale: 1, tx: 0, ty: 0 }, yz: { scale: 64, tx: 0, ty: 0 } },
      opacity: 1, outline: true, hidden: [1, 2],
    });
    expect(sanitizeViewState({ z: "3", window: [1], colormap: "jet", layout: "<b>", zoom: { xy: {} }, hidden: ["a"] }, [4, 4, 4])).toEqual({});
    expect(sanitizeViewState(null, [4, 4, 4])).toEqual({});
  });
});

describe("plotly figures", () => {
  it("accepts { data, layout } (object or JSON text) and adds offline config", () => {
    const f = parsePlotlyFigure(JSON.stringify({ data: [{ type: "scatter", y: [1, 2] }], layout: { title: { text: "t" } } }));
    expect(f.data.length).toBe(1);
    expect(f.layout).toEqual({ title: { text: "t" } });
    expect(f.config).toMatchObject({ displaylogo: false, showLink: false });
    expect(parsePlotlyFigure({ data: [] }).layout).toEqual({});
  });

  it("rejects payloads that are not figures with a one-line reason", () => {
    expect(() => parsePlotlyFigure(null)).toThrow(/object/);
    expect(() => parsePlotlyFigure({ layout: {} })).toThrow(/data/);
    expect(() => parsePlotlyFigure({ data: [1] })).toThrow(/trace objects/);
    expect(() => parsePlotlyFigure({ data: [], layout: [] })).toThrow(/layout/);
  });
});
