/**
 * The pure parts of the JupyterLab viewer: payload decoding (against the kernel's real
 * encoder), value -> window -> grey, colour parsing and the label blend.
 */
import { describe, expect, it } from "vitest";
import { deflateSync } from "fflate";
import { createVolume, labelVolume, volumeBundle, VOLUME_MIME } from "../../../kernel-lib/src";
import {
  base64ToBytes,
  decodeVolumeBundle,
  decodeVolumeBundleAsync,
  VOLUME_MIME_TYPE,
  VolumePayloadError,
} from "../../../jupyterlab-ext/src/decode";
import {
  buildGreyLut,
  composeRgba,
  greySlice,
  parseColor,
  phaseColors,
  windowToGrey,
} from "../../../jupyterlab-ext/src/render";
import { rng } from "../../helpers/random";


function encode(a: ArrayBufferView): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.from(deflateSync(bytes)).toString("base64");
}

describe("decodeVolumeBundle", () => {
  it("uses the kernel's MIME type", () => {
    expect(VOLUME_MIME_TYPE).toBe(VOLUME_MIME);
  });

  it("round-trips the kernel's own bundle for every dtype, bit for bit", () => {
    const r = rng(7);
    const shape: [number, number, number] = [3, 5, 7];
    const n = 105;
    const arrays = [
      Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
      Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128),
      Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)),
      Int16Array.from({ length: n }, () => Math.floor(r() * 65536) - 32768),
      Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32)),
      Int32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32) - 2 ** 31),
      Float32Array.from({ length: n }, () => (r() - 0.5) * 1e6),
      Float64Array.from({ length: n }, () => (r() - 0.5) * 1e-3),
    ];
    for (const a of arrays) {
      const vol = createVolume(a, shape, [2, 1, 0.5]);
      const bundle = volumeBundle(vol, { title: "t" });
      const d = decodeVolumeBundle(JSON.parse(JSON.stringify(bundle)));
      expect(d.shape).toEqual(shape);
      expect(d.spacing).toEqual([2, 1, 0.5]);
      expect(d.dtype).toBe(bundle.dtype);
      // The kernel sends float64 as float32 (display only): compare with the rounded values.
      const sent = bundle.dtype === "float32" && a instanceof Float64Array ? Float32Array.from(a) : a;
      expect(d.data.constructor).toBe(sent.constructor);
      expect(Array.from(d.data)).toEqual(Array.from(sent));
      expect(d.window).toEqual(bundle.window);
      expect(d.title).toBe("t");
    }
  });

  it("decodes a label bundle with its phase table", () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => [0, 85, 170][i % 3]);
    const labels = labelVolume(createVolume(data, [2, 3, 4], [1, 1, 1]), [
      { value: 0, name: "pore", color: "#000000" },
      { value: 85, name: "NMC", color: "#E69F00" },
      { value: 170, name: "carbon-binder", color: "#56B4E9" },
    ]);
    const d = decodeVolumeBundle(volumeBundle(labels));
    expect(d.labels).toBeDefined();
    expect(Array.from(d.labels!.data)).toEqual(Array.from(data));
    expect(d.labels!.phases.map((p) => p.name)).toEqual(["pore", "NMC", "carbon-binder"]);
  });

  it("accepts the bundle as a JSON string too", () => {
    const a = new Uint8Array([1, 2, 3, 4]);
    const b = { version: 1, shape: [1, 2, 2], spacing: [1, 1, 1], unit: "um", dtype: "uint8", encoding: "deflate-base64", data: encode(a), window: [0, 4] };
    expect(Array.from(decodeVolumeBundle(JSON.stringify(b)).data)).toEqual([1, 2, 3, 4]);
  });

  it("refuses malformed payloads with a readable message", () => {
    const a = new Uint16Array([1, 2, 3, 4]);
    const good = { version: 1, shape: [1, 2, 2], spacing: [1, 1, 1], unit: "um", dtype: "uint16", encoding: "deflate-base64", data: encode(a), window: [0, 4] };
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ version: 2 }, /version/],
      [{ encoding: "raw" }, /encoding/],
      [{ shape: [1, 2] }, /shape/],
      [{ shape: [1, 2, 0] }, /shape/],
      [{ shape: [1, 2, 3] }, /expected 12 bytes/],
      [{ dtype: "complex64" }, /dtype/],
      [{ data: "not base64 !" }, /base64/],
      [{ data: encode(new Uint8Array(3)) }, /expected 8 bytes/],
      [{ data: "AAAA" }, /corrupt|expected/],
      [{ shape: [4096, 4096, 4096] }, /limit/],
      [{ labels: { dtype: "float32", data: "", phases: [] } }, /labels.dtype/],
    ];
    for (const [patch, re] of bad) {
      expect(() => decodeVolumeBundle({ ...good, ...patch })).toThrowError(VolumePayloadError);
      expect(() => decodeVolumeBundle({ ...good, ...patch })).toThrowError(re);
    }
    expect(() => decodeVolumeBundle("{")).toThrowError(/not JSON/);
    expect(() => decodeVolumeBundle(null)).toThrowError(/not an object/);
  });

  it("decodes the same through the native DecompressionStream path, and reports the same errors", async () => {
    expect(typeof (globalThis as { DecompressionStream?: unknown }).DecompressionStream).toBe("function");
    const r = rng(5);
    const data = Uint16Array.from({ length: 6 * 7 * 8 }, () => Math.floor(r() * 4000));
    const labels = labelVolume(createVolume(Uint8Array.from(data, (v) => (v > 2000 ? 2 : 1)), [6, 7, 8], [1, 1, 1]), [
      { value: 1, name: "a", color: "#112233" },
      { value: 2, name: "b", color: "#445566" },
    ]);
    for (const bundle of [volumeBundle(createVolume(data, [6, 7, 8], [1, 1, 1])), volumeBundle(labels)]) {
      const sync = decodeVolumeBundle(bundle);
      const native = await decodeVolumeBundleAsync(bundle);
      expect(Array.from(native.data)).toEqual(Array.from(sync.data));
      expect(native.labels && Array.from(native.labels.data)).toEqual(sync.labels && Array.from(sync.labels.data));
    }
    const bad = { ...volumeBundle(createVolume(data, [6, 7, 8], [1, 1, 1])), shape: [6, 7, 9] };
    await expect(decodeVolumeBundleAsync(bad)).rejects.toThrowError(/expected 756 bytes after inflating, got 672/);
    await expect(decodeVolumeBundleAsync({ ...bad, data: "AAAA" })).rejects.toThrowError(VolumePayloadError);
  });

  it("decodes base64 like Node's Buffer", () => {
    const r = rng(3);
    for (const len of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
      const text = Buffer.from(bytes).toString("base64");
      expect(Array.from(base64ToBytes(text))).toEqual(Array.from(bytes));
    }
  });
});

describe("window -> grey", () => {
  it("maps lo to 0, hi to 255 and the middle to 128 (round half up)", () => {
    expect(windowToGrey(-5, 0, 100)).toBe(0);
    expect(windowToGrey(0, 0, 100)).toBe(0);
    expect(windowToGrey(50, 0, 100)).toBe(128); // 127.5 -> 128
    expect(windowToGrey(100, 0, 100)).toBe(255);
    expect(windowToGrey(1e9, 0, 100)).toBe(255);
    expect(windowToGrey(NaN, 0, 100)).toBe(0);
    // Degenerate window: a threshold at lo.
    expect(windowToGrey(4, 5, 5)).toBe(0);
    expect(windowToGrey(5, 5, 5)).toBe(0);
    expect(windowToGrey(6, 5, 5)).toBe(255);
  });

  it("gives the same greys through the lookup table and per pixel, for signed types", () => {
    const shape: [number, number, number] = [2, 16, 16];
    const r = rng(11);
    const data = Int16Array.from({ length: 512 }, () => Math.floor(r() * 65536) - 32768);
    const lut = buildGreyLut("int16", -1000, 3000)!;
    const viaLut = greySlice(data, "int16", shape, 1, -1000, 3000, new Uint8Array(256), lut);
    const direct = greySlice(data, "int16", shape, 1, -1000, 3000, new Uint8Array(256), null);
    expect(Array.from(viaLut)).toEqual(Array.from(direct));
    for (let i = 0; i < 256; i++) expect(viaLut[i]).toBe(windowToGrey(data[256 + i], -1000, 3000));
  });
});

describe("colours and the label overlay", () => {
  it("parses phase colours and falls back to the default palette", () => {
    expect(parseColor("#E69F00")).toEqual([230, 159, 0]);
    expect(parseColor("#fff")).toEqual([255, 255, 255]);
    expect(parseColor("rgb(1, 2, 3)")).toEqual([1, 2, 3]);
    expect(parseColor("<b>red</b>")).toBeNull();
    const m = phaseColors([{ value: 3, color: "nonsense" }, { value: 9, color: "#000" }]);
    expect(m.get(3)).toEqual([0, 114, 178]);
    expect(m.get(9)).toEqual([0, 0, 0]);
  });

  it("blends labelled pixels as round(grey*(1-a) + colour*a) and leaves others grey", () => {
    const grey = new Uint8Array([0, 100, 200, 255]);
    const labels = new Uint8Array([9, 1, 2, 1, 7]); // offset 1: labels of this slice are 1, 2, 1, 7
    const out = new Uint8ClampedArray(16);
    composeRgba(grey, out, { labels, offset: 1, colors: new Map([[1, [255, 0, 0]], [2, [0, 0, 255]]]), opacity: 0.25 });
    // a = 0.25: red over 0 -> 63.75 -> 64; blue over 100 -> 75 + 63.75 = 138.75 -> 139;
    // red over 200 -> 150 + 63.75 = 213.75 -> 214; label 7 has no phase: stays grey.
    expect(Array.from(out)).toEqual([64, 0, 0, 255, 75, 75, 139, 255, 214, 150, 150, 255, 255, 255, 255, 255]);
    composeRgba(grey, out);
    expect(Array.from(out.subarray(4, 8))).toEqual([100, 100, 100, 255]);
  });
});
