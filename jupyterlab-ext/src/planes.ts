/**
 * Pure logic of the three-plane viewer: plane geometry and extraction, colour maps,
 * percentile auto-contrast, zoom about a point, the scale bar and label outlines.
 * No DOM: unit-tested in Node and shared with the widget.
 */
import type { DecodedVolume, VoxelData } from "./decode";
import { windowToGrey } from "./render";

/** The three orthogonal planes: XY (fixed z), XZ (fixed y), YZ (fixed x). */
export type Plane = "xy" | "xz" | "yz";
export const PLANES: readonly Plane[] = ["xy", "xz", "yz"];

/**
 * Index into shape/spacing ([z, y, x]) of the axis a plane holds fixed (its slice axis).
 * @example sliceAxis("xz") // 1 (y)
 */
export function sliceAxis(plane: Plane): 0 | 1 | 2 {
  return plane === "xy" ? 0 : plane === "xz" ? 1 : 2;
}

/**
 * [horizontal, vertical] axes of a plane as indices into shape ([z, y, x]): XY shows x
 * across and y down, XZ x across and z down, YZ y across and z down.
 * @example planeAxes("yz") // [1, 0]
 */
export function planeAxes(plane: Plane): [number, number] {
  return plane === "xy" ? [2, 1] : plane === "xz" ? [2, 0] : [1, 0];
}

/**
 * Width and height in pixels (one per voxel) of a plane of a volume of this shape.
 * @example planeSize([10, 20, 30], "xz") // [30, 10]
 */
export function planeSize(shape: readonly [number, number, number], plane: Plane): [number, number] {
  const [h, v] = planeAxes(plane);
  return [shape[h], shape[v]];
}

/**
 * Flat index in the volume (x fastest) of pixel (u, v) of a plane at slice `index`.
 * @example voxelIndex([2, 3, 4], "xz", 1, 3, 0) // (0*3 + 1)*4 + 3 = 7
 */
export function voxelIndex(shape: readonly [number, number, number], plane: Plane, index: number, u: number, v: number): number {
  const [, ny, nx] = shape;
  if (plane === "xy") return (index * ny + v) * nx + u;
  if (plane === "xz") return (v * ny + index) * nx + u;
  return (v * ny + u) * nx + index;
}

/** Any typed array the viewer reads planes from. */
type Indexed = { [i: number]: number; length: number };

/**
 * Copies the values of one plane into `out` (width*height, row-major, u fastest).
 * @example extractPlane(labels, [nz, ny, nx], "yz", x, new Uint8Array(ny * nz))
 */
export function extractPlane<T extends Indexed>(data: Indexed, shape: readonly [number, number, number], plane: Plane, index: number, out: T): T {
  const [nz, ny, nx] = shape;
  if (plane === "xy") {
    const base = index * ny * nx;
    for (let i = 0; i < ny * nx; i++) out[i] = data[base + i];
  } else if (plane === "xz") {
    for (let z = 0; z < nz; z++) {
      const src = (z * ny + index) * nx;
      const dst = z * nx;
      for (let x = 0; x < nx; x++) out[dst + x] = data[src + x];
    }
  } else {
    for (let z = 0; z < nz; z++) {
      const dst = z * ny;
      let src = z * ny * nx + index;
      for (let y = 0; y < ny; y++, src += nx) out[dst + y] = data[src];
    }
  }
  return out;
}

/**
 * Grey levels (window [lo, hi], see windowToGrey) of one plane into `out`, through the
 * lookup table when the dtype has one (buildGreyLut).
 * @example greyPlane(vol.data, "uint8", vol.shape, "xz", y, 0, 255, out, buildGreyLut("uint8", 0, 255))
 */
export function greyPlane(
  data: VoxelData,
  shape: readonly [number, number, number],
  plane: Plane,
  index: number,
  lo: number,
  hi: number,
  out: Uint8Array,
  lut: { lut: Uint8Array; offset: number } | null,
): Uint8Array {
  const [nz, ny, nx] = shape;
  // One loop per plane with the table or windowToGrey inlined via `map`: the XY plane is a
  // contiguous run, the others strided reads (x: stride 1 rows for XZ, stride nx for YZ).
  const t = lut?.lut;
  const off = lut?.offset ?? 0;
  const map = (v: number) => (t ? t[v + off] : windowToGrey(v, lo, hi));
  if (plane === "xy") {
    const base = index * ny * nx;
    const n = ny * nx;
    if (t) for (let i = 0; i < n; i++) out[i] = t[data[base + i] + off];
    else for (let i = 0; i < n; i++) out[i] = windowToGrey(data[base + i], lo, hi);
  } else if (plane === "xz") {
    for (let z = 0; z < nz; z++) {
      const src = (z * ny + index) * nx;
      const dst = z * nx;
      if (t) for (let x = 0; x < nx; x++) out[dst + x] = t[data[src + x] + off];
      else for (let x = 0; x < nx; x++) out[dst + x] = map(data[src + x]);
    }
  } else {
    for (let z = 0; z < nz; z++) {
      const dst = z * ny;
      let src = z * ny * nx + index;
      if (t) for (let y = 0; y < ny; y++, src += nx) out[dst + y] = t[data[src] + off];
      else for (let y = 0; y < ny; y++, src += nx) out[dst + y] = map(data[src]);
    }
  }
  return out;
}

/** Colour maps of the viewer. */
export type ColormapName = "grey" | "inverted" | "viridis" | "magma";
export const COLORMAPS: readonly ColormapName[] = ["grey", "inverted", "viridis", "magma"];

/**
 * Anchors of viridis and magma at 0, 1/8, ..., 1 (sRGB), interpolated linearly between:
 * close to the published maps (perceptually uniform, colour-blind-safe) with 9 numbers each.
 */
const ANCHORS: Record<"viridis" | "magma", string[]> = {
  viridis: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
  magma: ["#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55964", "#fb8761", "#fec287", "#fcfdbf"],
};

/**
 * The 256 RGB colours (768 bytes, r g b per grey level) of a colour map. "grey" is the
 * identity (level g -> (g, g, g)) so the default view is exactly the windowed values;
 * "inverted" maps g -> 255 - g.
 * @example colormapTable("inverted")[0] // 255
 */
export function colormapTable(name: ColormapName): Uint8Array {
  const t = new Uint8Array(768);
  for (let g = 0; g < 256; g++) {
    let rgb: [number, number, number];
    if (name === "grey") rgb = [g, g, g];
    else if (name === "inverted") rgb = [255 - g, 255 - g, 255 - g];
    else {
      const a = ANCHORS[name];
      const f = (g / 255) * (a.length - 1);
      const k = Math.min(a.length - 2, Math.floor(f));
      const w = f - k;
      const c0 = hex(a[k]);
      const c1 = hex(a[k + 1]);
      rgb = [0, 1, 2].map((j) => Math.round(c0[j] * (1 - w) + c1[j] * w)) as [number, number, number];
    }
    t.set(rgb, g * 3);
  }
  return t;
}

function hex(s: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) as [number, number, number];
}

/**
 * Window from percentiles of the finite values: [value at pLow %, value at pHigh %], the
 * value at p being the sorted sample of rank floor(p/100 * (n - 1)). Volumes above
 * `maxSamples` values are sampled on a regular stride (every k-th voxel). A flat result
 * (lo == hi) widens to [lo, lo + 1] so the window stays usable.
 * @example percentileWindow(vol.data, 0.5, 99.5) // e.g. [12, 231]
 */
export function percentileWindow(data: ArrayLike<number>, pLow = 0.5, pHigh = 99.5, maxSamples = 1 << 20): [number, number] {
  const n = data.length;
  const stride = Math.max(1, Math.ceil(n / maxSamples));
  const s = new Float64Array(Math.ceil(n / stride));
  let m = 0;
  for (let i = 0; i < n; i += stride) {
    const v = data[i];
    if (Number.isFinite(v)) s[m++] = v;
  }
  if (m === 0) return [0, 1];
  const sorted = s.subarray(0, m).sort();
  const at = (p: number) => sorted[Math.floor((Math.min(100, Math.max(0, p)) / 100) * (m - 1))];
  const lo = at(pLow);
  const hi = at(pHigh);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/**
 * Counts of `bins` equal bins over [min, max] of a (strided) sample of the finite values,
 * for the histogram under the window controls.
 * @example histogramBins(vol.data, 64) // { counts, min, max }
 */
export function histogramBins(data: ArrayLike<number>, bins = 128, maxSamples = 1 << 20): { counts: Uint32Array; min: number; max: number } {
  const n = data.length;
  const stride = Math.max(1, Math.ceil(n / maxSamples));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i += stride) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Uint32Array(bins);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { counts, min: 0, max: 1 };
  const w = max > min ? (max - min) / bins : 1;
  for (let i = 0; i < n; i += stride) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - min) / w))]++;
  }
  return { counts, min, max };
}

/** Zoom and pan of a plane: CSS transform translate(tx, ty) scale(scale), origin top-left. */
export interface ZoomState {
  scale: number;
  tx: number;
  ty: number;
}

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 64;

/**
 * Zooms by `factor` about the point (cx, cy) of the viewport (CSS pixels): that point keeps
 * showing the same voxel. The scale stays in [MIN_ZOOM, MAX_ZOOM]; at scale 1 the pan resets.
 * @example zoomAt({ scale: 1, tx: 0, ty: 0 }, 2, 100, 50) // { scale: 2, tx: -100, ty: -50 }
 */
export function zoomAt(z: ZoomState, factor: number, cx: number, cy: number): ZoomState {
  const scale = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z.scale * factor));
  if (scale === 1) return { scale: 1, tx: 0, ty: 0 };
  const f = scale / z.scale;
  return { scale, tx: cx - (cx - z.tx) * f, ty: cy - (cy - z.ty) * f };
}

/**
 * Scale bar for a display of `pxPerUm` CSS pixels per micrometre: the longest length of
 * 1, 2 or 5 × 10^k µm whose bar is at most `maxPx` pixels, and the bar's length in pixels.
 * @example scaleBar(0.5, 120) // { um: 200, px: 100, label: "200 µm" }
 */
export function scaleBar(pxPerUm: number, maxPx = 120): { um: number; px: number; label: string } {
  if (!(pxPerUm > 0) || !Number.isFinite(pxPerUm)) return { um: 0, px: 0, label: "" };
  const maxUm = maxPx / pxPerUm;
  const p = Math.pow(10, Math.floor(Math.log10(maxUm)));
  let um = p;
  for (const m of [5, 2, 1]) {
    if (m * p <= maxUm * (1 + 1e-9)) {
      um = m * p;
      break;
    }
  }
  const um2 = +um.toPrecision(12);
  const label = um2 >= 1000 ? `${+(um2 / 1000).toPrecision(12)} mm` : `${um2} µm`;
  return { um: um2, px: um2 * pxPerUm, label };
}

/**
 * Outline mask of a label plane (width × height): 1 where the label differs from one of
 * its 4 neighbours inside the plane, 0 elsewhere (region interiors and image borders that
 * continue the region).
 * @example outlineMask(Uint8Array.of(1, 1, 1, 1, 2, 1, 1, 1, 1), 3, 3) // 0 1 0 / 1 1 1 / 0 1 0
 */
export function outlineMask(labels: ArrayLike<number>, width: number, height: number, out = new Uint8Array(width * height)): Uint8Array {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const l = labels[i];
      out[i] =
        (x > 0 && labels[i - 1] !== l) ||
        (x < width - 1 && labels[i + 1] !== l) ||
        (y > 0 && labels[i - width] !== l) ||
        (y < height - 1 && labels[i + width] !== l)
          ? 1
          : 0;
    }
  }
  return out;
}

/** Dtype-matched empty array for a plane of labels. */
export function labelPlaneArray(labels: NonNullable<DecodedVolume["labels"]>["data"], n: number): Uint8Array | Uint16Array | Uint32Array {
  if (labels instanceof Uint8Array) return new Uint8Array(n);
  if (labels instanceof Uint16Array) return new Uint16Array(n);
  return new Uint32Array(n);
}

/** What the viewer keeps in the output's metadata (under the volume MIME type, key "view"). */
export interface ViewState {
  z: number;
  y: number;
  x: number;
  window: [number, number];
  colormap: ColormapName;
  layout: "all" | Plane;
  active: Plane;
  zoom: Record<Plane, ZoomState>;
  opacity: number;
  overlay: boolean;
  outline: boolean;
  hidden: number[];
  /** Comparisons: window and colour map of the panels after the first (panel 0 uses the fields above). */
  panels?: PanelViewState[];
  /** Comparisons: the panel the window controls act on. */
  selected?: number;
  /** Series: the frame shown, and the playback rate (playback itself is never saved as running). */
  frame?: number;
  fps?: number;
}

/** What a comparison keeps per panel. */
export interface PanelViewState {
  window: [number, number];
  colormap: ColormapName;
}

/**
 * Reads a saved view state defensively (it comes from a notebook file): fields of the wrong
 * type are dropped, slice indices clamped to the shape, zoom to [MIN_ZOOM, MAX_ZOOM].
 * Comparison and series fields need `counts` (panels, frames) and are clamped to them.
 * @example sanitizeViewState({ z: 99, colormap: "magma" }, [10, 10, 10]) // { z: 9, colormap: "magma" }
 */
export function sanitizeViewState(
  raw: unknown,
  shape: readonly [number, number, number],
  counts: { panels: number; frames: number } = { panels: 1, frames: 1 },
): Partial<ViewState> {
  const out: Partial<ViewState> = {};
  if (!raw || typeof raw !== "object") return out;
  const r = raw as Record<string, unknown>;
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  const clampIndex = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.round(v)));
  if (num(r.z)) out.z = clampIndex(r.z, shape[0]);
  if (num(r.y)) out.y = clampIndex(r.y, shape[1]);
  if (num(r.x)) out.x = clampIndex(r.x, shape[2]);
  if (Array.isArray(r.window) && r.window.length === 2 && num(r.window[0]) && num(r.window[1])) out.window = [r.window[0], r.window[1]];
  if (typeof r.colormap === "string" && (COLORMAPS as readonly string[]).includes(r.colormap)) out.colormap = r.colormap as ColormapName;
  if (r.layout === "all" || (PLANES as readonly unknown[]).includes(r.layout)) out.layout = r.layout as ViewState["layout"];
  if ((PLANES as readonly unknown[]).includes(r.active)) out.active = r.active as Plane;
  if (r.zoom && typeof r.zoom === "object") {
    const z = r.zoom as Record<string, unknown>;
    const zoom = {} as Record<Plane, ZoomState>;
    let ok = true;
    for (const p of PLANES) {
      const q = z[p] as Record<string, unknown> | undefined;
      if (q && num(q.scale) && num(q.tx) && num(q.ty)) {
        const scale = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, q.scale));
        zoom[p] = scale === 1 ? { scale: 1, tx: 0, ty: 0 } : { scale, tx: q.tx, ty: q.ty };
      } else ok = false;
    }
    if (ok) out.zoom = zoom;
  }
  if (num(r.opacity)) out.opacity = Math.min(1, Math.max(0, r.opacity));
  if (typeof r.overlay === "boolean") out.overlay = r.overlay;
  if (typeof r.outline === "boolean") out.outline = r.outline;
  if (Array.isArray(r.hidden) && r.hidden.every(num)) out.hidden = r.hidden as number[];
  const isWindow = (w: unknown): w is [number, number] => Array.isArray(w) && w.length === 2 && num(w[0]) && num(w[1]);
  if (Array.isArray(r.panels) && counts.panels > 1) {
    // Entry k is panel k + 1; a bad entry keeps that panel's own defaults (undefined).
    out.panels = r.panels.slice(0, counts.panels - 1).map((q) => {
      const e = (q ?? {}) as Record<string, unknown>;
      if (!isWindow(e.window) || typeof e.colormap !== "string" || !(COLORMAPS as readonly string[]).includes(e.colormap)) return undefined;
      return { window: [e.window[0], e.window[1]], colormap: e.colormap as ColormapName };
    }) as PanelViewState[];
  }
  if (num(r.selected) && counts.panels > 1) out.selected = clampIndex(r.selected, counts.panels);
  if (num(r.frame) && counts.frames > 1) out.frame = clampIndex(r.frame, counts.frames);
  if (num(r.fps) && r.fps > 0 && r.fps <= 60) out.fps = r.fps;
  return out;
}
