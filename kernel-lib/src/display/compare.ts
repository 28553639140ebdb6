/**
 * compare() and series(): several volumes on one grid, for one viewer output.
 * `show(compare([raw, filtered, labels]))` shows them side by side, stepping together;
 * `show(series(scans, { times_s }))` shows an operando series with a frame slider and play.
 * These only check and hold the volumes; bundle.ts turns them into the MIME payload.
 */
import { ERROR_CODES, TomolyteError } from "../errors";
import { type LabelVolume, type Volume, createVolume, isLabelVolume } from "../volume";

/** One volume of a comparison or series, optionally with a label overlay and its own caption/window. */
export interface PanelSpec {
  volume: Volume;
  /** A LabelVolume of the same shape drawn over `volume`. */
  labels?: LabelVolume;
  /** Caption of this panel / frame. */
  title?: string;
  /** Initial window [lo, hi]; default from the volume's 0.5–99.5 percentiles. */
  window?: readonly [number, number];
}

/** A volume, a label volume, or a volume with an overlay (`{ volume, labels }`). */
export type PanelInput = Volume | PanelSpec;

/** How volumes whose spacings differ are treated: refused ("equal", default) or shown on the first one's grid ("first"). */
export type SpacingRule = "equal" | "first";

export interface CompareOptions {
  /** Captions, one per volume (override the items' own `title`). */
  titles?: readonly string[];
  /** Initial windows, one per volume (undefined entries: automatic). */
  windows?: readonly (readonly [number, number] | undefined)[];
  /** Default "equal": spacings must agree (relative 1e-6); "first": the first volume's spacing is used for all. */
  spacing?: SpacingRule;
}

/** Volumes shown side by side by one viewer (from compare()). */
export interface Comparison {
  readonly kind: "tomolyte-comparison";
  readonly panels: readonly PanelSpec[];
}

export interface SeriesOptions {
  /** Time of each frame in seconds (non-decreasing), shown beside the frame slider. */
  times_s?: readonly number[];
  /** Captions, one per frame. */
  titles?: readonly string[];
  /** One window for all frames; default: the lowest 0.5th and highest 99.5th percentile over the frames. */
  window?: readonly [number, number];
  /** Initial playback rate in frames per second (default 4, at most 60). */
  fps?: number;
  /** As compare()'s `spacing`. */
  spacing?: SpacingRule;
}

/** An operando series shown by one viewer with a frame slider (from series()). */
export interface TimeSeries {
  readonly kind: "tomolyte-series";
  readonly frames: readonly PanelSpec[];
  readonly times_s?: readonly number[];
  readonly window?: readonly [number, number];
  readonly fps: number;
}

/** Most panels in one comparison: beyond this the panels are too small to judge anything. */
export const MAX_PANELS = 8;
/** Most frames in one series. */
export const MAX_FRAMES = 1000;

function isVolumeLike(x: unknown): x is Volume {
  const v = x as Volume;
  return typeof x === "object" && x !== null && ArrayBuffer.isView(v.data) && Array.isArray(v.shape) && Array.isArray(v.spacing);
}

function toSpec(item: unknown, i: number, what: string): PanelSpec {
  if (isVolumeLike(item)) return { volume: item };
  const s = item as PanelSpec;
  if (typeof item === "object" && item !== null && isVolumeLike(s.volume)) {
    if (s.labels !== undefined && !(isVolumeLike(s.labels) && isLabelVolume(s.labels))) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}[${i}].labels must be a LabelVolume (make one with labelVolume(v, phases))`);
    }
    if (s.labels !== undefined && isLabelVolume(s.volume)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}[${i}] has two label volumes; put a grey volume in \`volume\``);
    }
    return { volume: s.volume, labels: s.labels, title: s.title, window: s.window };
  }
  throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}[${i}] must be a Volume or { volume, labels? }, got ${item === null ? "null" : typeof item}`);
}

function checkGrid(specs: PanelSpec[], what: string, rule: SpacingRule | undefined): void {
  if (rule !== undefined && rule !== "equal" && rule !== "first") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `spacing must be "equal" or "first", got ${JSON.stringify(rule)}`);
  }
  const first = specs[0].volume;
  specs.forEach((s, i) => {
    createVolume(s.volume.data, s.volume.shape, s.volume.spacing); // throws on an inconsistent volume
    for (const [v, name] of [[s.volume, `${what}[${i}]`], [s.labels, `${what}[${i}].labels`]] as const) {
      if (!v) continue;
      if (v.shape.some((n, k) => n !== first.shape[k])) {
        throw new TomolyteError(
          ERROR_CODES.SHAPE_MISMATCH,
          `${name} has shape ${v.shape.join("×")} but ${what}[0] has ${first.shape.join("×")}: all volumes must share one shape (crop or resample first)`,
        );
      }
      if (rule !== "first" && v.spacing.some((d, k) => Math.abs(d - first.spacing[k]) > 1e-6 * Math.max(Math.abs(d), Math.abs(first.spacing[k])))) {
        throw new TomolyteError(
          ERROR_CODES.SHAPE_MISMATCH,
          `${name} has spacing ${v.spacing.join("×")} µm but ${what}[0] has ${first.spacing.join("×")} µm; ` +
            `pass { spacing: "first" } to show them all on the first volume's spacing`,
        );
      }
    }
  });
}

function checkList(items: unknown, what: string, max: number, min: number): unknown[] {
  if (!Array.isArray(items)) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}() takes an array of volumes`);
  if (items.length < min || items.length > max) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}() takes ${min} to ${max} volumes, got ${items.length}`);
  }
  return items;
}

function checkTitles(titles: readonly string[] | undefined, n: number, what: string): void {
  if (titles !== undefined && (!Array.isArray(titles) || titles.length !== n)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}: titles must have one entry per volume (${n})`);
  }
}

/**
 * Puts volumes of one shape side by side in one viewer output: `show(compare([...]))`.
 * They step together (slice indices, crosshair, zoom and pan are shared); each panel keeps
 * its own window and colour map. Items are volumes, label volumes (their own panel, in
 * phase colours) or `{ volume, labels }` (labels over a grey volume). Shapes must agree
 * (SHAPE_MISMATCH); spacings too, unless `{ spacing: "first" }`.
 *
 * @example
 * show(compare([ct, smooth, seg], { titles: ["raw", "NLM", "multi-Otsu"] }));
 * show(compare([ct, { volume: ct, labels: seg, title: "overlay" }]));
 */
export function compare(items: readonly PanelInput[], options: CompareOptions = {}): Comparison {
  const list = checkList(items, "compare", MAX_PANELS, 1);
  checkTitles(options.titles, list.length, "compare()");
  if (options.windows !== undefined && (!Array.isArray(options.windows) || options.windows.length !== list.length)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `compare(): windows must have one entry per volume (${list.length})`);
  }
  const panels = list.map((it, i) => {
    const s = toSpec(it, i, "compare");
    if (options.titles) s.title = options.titles[i];
    if (options.windows?.[i]) s.window = options.windows[i];
    return s;
  });
  checkGrid(panels, "compare", options.spacing);
  return Object.freeze({ kind: "tomolyte-comparison" as const, panels: Object.freeze(panels) });
}

/**
 * An operando time series for one viewer output: `show(series(scans, { times_s }))` adds a
 * frame slider with play/pause (space), `[` and `]` to step frames; the slices, window and
 * zoom stay as the frame changes. One window serves all frames, so grey levels compare
 * across time. Frames must share a shape (SHAPE_MISMATCH) and spacing (unless `{ spacing: "first" }`).
 *
 * @example
 * show(series([scan0, scan1, scan2], { times_s: [0, 600, 1200], fps: 2 }));
 * show(series(frames.map((v, i) => ({ volume: v, labels: segs[i] }))));
 */
export function series(frames: readonly PanelInput[], options: SeriesOptions = {}): TimeSeries {
  const list = checkList(frames, "series", MAX_FRAMES, 1);
  checkTitles(options.titles, list.length, "series()");
  const specs = list.map((it, i) => {
    const s = toSpec(it, i, "series");
    if (options.titles) s.title = options.titles[i];
    return s;
  });
  checkGrid(specs, "series", options.spacing);
  const t = options.times_s;
  if (t !== undefined) {
    if (!Array.isArray(t) || t.length !== list.length || !t.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `series(): times_s must hold one finite number per frame (${list.length})`);
    }
    for (let i = 1; i < t.length; i++) {
      if (t[i] < t[i - 1]) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `series(): times_s must not decrease (frame ${i}: ${t[i]} < ${t[i - 1]})`);
    }
  }
  const fps = options.fps ?? 4;
  if (!(typeof fps === "number" && fps > 0 && fps <= 60)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `series(): fps must be in (0, 60], got ${String(fps)}`);
  }
  return Object.freeze({
    kind: "tomolyte-series" as const,
    frames: Object.freeze(specs),
    times_s: t ? Object.freeze([...t]) : undefined,
    window: options.window,
    fps,
  });
}

/** True for the result of compare(). @example isComparison(compare([a, b])) // true */
export function isComparison(x: unknown): x is Comparison {
  return typeof x === "object" && x !== null && (x as Comparison).kind === "tomolyte-comparison" && Array.isArray((x as Comparison).panels);
}

/** True for the result of series(). @example isTimeSeries(series([a, b])) // true */
export function isTimeSeries(x: unknown): x is TimeSeries {
  return typeof x === "object" && x !== null && (x as TimeSeries).kind === "tomolyte-series" && Array.isArray((x as TimeSeries).frames);
}
