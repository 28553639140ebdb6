/**
 * Pixel pipeline of the slice view: value -> window -> grey, then the label overlay.
 * Pure code over typed arrays (no DOM), shared by the widget and the unit tests, so the
 * browser test can recompute the exact expected pixels.
 */
import type { DecodedVolume, LabelData, VoxelData } from "./decode";

/**
 * Grey level 0..255 of a value under the window [lo, hi]: values at or below lo are 0,
 * at or above hi 255, `floor((v - lo) * 255 / (hi - lo) + 0.5)` between (round half up;
 * multiply before dividing, so 50 in [0, 100] is exactly 127.5 -> 128). NaN maps to 0.
 * A degenerate window (hi <= lo) is a threshold at lo. Every code path uses this function.
 * @example windowToGrey(50, 0, 100) // 128
 */
export function windowToGrey(v: number, lo: number, hi: number): number {
  if (!(v > lo)) return 0; // also NaN
  if (v >= hi) return 255;
  return Math.floor(((v - lo) * 255) / (hi - lo) + 0.5);
}

/**
 * For integer dtypes up to 16 bits, a lookup table from value (offset for signed types)
 * to grey; null for the others, which map per pixel.
 * @example buildGreyLut("int8", -10, 10)!.lut[-10 + 128] // 0
 */
export function buildGreyLut(dtype: DecodedVolume["dtype"], lo: number, hi: number): { lut: Uint8Array; offset: number } | null {
  let size: number;
  let offset: number;
  switch (dtype) {
    case "uint8":
      size = 256;
      offset = 0;
      break;
    case "int8":
      size = 256;
      offset = 128;
      break;
    case "uint16":
      size = 65536;
      offset = 0;
      break;
    case "int16":
      size = 65536;
      offset = 32768;
      break;
    default:
      return null;
  }
  const lut = new Uint8Array(size);
  for (let i = 0; i < size; i++) lut[i] = windowToGrey(i - offset, lo, hi);
  return { lut, offset };
}

/**
 * Writes the grey levels of slice z (ny*nx values, x fastest) into `out`.
 * @example greySlice(vol.data, "uint8", vol.shape, 10, 0, 255, new Uint8Array(ny * nx))
 */
export function greySlice(
  data: VoxelData,
  dtype: DecodedVolume["dtype"],
  shape: readonly [number, number, number],
  z: number,
  lo: number,
  hi: number,
  out: Uint8Array,
  lut?: { lut: Uint8Array; offset: number } | null,
): Uint8Array {
  const n = shape[1] * shape[2];
  const base = z * n;
  const table = lut === undefined ? buildGreyLut(dtype, lo, hi) : lut;
  if (table) {
    const t = table.lut;
    const off = table.offset;
    for (let i = 0; i < n; i++) out[i] = t[data[base + i] + off];
  } else {
    for (let i = 0; i < n; i++) out[i] = windowToGrey(data[base + i], lo, hi);
  }
  return out;
}

/** An RGB colour, 0..255 per channel. */
export type RGB = [number, number, number];

/** Colours for phases whose colour is missing or unreadable (colour-blind-safe, Okabe-Ito). */
export const DEFAULT_PHASE_COLORS: RGB[] = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [86, 180, 233],
  [213, 94, 0],
  [240, 228, 66],
  [0, 0, 0],
];

/**
 * Reads "#rgb", "#rrggbb", "#rrggbbaa" (alpha ignored) and "rgb(r, g, b)"; null otherwise.
 * @example parseColor("#ff8000") // [255, 128, 0]
 */
export function parseColor(text: string): RGB | null {
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as RGB;
  m = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as RGB;
  m = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)$/.exec(s);
  if (m) {
    const c = [m[1], m[2], m[3]].map(Number);
    if (c.every((x) => x <= 255)) return c as RGB;
  }
  return null;
}

/**
 * Phase colours resolved once per bundle: value -> RGB (in table order).
 * @example phaseColors([{ value: 1, color: "#ff0000" }]).get(1) // [255, 0, 0]
 */
export function phaseColors(phases: readonly { value: number; color: string }[]): Map<number, RGB> {
  const map = new Map<number, RGB>();
  phases.forEach((p, i) => {
    map.set(p.value, parseColor(p.color) ?? DEFAULT_PHASE_COLORS[i % DEFAULT_PHASE_COLORS.length]);
  });
  return map;
}

/**
 * Composes an RGBA slice: grey levels, then for voxels whose label has a phase (and is
 * visible), `round(grey * (1 - a) + colour * a)` per channel. Labels without a phase
 * stay grey. Output pixels are opaque. With a colour map (768 bytes, colormapTable) the
 * grey level g shows as the map's colour, and the blend uses that colour instead of g.
 * @example
 * composeRgba(grey, imageData.data, { labels, offset: z * ny * nx, colors: phaseColors(phases), opacity: 0.4 });
 */
export function composeRgba(
  grey: Uint8Array,
  out: Uint8ClampedArray,
  overlay?: {
    labels: LabelData;
    offset: number;
    colors: Map<number, RGB>;
    opacity: number;
    hidden?: ReadonlySet<number>;
    /** Outline mode: only pixels where mask[i] is 1 get their phase colour. */
    mask?: Uint8Array;
  },
  colormap?: Uint8Array,
): Uint8ClampedArray {
  const n = grey.length;
  // Packed ABGR words: the byte order of ImageData on little-endian machines.
  const px = new Uint32Array(out.buffer, out.byteOffset, n);
  const greyWord = new Uint32Array(256);
  // cm(g, channel): the colour map's colour of grey level g (identity without a map).
  const cm = (g: number, ch: number) => (colormap ? colormap[g * 3 + ch] : g);
  for (let g = 0; g < 256; g++) greyWord[g] = 0xff000000 | (cm(g, 2) << 16) | (cm(g, 1) << 8) | cm(g, 0);
  if (!overlay || overlay.opacity <= 0 || overlay.colors.size === 0) {
    for (let i = 0; i < n; i++) px[i] = greyWord[grey[i]];
    return out;
  }
  const a = Math.min(1, overlay.opacity);
  // One 256-entry table of blended words per phase: the per-pixel work is two lookups.
  const values = [...overlay.colors.keys()].filter((v) => !overlay.hidden?.has(v));
  const blend = new Uint32Array(256 * (values.length + 1));
  blend.set(greyWord, 0);
  values.forEach((v, k) => {
    const c = overlay.colors.get(v)!;
    for (let g = 0; g < 256; g++) {
      const r = Math.round(cm(g, 0) * (1 - a) + c[0] * a);
      const gg = Math.round(cm(g, 1) * (1 - a) + c[1] * a);
      const b = Math.round(cm(g, 2) * (1 - a) + c[2] * a);
      blend[(k + 1) * 256 + g] = 0xff000000 | (b << 16) | (gg << 8) | r;
    }
  });
  const labels = overlay.labels;
  const base = overlay.offset;
  const mask = overlay.mask;
  let maxValue = 0;
  for (const v of values) if (v > maxValue) maxValue = v;
  if (maxValue < 65536 && values.every((v) => Number.isInteger(v) && v >= 0)) {
    // Dense value -> table index (0 = no phase), bounded by the largest phase value.
    const index = new Uint16Array(maxValue + 1);
    values.forEach((v, k) => (index[v] = k + 1));
    for (let i = 0; i < n; i++) {
      const l = labels[base + i];
      const k = l <= maxValue && (!mask || mask[i]) ? index[l] : 0;
      px[i] = blend[k * 256 + grey[i]];
    }
  } else {
    const index = new Map<number, number>();
    values.forEach((v, k) => index.set(v, k + 1));
    for (let i = 0; i < n; i++) {
      const k = !mask || mask[i] ? index.get(labels[base + i]) ?? 0 : 0;
      px[i] = blend[k * 256 + grey[i]];
    }
  }
  return out;
}
