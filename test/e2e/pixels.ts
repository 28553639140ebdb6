/**
 * Pixel expectations for the viewer's browser tests, computed independently of the extension:
 * payload strings decoded with Node's zlib, planes indexed here, value -> window -> grey by the
 * documented rule (docs/jupyterlab.md), the label blend, and a reader of a canvas in the page.
 */
import * as zlib from "node:zlib";
import type { Page } from "playwright-core";

export const VIEW = '[data-testid="tomolyte-volume"]';
export type PlaneName = "xy" | "xz" | "yz";

/** The per-volume fields of a payload (the top level, a panel or a frame). */
export interface VolumeFields {
  dtype: string;
  data: string;
  window: [number, number];
  name?: string;
  time_s?: number;
  labels?: { dtype: string; data: string; phases: { value: number; name: string; color: string }[] };
}

export interface Payload extends VolumeFields {
  shape: [number, number, number];
  panels?: VolumeFields[];
  frames?: VolumeFields[];
}

const CTORS: Record<string, new (b: ArrayBuffer) => ArrayLike<number>> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** base64 -> raw inflate (Node's zlib) -> typed array. */
export function decode(b64: string, dtype: string): ArrayLike<number> {
  const raw = zlib.inflateRawSync(Buffer.from(b64, "base64"));
  return new CTORS[dtype](raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** The documented mapping: lo -> 0, hi -> 255, linear, round half up. */
export function grey(v: number, lo: number, hi: number): number {
  if (!(v > lo)) return 0;
  if (v >= hi) return 255;
  return Math.floor(((v - lo) * 255) / (hi - lo) + 0.5);
}

/** "#rrggbb" -> [r, g, b]. */
export function hexColor(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (!m) throw new Error(`test expects #rrggbb phase colours, got ${c}`);
  return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16)) as [number, number, number];
}

/** Values of a plane: XY = [y][x] at z, XZ = [z][x] at y, YZ = [z][y] at x. */
export function planeOf(a: ArrayLike<number>, shape: [number, number, number], plane: PlaneName, s: number): { w: number; h: number; v: number[] } {
  const [nz, ny, nx] = shape;
  const at = (z: number, y: number, x: number) => a[(z * ny + y) * nx + x];
  const v: number[] = [];
  if (plane === "xy") for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) v.push(at(s, y, x));
  else if (plane === "xz") for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) v.push(at(z, s, x));
  else for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) v.push(at(z, y, s));
  const [w, h] = plane === "xy" ? [nx, ny] : plane === "xz" ? [nx, nz] : [ny, nz];
  return { w, h, v };
}

/** Expected RGBA of a plane of one volume: grey through [lo, hi], then its labels at `opacity` (0: none). */
export function expectedPlane(
  shape: [number, number, number], f: VolumeFields, plane: PlaneName, s: number, lo: number, hi: number, opacity: number,
): Uint8Array {
  const { w, h, v } = planeOf(decode(f.data, f.dtype), shape, plane, s);
  const labels = opacity > 0 && f.labels ? planeOf(decode(f.labels.data, f.labels.dtype), shape, plane, s).v : null;
  const colors = new Map(f.labels?.phases.map((p) => [p.value, hexColor(p.color)]) ?? []);
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const g = grey(v[i], lo, hi);
    let rgb = [g, g, g];
    const c = labels ? colors.get(labels[i]) : undefined;
    if (c) rgb = c.map((ci, k) => Math.round(rgb[k] * (1 - opacity) + ci * opacity));
    out.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  return out;
}

export function countMismatches(actual: Uint8Array, expected: Uint8Array): { count: number; first: string } {
  let count = 0;
  let first = "";
  if (actual.length !== expected.length) return { count: -1, first: `length ${actual.length} != ${expected.length}` };
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      if (!count) first = `byte ${i} (pixel ${i >> 2}, channel ${i & 3}): ${actual[i]} != ${expected[i]}`;
      count++;
    }
  }
  return { count, first };
}

/** RGBA of one plane of one panel of the nth viewer, with the view's and the panel's state. */
export async function readPanel(page: Page, view: number, panel: number, plane: PlaneName) {
  const r = await page.evaluate(
    ({ sel, view, panel, plane }) => {
      const root = document.querySelectorAll<HTMLElement>(sel)[view];
      const p = root.querySelector<HTMLElement>(`.tomolyte-panel[data-panel="${panel}"]`)!;
      const testid = plane === "xy" ? "tomolyte-canvas" : `tomolyte-canvas-${plane}`;
      const canvas = p.querySelector<HTMLCanvasElement>(`[data-testid="${testid}"]`)!;
      const img = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let bin = "";
      const d = img.data;
      for (let i = 0; i < d.length; i += 0x8000) bin += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return {
        rgba: btoa(bin),
        z: Number(root.dataset.z), y: Number(root.dataset.y), x: Number(root.dataset.x),
        lo: Number(p.dataset.windowLo), hi: Number(p.dataset.windowHi),
        frame: Number(root.dataset.frame ?? 0), opacity: Number(root.dataset.opacity),
      };
    },
    { sel: VIEW, view, panel, plane },
  );
  return { ...r, px: new Uint8Array(Buffer.from(r.rgba, "base64")) };
}

/** Waits until the nth viewer's data-<key> equals value. */
export async function waitData(page: Page, index: number, key: string, value: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    ({ sel, index, key, value }) => document.querySelectorAll<HTMLElement>(sel)[index]?.dataset[key] === value,
    { sel: VIEW, index, key, value },
    { timeout },
  );
}
