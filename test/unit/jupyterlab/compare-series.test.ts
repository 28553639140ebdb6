/**
 * Linked comparison and time series, pure parts: the kernel's compare()/series() bundles
 * decoded by the viewer's decoder (panels, frames, shared grid, windows), malformed payloads,
 * frame stepping and playback timing, the x-major copy behind fast YZ planes, and the saved
 * view state of comparisons and series.
 */
import { describe, expect, it } from "vitest";
import { compare, createVolume, labelVolume, mimeBundle, series, TomolyteError, VOLUME_MIME } from "../../../kernel-lib/src";
import { decodeVolumeBundle, decodeVolumeBundleAsync, MAX_PANELS } from "../../../jupyterlab-ext/src/decode";
import { extractPlane, sanitizeViewState } from "../../../jupyterlab-ext/src/planes";
import { formatTime, msUntilNext, stepFrame, tick, type PlayerState } from "../../../jupyterlab-ext/src/player";
import { XMAJOR_BLOCK, XMajorCopy } from "../../../jupyterlab-ext/src/xmajor";
import { rng } from "../../helpers/random";

const SHAPE: [number, number, number] = [4, 6, 10];
const N = 4 * 6 * 10;

function grey(seed: number, scale = 200): ReturnType<typeof createVolume> {
  const r = rng(seed);
  return createVolume(Uint8Array.from({ length: N }, () => Math.floor(r() * scale)), SHAPE, [2, 1, 0.5]);
}

function labels(seed: number) {
  const r = rng(seed);
  const v = createVolume(Uint8Array.from({ length: N }, () => Math.floor(r() * 3)), SHAPE, [2, 1, 0.5]);
  return labelVolume(v, [
    { value: 0, name: "pore", color: "#000000" },
    { value: 1, name: "CBD", color: "#ff0000" },
    { value: 2, name: "AM <b>x</b>", color: "#00ff00" },
  ]);
}

/** The payload as the notebook stores it: JSON text. */
function payload(x: unknown, options = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify(mimeBundle(x, options)[VOLUME_MIME]));
}

describe("compare(): one payload, panels after the first", () => {
  it("decodes every panel bit for bit, with its own window and caption, on one grid", async () => {
    const raw = grey(1);
    const smooth = grey(2, 100);
    const seg = labels(3);
    const p = payload(compare([raw, smooth, { volume: raw, labels: seg }, seg], { titles: ["raw", "smooth", "overlay", "seg"], windows: [[0, 50], undefined, undefined, undefined] }), { title: "cmp" });
    // Panel 0 is the top level: an old viewer that ignores `panels` shows the raw volume.
    expect(p.name).toBe("raw");
    expect(p.title).toBe("cmp");
    expect((p.panels as unknown[]).length).toBe(3);
    for (const d of [decodeVolumeBundle(p), await decodeVolumeBundleAsync(p)]) {
      const vols = [d, ...d.panels!];
      expect(vols.map((v) => v.name)).toEqual(["raw", "smooth", "overlay", "seg"]);
      expect(vols.every((v) => v.shape.join() === SHAPE.join() && v.spacing.join() === "2,1,0.5")).toBe(true);
      expect(Array.from(vols[0].data)).toEqual(Array.from(raw.data));
      expect(Array.from(vols[1].data)).toEqual(Array.from(smooth.data));
      expect(Array.from(vols[2].labels!.data)).toEqual(Array.from(seg.data));
      expect(Array.from(vols[3].data)).toEqual(Array.from(seg.data));
      expect(vols[3].labels!.phases.map((q) => q.name)).toEqual(["pore", "CBD", "AM <b>x</b>"]);
      // Windows: the one given, the automatic ones (smooth's values are < 100), labels: [0, 2].
      expect(vols[0].window).toEqual([0, 50]);
      expect(vols[1].window[1]).toBeLessThan(100);
      expect(vols[3].window).toEqual([0, 2]);
      expect(d.frames).toBeUndefined();
    }
  });

  it("refuses volumes of another shape or spacing, and explains the spacing option", () => {
    const other = createVolume(new Uint8Array(N), [4, 10, 6], [2, 1, 0.5]);
    expect(() => compare([grey(1), other])).toThrow(/shape 4×10×6 .* all volumes must share one shape/);
    try {
      compare([grey(1), other]);
    } catch (e) {
      expect((e as TomolyteError).code).toBe("SHAPE_MISMATCH");
    }
    const coarse = createVolume(new Uint8Array(N), SHAPE, [2, 1, 1]);
    expect(() => compare([grey(1), coarse])).toThrow(/spacing: "first"/);
    // With spacing "first" the payload carries the first volume's spacing only.
    const p = payload(compare([grey(1), coarse], { spacing: "first" }));
    expect(p.spacing).toEqual([2, 1, 0.5]);
    expect(() => compare([])).toThrow(/1 to 8 volumes/);
    expect(() => compare([grey(1)], { titles: ["a", "b"] })).toThrow(/one entry per volume/);
  });

  it("downsamples all panels by one factor so that together they fit maxTotalVoxels", () => {
    const p = payload(compare([grey(1), grey(2), grey(3)]), { maxTotalVoxels: 3 * 60 });
    // 240 voxels each, a share of 60: factor 2 on every axis -> 2 × 3 × 5 = 30 voxels.
    expect(p.shape).toEqual([2, 3, 5]);
    expect((p.downsample as { factor: number[] }).factor).toEqual([2, 2, 2]);
    const d = decodeVolumeBundle(p);
    expect(d.panels!.map((q) => q.data.length)).toEqual([30, 30]);
  });

  it("sends one text summary per panel and one stacked PNG", () => {
    const b = mimeBundle(compare([grey(1), labels(3)], { titles: ["raw", "seg"] }));
    expect(String(b["text/plain"])).toMatch(/^Comparison of 2 volumes on one 4 × 6 × 10 grid/);
    expect(String(b["text/plain"])).toMatch(/\[1\] seg\n {2}LabelVolume/);
    const png = Buffer.from(String(b["image/png"]), "base64");
    // IHDR: width of one panel's three slices (10 + 10 + 6 + 2·4), height 2 × 6 + 4 (RGB: labels).
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]]).toEqual([34, 16, 2]);
  });
});

describe("series(): frames after the first", () => {
  it("decodes frames in order with their times, one shared window and the rate", () => {
    const f = [grey(1, 100), grey(2, 200), grey(3, 150)];
    const p = payload(series(f, { times_s: [0, 600, 1800], fps: 2 }));
    const d = decodeVolumeBundle(p);
    const frames = [d, ...d.frames!];
    expect(frames.map((v) => v.time_s)).toEqual([0, 600, 1800]);
    expect(d.fps).toBe(2);
    frames.forEach((v, i) => expect(Array.from(v.data)).toEqual(Array.from(f[i].data)));
    // One window for all frames: the widest of the frames' own percentile windows.
    const w = frames[0].window;
    expect(frames.every((v) => v.window.join() === w.join())).toBe(true);
    expect(w[1]).toBeGreaterThan(150); // frame 1 reaches 199
    expect(d.panels).toBeUndefined();
  });

  it("checks times and rate", () => {
    expect(() => series([grey(1), grey(2)], { times_s: [5, 1] })).toThrow(/must not decrease/);
    expect(() => series([grey(1), grey(2)], { times_s: [0] })).toThrow(/one finite number per frame/);
    expect(() => series([grey(1)], { fps: 0 })).toThrow(/fps/);
    expect(() => mimeBundle([grey(1), grey(2)])).toThrow(/compare\(\[\.\.\.\]\) or series/);
  });
});

describe("malformed comparison and series payloads", () => {
  it("reports what is wrong, by field", () => {
    const p = payload(compare([grey(1), grey(2)]));
    const bad = (patch: Record<string, unknown>) => () => decodeVolumeBundle({ ...p, ...patch });
    expect(bad({ panels: "x" })).toThrow(/panels must be an array/);
    expect(bad({ panels: [{ ...(p.panels as object[])[0], dtype: "complex" }] })).toThrow(/panels\[0\]: unsupported dtype/);
    expect(bad({ panels: [{ ...(p.panels as object[])[0], data: 5 }] })).toThrow(/panels\[0\]\.data must be a base64 string/);
    expect(bad({ panels: [{ ...(p.panels as object[])[0], data: String(p.data).slice(0, 24) }] })).toThrow(/panels\[0\]\.data: /);
    expect(bad({ frames: [] })).toThrow(/either panels or frames/);
    expect(bad({ panels: Array(MAX_PANELS).fill((p.panels as object[])[0]) })).toThrow(/9 panels exceed/);
    expect(bad({ shape: [512, 512, 512], panels: Array(2).fill((p.panels as object[])[0]) })).toThrow(/3 volumes of 134217728 voxels exceed/);
  });
});

describe("frame stepping and playback", () => {
  it("wraps around both ends", () => {
    expect([stepFrame(0, 5, -1), stepFrame(4, 5, 1), stepFrame(2, 5, 10), stepFrame(0, 5, -11)]).toEqual([4, 0, 2, 4]);
  });

  it("advances one frame per period while playing, none when paused", () => {
    let s: PlayerState = { frame: 0, count: 3, playing: true, fps: 4, shownAt: 1000 };
    expect(tick(s, 1249)).toBe(s); // 249 ms < 250 ms: not yet
    s = tick(s, 1250);
    expect([s.frame, s.shownAt]).toEqual([1, 1250]);
    s = tick(s, 1510); // on time (< 2 periods late): the clock keeps its rhythm
    expect([s.frame, s.shownAt]).toEqual([2, 1500]);
    s = tick(s, 2400); // far behind: next frame only, clock restarted
    expect([s.frame, s.shownAt]).toEqual([0, 2400]);
    expect(msUntilNext(s, 2500)).toBe(150);
    const paused = { ...s, playing: false };
    expect(tick(paused, 99999)).toBe(paused);
  });

  it("formats times", () => {
    expect([formatTime(45), formatTime(725), formatTime(7380), formatTime(0.25)]).toEqual(["45 s", "12 min 5 s", "2 h 3 min", "0.25 s"]);
  });
});

describe("x-major copy for YZ planes", () => {
  it("serves the same planes as strided extraction, nearest block first", () => {
    const shape: [number, number, number] = [7, 33, 2 * XMAJOR_BLOCK + 5];
    const r = rng(11);
    const n = shape[0] * shape[1] * shape[2];
    for (const data of [Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)), Float32Array.from({ length: n }, () => r())]) {
      const xm = new XMajorCopy(data, shape);
      expect(xm.ready(130)).toBe(false);
      // Chunks of 2 z slices: the block of x = 130 (block 2) is done after 4 calls.
      for (let k = 0; k < 4; k++) xm.buildNext(130, 2 * XMAJOR_BLOCK * shape[1]);
      expect([xm.ready(130), xm.ready(0)]).toEqual([true, false]);
      while (xm.buildNext(130));
      expect(xm.complete).toBe(true);
      for (const x of [0, 63, 64, 130, shape[2] - 1]) {
        const want = extractPlane(data, shape, "yz", x, new Float64Array(shape[0] * shape[1]));
        expect(Array.from(xm.plane(x))).toEqual(Array.from(want));
      }
    }
  });
});

describe("saved view state of comparisons and series", () => {
  it("keeps per-panel windows and colour maps, the frame and rate, clamped to what exists", () => {
    const st = sanitizeViewState(
      { panels: [{ window: [1, 2], colormap: "magma" }, { window: "x" }, { window: [0, 9], colormap: "viridis" }], selected: 7, frame: 99, fps: 8 },
      [4, 4, 4],
      { panels: 3, frames: 5 },
    );
    expect(st.panels).toEqual([{ window: [1, 2], colormap: "magma" }, undefined]);
    expect([st.selected, st.frame, st.fps]).toEqual([2, 4, 8]);
    // A single volume ignores them.
    expect(sanitizeViewState({ panels: [{ window: [1, 2], colormap: "grey" }], frame: 2 }, [4, 4, 4])).toEqual({});
  });
});
