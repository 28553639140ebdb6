/**
 * Pure builders of the display MIME bundle (no I/O): the volume payload of
 * contract.ts, the image/png fallback (three orthogonal middle slices) and the
 * text/plain summary, plus tables and plotly figures.
 */
import { ERROR_CODES, TomolyteError, isTomolyteError } from "../errors";
import {
  type LabelVolume,
  type Phase,
  type Volume,
  DTYPE_RANGE,
  PHASE_COLORS,
  astype,
  createVolume,
  distinctValues,
  downsample,
  downsampleFactorFor,
  downsampleLabels,
  dtypeOf,
  isFloatDType,
  isLabelVolume,
  statistics,
  voxelCount,
} from "../volume";
import { type Comparison, type PanelSpec, type TimeSeries, isComparison, isTimeSeries } from "./compare";
import { PLOTLY_MIME, VOLUME_MIME, type VolumeMimeBundleV1, type VolumeMimeDType, type VolumeMimeVolume } from "./contract";
import { base64Encode, encodeVoxels } from "./encode";
import { type RasterImage, encodePNG } from "./png";
import { robustWindow } from "./window";

/** Default cap on the voxels sent to the viewer: 16 Mi (e.g. 256³). */
export const DEFAULT_MAX_VOXELS = 16 * 1024 * 1024;
/** Default cap on all voxels of a comparison or series together: 64 Mi (four 256³ volumes). */
export const DEFAULT_MAX_TOTAL_VOXELS = 64 * 1024 * 1024;

export interface ShowOptions {
  /** A title shown by the viewer and in the text summary. */
  title?: string;
  /** Volumes with more voxels are block-downsampled (isotropic integer factor) to fit. Default 16 Mi. */
  maxVoxels?: number;
  /** compare()/series(): cap on the voxels of all volumes together (each gets an equal share). Default 64 Mi. */
  maxTotalVoxels?: number;
  /** Initial display window [lo, hi] in data units. Default: the 0.5 and 99.5 percentiles. */
  window?: readonly [number, number];
  /** A label volume of the same shape, overlaid on a grey volume. */
  labels?: LabelVolume;
  /** Opacity of the label colours over grey in the PNG fallback (default 0.4). */
  labelOpacity?: number;
  /** Rows shown of a table (default 20). */
  maxRows?: number;
  /** show(figure): add the image/png fallback rendered in headless Chromium (default true). */
  png?: boolean;
  /** show(figure): give up on the PNG fallback after this many milliseconds (default 60 000). */
  pngTimeout_ms?: number;
}

/** A MIME bundle: MIME type -> value (JSON for the volume/plotly types, strings otherwise). */
export type MimeBundle = Record<string, unknown>;

interface Prepared {
  /** What `data` shows: the grey volume, or the labels themselves for a label volume alone. */
  grey: Volume;
  labels?: LabelVolume;
  factor: [number, number, number];
  originalShape: [number, number, number];
  window: [number, number];
}

function checkVolume(v: Volume, what: string): Volume {
  if (typeof v !== "object" || v === null) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what} must be a Volume, got ${String(v)}`);
  }
  createVolume(v.data, v.shape, v.spacing);
  return v;
}

function checkWindow(w: unknown): [number, number] {
  if (!Array.isArray(w) || w.length !== 2 || !w.every((x) => typeof x === "number" && Number.isFinite(x)) || !(w[1] > w[0])) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `window must be [lo, hi] with finite lo < hi, got ${JSON.stringify(w)}`);
  }
  return [w[0], w[1]];
}

function labelWindow(labels: LabelVolume): [number, number] {
  // Phase values and the values present (some may be missing from the table).
  const values = [...labels.phases.map((p) => p.value), ...distinctValues(labels)];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

function prepare(volume: Volume, options: ShowOptions): Prepared {
  checkVolume(volume, "show()'s argument");
  const maxVoxels = options.maxVoxels ?? DEFAULT_MAX_VOXELS;
  if (!(typeof maxVoxels === "number" && Number.isFinite(maxVoxels) && maxVoxels >= 1)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `maxVoxels must be a number >= 1, got ${String(maxVoxels)}`);
  }
  let overlay: LabelVolume | undefined;
  if (isLabelVolume(volume)) {
    if (options.labels !== undefined) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "show(labels, { labels }) has two label volumes; pass a grey volume first");
    }
  } else if (options.labels !== undefined) {
    checkVolume(options.labels, "options.labels");
    if (!isLabelVolume(options.labels)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "options.labels must be a LabelVolume (make one with labelVolume(v, phases))");
    }
    if (options.labels.shape.some((n, i) => n !== volume.shape[i])) {
      throw new TomolyteError(
        ERROR_CODES.SHAPE_MISMATCH,
        `labels shape ${options.labels.shape.join("×")} differs from the volume's ${volume.shape.join("×")}`,
      );
    }
    overlay = options.labels;
  }
  const factor = downsampleFactorFor(volume.shape, maxVoxels);
  const reduce = factor.some((f) => f > 1);
  const originalShape = [...volume.shape] as [number, number, number];
  if (isLabelVolume(volume)) {
    const small = reduce ? downsampleLabels(volume, { factor }) : volume;
    return { grey: small, labels: small, factor, originalShape, window: options.window ? checkWindow(options.window) : labelWindow(volume) };
  }
  const dtype = dtypeOf(volume.data);
  // Integer data stays integer (rounded block means): 1–2 bytes a voxel instead of 4.
  let grey = reduce ? downsample(volume, { factor, dtype: isFloatDType(dtype) ? "float32" : "same" }) : volume;
  // The viewer needs no float64 precision: send half the bytes.
  if (dtypeOf(grey.data) === "float64") grey = astype(grey, "float32");
  const labels = overlay && reduce ? downsampleLabels(overlay, { factor }) : overlay;
  return { grey, labels, factor, originalShape, window: options.window ? checkWindow(options.window) : robustWindow(grey) };
}

function toBundle(p: Prepared, title: string | undefined): VolumeMimeBundleV1 {
  const data = encodeVoxels(p.grey.data);
  const b: VolumeMimeBundleV1 = {
    version: 1,
    shape: [...p.grey.shape] as [number, number, number],
    spacing: [...p.grey.spacing] as [number, number, number],
    unit: "um",
    dtype: dtypeOf(p.grey.data) as VolumeMimeDType,
    encoding: "deflate-base64",
    data,
    window: p.window,
  };
  if (p.labels) {
    b.labels = {
      dtype: dtypeOf(p.labels.data) as "uint8" | "uint16" | "uint32",
      // A label volume alone sends its labels as `data` too: reuse the same string.
      data: p.labels === p.grey ? data : encodeVoxels(p.labels.data),
      phases: p.labels.phases.map((ph) => ({ value: ph.value, name: ph.name, color: ph.color })),
    };
  }
  if (p.factor.some((f) => f > 1)) b.downsample = { factor: p.factor, originalShape: p.originalShape };
  if (title !== undefined) b.title = String(title);
  return b;
}

/**
 * The `application/vnd.tomolyte.volume+json` payload of a volume (see contract.ts
 * and docs/display.md). Volumes above `maxVoxels` are downsampled by the smallest
 * isotropic integer factor that fits (block mean for grey, mode for labels) and
 * the factor is recorded. A label volume alone sends its labels both as `data`
 * and as `labels`; `{ labels }` overlays a label volume on a grey one.
 *
 * @example
 * const b = volumeBundle(ct, { title: "raw scan" });
 * const b2 = volumeBundle(ct, { labels: seg, maxVoxels: 128 ** 3 });
 */
export function volumeBundle(volume: Volume, options: ShowOptions = {}): VolumeMimeBundleV1 {
  return guard(() => toBundle(prepare(volume, options), options.title));
}

function parseColor(color: string, fallback: string): [number, number, number] {
  const m6 = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (m6) {
    const v = parseInt(m6[1], 16);
    return [v >> 16, (v >> 8) & 255, v & 255];
  }
  const m3 = /^#([0-9a-f]{3})$/i.exec(color.trim());
  if (m3) return [0, 1, 2].map((i) => parseInt(m3[1][i] + m3[1][i], 16)) as [number, number, number];
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(color.trim());
  if (rgb) return [1, 2, 3].map((i) => Math.min(255, Number(rgb[i]))) as [number, number, number];
  return fallback === color ? [128, 128, 128] : parseColor(fallback, fallback);
}

/** Colour lookup of label values: phase colours, else the default palette by value. */
function colorLookup(phases: readonly Phase[]): (v: number) => [number, number, number] {
  const map = new Map<number, [number, number, number]>();
  phases.forEach((p, i) => map.set(p.value, parseColor(p.color, PHASE_COLORS[i % PHASE_COLORS.length])));
  return (v) => {
    let c = map.get(v);
    if (!c) {
      c = parseColor(PHASE_COLORS[Math.abs(v) % PHASE_COLORS.length], "#808080");
      map.set(v, c);
    }
    return c;
  };
}

/** Target panel size of the PNG fallback; larger volumes are subsampled (stride) for it. */
const PNG_PANEL_MAX = 512;
const PNG_GAP = 4;

/**
 * The image/png fallback: the middle slices normal to z, y and x side by side
 * (z-slice: y rows × x columns; y-slice and x-slice: z rows), windowed to 8 bits,
 * labels in their phase colours (over grey with `labelOpacity`). One pixel per
 * voxel (spacing not applied); volumes over 512 voxels along an axis are strided.
 */
function renderSlices(p: Prepared, labelOpacity: number): RasterImage {
  const [nz, ny, nx] = p.grey.shape;
  const step = Math.max(1, Math.ceil(Math.max(nz, ny, nx) / PNG_PANEL_MAX));
  const sz = Math.ceil(nz / step);
  const sy = Math.ceil(ny / step);
  const sx = Math.ceil(nx / step);
  // Panels: [rows, cols, voxel index of (row, col)].
  const zm = nz >> 1;
  const ym = ny >> 1;
  const xm = nx >> 1;
  const panels: [number, number, (r: number, c: number) => number][] = [
    [sy, sx, (r, c) => (zm * ny + r * step) * nx + c * step],
    [sz, sx, (r, c) => (r * step * ny + ym) * nx + c * step],
    [sz, sy, (r, c) => (r * step * ny + c * step) * nx + xm],
  ];
  const width = sx + sx + sy + 2 * PNG_GAP;
  const height = Math.max(sy, sz);
  const labelsOnly = p.labels !== undefined && p.labels === p.grey;
  const channels: 1 | 3 = p.labels ? 3 : 1;
  const img = new Uint8Array(width * height * channels).fill(255);
  const g = p.grey.data;
  const [lo, hi] = p.window;
  const span = hi - lo;
  const lab = p.labels?.data;
  const color = p.labels ? colorLookup(p.labels.phases) : undefined;
  const a = Math.min(1, Math.max(0, labelOpacity));
  let x0 = 0;
  for (const [rows, cols, at] of panels) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = at(r, c);
        const o = (r * width + x0 + c) * channels;
        let v = ((g[i] - lo) * 255) / span; // multiply first: 127.5 stays exact
        v = v !== v ? 0 : v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
        if (channels === 1) img[o] = v;
        else if (labelsOnly) {
          const col = color!(lab![i]);
          img[o] = col[0];
          img[o + 1] = col[1];
          img[o + 2] = col[2];
        } else {
          const col = color!(lab![i]);
          img[o] = Math.round(v * (1 - a) + col[0] * a);
          img[o + 1] = Math.round(v * (1 - a) + col[1] * a);
          img[o + 2] = Math.round(v * (1 - a) + col[2] * a);
        }
      }
    }
    x0 += cols + PNG_GAP;
  }
  return { width, height, channels, data: img };
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (Number.isInteger(x)) return String(x);
  const s = Math.abs(x) >= 1e-4 && Math.abs(x) < 1e7 ? x.toPrecision(6) : x.toExponential(4);
  return s.includes("e") ? s : s.replace(/\.?0+$/, "");
}

/** Voxel counts per distinct value (labels: few values). */
function valueCounts(v: Volume): Map<number, number> {
  const d = v.data;
  const dtype = dtypeOf(d);
  const out = new Map<number, number>();
  if (dtype === "uint8" || dtype === "uint16") {
    const counts = new Float64Array(DTYPE_RANGE[dtype][1] + 1);
    for (let i = 0; i < d.length; i++) counts[d[i]]++;
    counts.forEach((c, value) => c > 0 && out.set(value, c));
  } else {
    for (let i = 0; i < d.length; i++) out.set(d[i], (out.get(d[i]) ?? 0) + 1);
  }
  return out;
}

const MAX_PHASE_LINES = 24;

function summarize(volume: Volume, p: Prepared | undefined, options: ShowOptions): string {
  const [nz, ny, nx] = volume.shape;
  const [dz, dy, dx] = volume.spacing;
  const kind = isLabelVolume(volume) ? "LabelVolume" : "Volume";
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(String(options.title));
  lines.push(
    `${kind} ${nz} × ${ny} × ${nx} (z, y, x) ${dtypeOf(volume.data)}, spacing ${fmt(dz)} × ${fmt(dy)} × ${fmt(dx)} µm, ` +
      `extent ${fmt(nz * dz)} × ${fmt(ny * dy)} × ${fmt(nx * dx)} µm`,
  );
  const s = statistics(volume);
  lines.push(`min ${fmt(s.min)}  max ${fmt(s.max)}  mean ${fmt(s.mean)}  std ${fmt(s.std)}` + (s.nanCount ? `  NaN voxels ${s.nanCount}` : ""));
  const tables: [string, LabelVolume][] = [];
  if (isLabelVolume(volume)) tables.push(["phases", volume]);
  else if (options.labels && isLabelVolume(options.labels)) tables.push(["label phases", options.labels]);
  for (const [head, lv] of tables) {
    const counts = valueCounts(lv);
    const total = voxelCount(lv.shape);
    lines.push(`${head} (value, name, voxel fraction):`);
    const named = new Set<number>();
    const width = Math.min(32, Math.max(4, ...lv.phases.slice(0, MAX_PHASE_LINES).map((ph) => ph.name.length)));
    const rows: string[] = [];
    for (const ph of lv.phases) {
      named.add(ph.value);
      rows.push(`  ${String(ph.value).padStart(6)}  ${ph.name.padEnd(width)}  ${((counts.get(ph.value) ?? 0) / total).toFixed(6)}`);
    }
    for (const [value, c] of [...counts].sort((x, y) => x[0] - y[0])) {
      if (!named.has(value)) rows.push(`  ${String(value).padStart(6)}  ${"(no phase)".padEnd(width)}  ${(c / total).toFixed(6)}`);
    }
    // Label volumes of particles may have thousands of values: list the first ones only.
    lines.push(...rows.slice(0, MAX_PHASE_LINES));
    if (rows.length > MAX_PHASE_LINES) lines.push(`  … ${rows.length - MAX_PHASE_LINES} more values`);
  }
  if (p) {
    const [sz, sy, sx] = p.grey.shape;
    const down = p.factor.some((f) => f > 1) ? `downsampled by ${p.factor.join(" × ")}` : "full resolution";
    lines.push(`shown ${sz} × ${sy} × ${sx} (${down}), window [${fmt(p.window[0])}, ${fmt(p.window[1])}]`);
  }
  return lines.join("\n");
}

/**
 * The text/plain summary of a volume: shape, dtype, spacing, min/max/mean/std,
 * and for labels each phase's voxel fraction (of the full-resolution volume).
 *
 * @example
 * console.log(volumeSummary(labels));
 */
export function volumeSummary(volume: Volume, options: ShowOptions = {}): string {
  return guard(() => {
    checkVolume(volume, "volumeSummary()'s argument");
    return summarize(volume, undefined, options);
  });
}

/** An arquero table, recognised by shape (works across module copies). */
interface TableLike {
  numRows(): number;
  columnNames(): string[];
  get(name: string, row?: number): unknown;
  toHTML(options?: { limit?: number }): string;
}

/** True for an arquero table. @example isTableLike(aq.table({ a: [1] })) // true */
export function isTableLike(x: unknown): x is TableLike {
  const t = x as TableLike;
  return typeof x === "object" && x !== null && typeof t.numRows === "function" && typeof t.columnNames === "function" &&
    typeof t.get === "function" && typeof t.toHTML === "function";
}

/** A plotly figure `{ data: [...traces], layout? }`. */
export interface PlotlyFigureLike {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** True for `{ data: [...], layout? }` objects that are not volumes. @example isPlotlyFigure({ data: [] }) // true */
export function isPlotlyFigure(x: unknown): x is PlotlyFigureLike {
  const f = x as PlotlyFigureLike;
  return typeof x === "object" && x !== null && Array.isArray(f.data) && !("shape" in f) &&
    (f.layout === undefined || (typeof f.layout === "object" && f.layout !== null));
}

function isVolumeLike(x: unknown): x is Volume {
  const v = x as Volume;
  return typeof x === "object" && x !== null && ArrayBuffer.isView(v.data) && Array.isArray(v.shape) && Array.isArray(v.spacing);
}

function cellText(v: unknown): string {
  if (typeof v === "number") return fmt(v);
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function tableText(t: TableLike, maxRows: number): string {
  const names = t.columnNames();
  const n = t.numRows();
  const rows = Math.min(n, maxRows);
  const cells = names.map((name) => {
    const col = [name];
    for (let r = 0; r < rows; r++) col.push(cellText(t.get(name, r)));
    return col;
  });
  const widths = cells.map((col) => Math.max(...col.map((s) => s.length)));
  const lines: string[] = [];
  for (let r = 0; r <= rows; r++) {
    lines.push(cells.map((col, j) => (r === 0 ? col[r].padEnd(widths[j]) : col[r].padStart(widths[j]))).join("  ").trimEnd());
    if (r === 0) lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  }
  lines.push(n > rows ? `… ${n - rows} more rows (${n} × ${names.length})` : `(${n} × ${names.length})`);
  return lines.join("\n");
}

/** Runs `f`, turning anything but a TomolyteError into INTERNAL (show() never crashes the kernel). */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    if (e instanceof RangeError) {
      throw new TomolyteError(ERROR_CODES.OUT_OF_MEMORY, `display ran out of memory: ${e.message}; lower maxVoxels`, undefined, { cause: e });
    }
    throw new TomolyteError(ERROR_CODES.INTERNAL, `display failed: ${(e as Error)?.message ?? String(e)}`, undefined, { cause: e });
  }
}

/**
 * Everything `show(x)` sends, as one MIME bundle:
 * - Volume / LabelVolume: the volume payload, image/png (base64) and text/plain;
 * - arquero table: text/html and text/plain;
 * - plotly figure `{ data, layout }`: application/vnd.plotly.v1+json and text/plain
 *   (show() adds an image/png in a notebook: see figureMimeBundle).
 *
 * @example
 * const bundle = mimeBundle(ct, { title: "scan" });
 * Object.keys(bundle) // ["application/vnd.tomolyte.volume+json", "image/png", "text/plain"]
 */
export function mimeBundle(x: unknown, options: ShowOptions = {}): MimeBundle {
  return guard(() => {
    if (typeof options !== "object" || options === null) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `show() options must be an object, got ${String(options)}`);
    }
    if (isComparison(x) || isTimeSeries(x)) return multiBundle(x, options);
    if (isVolumeLike(x)) {
      const p = prepare(x, options);
      const png = encodePNG(renderSlices(p, options.labelOpacity ?? 0.4));
      return {
        [VOLUME_MIME]: toBundle(p, options.title),
        "image/png": base64Encode(png),
        "text/plain": summarize(x, p, options),
      };
    }
    if (isTableLike(x)) {
      const maxRows = options.maxRows ?? 20;
      if (!(Number.isInteger(maxRows) && maxRows >= 0)) {
        throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `maxRows must be a non-negative integer, got ${String(maxRows)}`);
      }
      const title = options.title !== undefined ? `${String(options.title)}\n` : "";
      const html = x.toHTML({ limit: maxRows });
      return {
        "text/html": (options.title !== undefined ? `<p><b>${escapeHTML(String(options.title))}</b></p>` : "") + html,
        "text/plain": title + tableText(x, maxRows),
      };
    }
    if (isPlotlyFigure(x)) {
      // Figures from plot/ land here. The image/png fallback needs a browser (I/O):
      // show() adds it (show.ts, export.ts); this builder stays pure.
      const fig: PlotlyFigureLike = { data: x.data, layout: x.layout ?? {} };
      if (x.config) fig.config = x.config;
      const types = [...new Set(x.data.map((t) => String((t as { type?: unknown })?.type ?? "scatter")))];
      const layoutTitle = (x.layout as { title?: unknown } | undefined)?.title;
      const title = options.title ?? (typeof layoutTitle === "string" ? layoutTitle : (layoutTitle as { text?: string })?.text);
      return {
        // Plain JSON: typed arrays (common in traces) become arrays, NaN becomes null (a gap).
        [PLOTLY_MIME]: JSON.parse(JSON.stringify(fig, (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v))),
        "text/plain": `${title ? `${title}: ` : ""}plotly figure, ${x.data.length} trace${x.data.length === 1 ? "" : "s"} (${types.join(", ")})`,
      };
    }
    const what = x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `show() accepts a Volume, a LabelVolume, compare([...]), series([...]), an arquero table or a plotly figure { data, layout }; got ${what}` +
        (Array.isArray(x) ? " (for several volumes in one viewer use compare([...]) or series([...]))" : ""),
    );
  });
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Stacks rasters top to bottom, left-aligned, PNG_GAP white pixels apart (grey ones become RGB when any is RGB). */
function stackImages(images: RasterImage[]): RasterImage {
  const channels: 1 | 3 = images.some((im) => im.channels === 3) ? 3 : 1;
  const width = Math.max(...images.map((im) => im.width));
  const height = images.reduce((h, im) => h + im.height, 0) + PNG_GAP * (images.length - 1);
  const data = new Uint8Array(width * height * channels).fill(255);
  let y0 = 0;
  for (const im of images) {
    for (let r = 0; r < im.height; r++) {
      for (let c = 0; c < im.width; c++) {
        const src = (r * im.width + c) * im.channels;
        const dst = ((y0 + r) * width + c) * channels;
        for (let k = 0; k < channels; k++) data[dst + k] = im.data[src + (im.channels === 1 ? 0 : k)];
      }
    }
    y0 += im.height + PNG_GAP;
  }
  return { width, height, channels, data };
}

/** The volume fields of one panel or frame (everything but the shared grid). */
function volumeFields(p: Prepared, name: string | undefined): VolumeMimeVolume {
  const b = toBundle(p, undefined);
  const out: VolumeMimeVolume = { dtype: b.dtype, data: b.data, window: b.window };
  if (b.labels) out.labels = b.labels;
  if (name !== undefined) out.name = String(name);
  return out;
}

/**
 * compare() / series(): the top-level payload is panel (frame) 0, the others go to `panels`
 * (`frames`); all are reduced by one factor, chosen so that every volume fits
 * min(maxVoxels, maxTotalVoxels / count). PNG: the middle slices of every panel stacked
 * (a series: frame 0 only). Text: one header line, then each volume's summary.
 */
function multiBundle(x: Comparison | TimeSeries, options: ShowOptions): MimeBundle {
  const specs: readonly PanelSpec[] = isComparison(x) ? x.panels : x.frames;
  const total = options.maxTotalVoxels ?? DEFAULT_MAX_TOTAL_VOXELS;
  if (!(typeof total === "number" && Number.isFinite(total) && total >= specs.length)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `maxTotalVoxels must be a number >= the number of volumes, got ${String(total)}`);
  }
  const maxVoxels = Math.min(options.maxVoxels ?? DEFAULT_MAX_VOXELS, Math.floor(total / specs.length));
  const series = isTimeSeries(x) ? x : undefined;
  const prepared = specs.map((s) =>
    prepare(s.volume, { maxVoxels, labels: s.labels, window: series?.window ?? s.window }),
  );
  if (series && !series.window) {
    // One window over time: the lowest low and the highest high of the frames' own windows.
    const lo = Math.min(...prepared.map((p) => p.window[0]));
    const hi = Math.max(...prepared.map((p) => p.window[1]));
    for (const p of prepared) p.window = [lo, hi];
  }
  const head = toBundle(prepared[0], options.title);
  if (specs[0].title !== undefined) head.name = String(specs[0].title);
  const rest = prepared.slice(1).map((p, i) => volumeFields(p, specs[i + 1].title));
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(String(options.title));
  if (series) {
    head.fps = series.fps;
    if (series.times_s) head.time_s = series.times_s[0];
    head.frames = rest.map((f, i) => (series.times_s ? { ...f, time_s: series.times_s[i + 1] } : f));
    const t = series.times_s;
    lines.push(`Time series of ${specs.length} frame${specs.length === 1 ? "" : "s"}` + (t ? `, t = ${fmt(t[0])} … ${fmt(t[t.length - 1])} s` : "") + `; frame 0:`);
    lines.push(summarize(specs[0].volume, prepared[0], { labels: specs[0].labels }));
  } else {
    head.panels = rest;
    lines.push(`Comparison of ${specs.length} volumes on one ${specs[0].volume.shape.join(" × ")} grid (z, y, x):`);
    specs.forEach((s, i) => {
      lines.push(`[${i}]${s.title !== undefined ? ` ${s.title}` : ""}`);
      lines.push(summarize(s.volume, prepared[i], { labels: s.labels }).replace(/^/gm, "  "));
    });
  }
  const opacity = options.labelOpacity ?? 0.4;
  const images = (series ? prepared.slice(0, 1) : prepared).map((p) => renderSlices(p, opacity));
  return {
    [VOLUME_MIME]: head,
    "image/png": base64Encode(encodePNG(stackImages(images))),
    "text/plain": lines.join("\n"),
  };
}
