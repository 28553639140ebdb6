import { ERROR_CODES, TomolyteError } from "../errors";
import { type Axis, type Histogram, type LabelVolume, type Phase, type Volume, axisIndex, slice } from "../volume";
import { type PlotlyFigure, FIGURE_STYLE, axis, baseLayout, checkSameLength, toArray } from "./figure";

export interface HistogramFigureOptions {
  title?: string;
  /** Threshold values to mark with vertical lines (grey units). */
  thresholds?: readonly number[];
  /** Logarithmic count axis (default false). */
  logCounts?: boolean;
  /** Name of the grey unit on the x axis (default "grey value"). */
  valueName?: string;
  /** A second histogram to overlay, e.g. after filtering: { name, histogram }. */
  compare?: { name: string; histogram: Histogram };
  name?: string;
}

/**
 * Grey-value histogram as bars, with optional threshold markers and a second
 * histogram overlaid (before/after filtering).
 *
 * @example
 * const fig = histogramFigure(histogram(grey, { bins: 128 }), { thresholds: [otsuT] });
 * show(fig);
 */
export function histogramFigure(h: Histogram, options: HistogramFigureOptions = {}): PlotlyFigure {
  const trace = (hh: Histogram, name: string, color: string) => {
    checkSameLength("histogram", hh.counts, { length: hh.edges.length - 1 });
    const centres = new Float64Array(hh.counts.length);
    for (let i = 0; i < centres.length; i++) centres[i] = (hh.edges[i] + hh.edges[i + 1]) / 2;
    return {
      type: "bar",
      name,
      x: toArray(centres),
      y: toArray(hh.counts),
      width: hh.edges.length > 1 ? hh.edges[1] - hh.edges[0] : 1,
      marker: { color, opacity: 0.75 },
    };
  };
  const data: Record<string, unknown>[] = [trace(h, options.name ?? "voxels", "#0072B2")];
  if (options.compare) data.push(trace(options.compare.histogram, options.compare.name, "#E69F00"));
  const shapes = (options.thresholds ?? []).map((t) => ({
    type: "line",
    x0: t,
    x1: t,
    yref: "paper",
    y0: 0,
    y1: 1,
    line: { color: "#D55E00", width: 2, dash: "dash" },
  }));
  const annotations = (options.thresholds ?? []).map((t, i) => ({
    x: t,
    yref: "paper",
    y: 1,
    text: `t${(options.thresholds?.length ?? 0) > 1 ? i + 1 : ""} = ${Number(t.toPrecision(4))}`,
    showarrow: false,
    yanchor: "bottom",
    font: { color: "#D55E00" },
  }));
  return {
    data,
    layout: baseLayout(
      options.title ?? "Grey-value histogram",
      axis(options.valueName ?? "grey value"),
      axis("voxels", undefined, options.logCounts ? { type: "log" } : {}),
      { barmode: "overlay", bargap: 0, shapes, annotations },
    ),
  };
}

export interface SliceFigureOptions {
  axis?: Axis;
  /** Slice index (default: the middle). */
  index?: number;
  /** Labels drawn over the grey image, coloured by their phase table. */
  labels?: LabelVolume;
  /** Opacity of the label overlay, 0..1 (default 0.4). */
  labelOpacity?: number;
  title?: string;
  colorscale?: string;
}

/**
 * One slice as a heatmap with axes in micrometres; label volumes are drawn
 * in their phase colours with a legend, optionally over a grey image.
 *
 * @example
 * show(sliceFigure(grey, { axis: "z", labels }));
 */
export function sliceFigure(volume: Volume, options: SliceFigureOptions = {}): PlotlyFigure {
  const ax = options.axis ?? "z";
  const a = axisIndex(ax);
  const index = options.index ?? Math.floor(volume.shape[a] / 2);
  const img = slice(volume, ax, index);
  const [rowName, colName] = ax === "z" ? ["y", "x"] : ax === "y" ? ["z", "x"] : ["z", "y"];
  const coords = (n: number, d: number) => Array.from({ length: n }, (_, i) => (i + 0.5) * d);
  const xs = coords(img.width, img.spacing[1]);
  const ys = coords(img.height, img.spacing[0]);
  const rows = (data: ArrayLike<number>) =>
    Array.from({ length: img.height }, (_, r) => Array.from({ length: img.width }, (_, c) => data[r * img.width + c]));
  const data: Record<string, unknown>[] = [];
  const isLabels = "phases" in volume && Array.isArray((volume as LabelVolume).phases) && !options.labels;
  const labels = options.labels ?? (isLabels ? (volume as LabelVolume) : undefined);
  if (!isLabels) {
    data.push({ type: "heatmap", x: xs, y: ys, z: rows(img.data), colorscale: options.colorscale ?? "Greys", showscale: true, colorbar: { title: { text: "grey" } }, name: "grey" });
  }
  if (labels) {
    if (labels.shape.some((n, i) => n !== volume.shape[i])) {
      throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `labels shape ${labels.shape.join("×")} differs from the volume's ${volume.shape.join("×")}`);
    }
    const lab = slice(labels, ax, index);
    data.push(...phaseTraces(labels.phases, lab.data, img.width, img.height, xs, ys, isLabels ? 1 : options.labelOpacity ?? 0.4));
  }
  return {
    data,
    layout: baseLayout(
      options.title ?? `Slice ${ax} = ${index} (${((index + 0.5) * volume.spacing[a]).toFixed(2)} µm)`,
      axis(colName, "µm", { constrain: "domain" }),
      axis(rowName, "µm", { autorange: "reversed", scaleanchor: "x", constrain: "domain" }),
      { showlegend: true },
    ),
  };
}

/** One heatmap trace per phase (NaN elsewhere), so each phase gets its colour and a legend entry. */
function phaseTraces(phases: readonly Phase[], data: ArrayLike<number>, w: number, h: number, xs: number[], ys: number[], opacity: number): Record<string, unknown>[] {
  return phases.map((p) => ({
    type: "heatmap",
    name: p.name,
    x: xs,
    y: ys,
    z: Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (data[r * w + c] === p.value ? 1 : null))),
    colorscale: [[0, p.color], [1, p.color]],
    showscale: false,
    showlegend: true,
    opacity,
    hovertemplate: `${p.name}<extra></extra>`,
  }));
}

export interface ProfileSeries {
  /** e.g. "pore". */
  name: string;
  /** Value per slice, e.g. volume fraction. */
  values: ArrayLike<number>;
  color?: string;
}

/**
 * Phase-fraction (or any per-slice) profiles along an axis, positions in µm.
 *
 * @example
 * show(profileFigure([{ name: "pore", values: poreProfile }], { spacing_um: 0.39, axis: "z" }));
 */
export function profileFigure(series: readonly ProfileSeries[], options: { spacing_um: number; axis?: Axis; title?: string; valueName?: string; valueUnit?: string }): PlotlyFigure {
  const data = series.map((s) => ({
    type: "scatter",
    mode: "lines",
    name: s.name,
    x: Array.from({ length: s.values.length }, (_, i) => (i + 0.5) * options.spacing_um),
    y: toArray(s.values),
    ...(s.color ? { line: { color: s.color, width: 2 } } : { line: { width: 2 } }),
  }));
  const ax = options.axis ?? "z";
  return {
    data,
    layout: baseLayout(
      options.title ?? `Profiles along ${ax}`,
      axis(`position along ${ax}`, "µm"),
      axis(options.valueName ?? "volume fraction", options.valueUnit, options.valueName ? {} : { range: [0, 1] }),
    ),
  };
}

/**
 * A distribution (e.g. particle or pore sizes) as bars over bin centres, with
 * the cumulative curve on a second axis.
 *
 * @example
 * show(distributionFigure(diameters_um, fractions, { valueName: "diameter" }));
 */
export function distributionFigure(
  binCentres: ArrayLike<number>,
  fractions: ArrayLike<number>,
  options: { valueName?: string; unit?: string; title?: string; name?: string; color?: string } = {},
): PlotlyFigure {
  checkSameLength("distribution", binCentres, fractions);
  const cumulative = new Float64Array(fractions.length);
  let acc = 0;
  for (let i = 0; i < fractions.length; i++) cumulative[i] = acc += fractions[i];
  return {
    data: [
      { type: "bar", name: options.name ?? "fraction", x: toArray(binCentres), y: toArray(fractions), marker: { color: options.color ?? "#0072B2" } },
      { type: "scatter", mode: "lines", name: "cumulative", x: toArray(binCentres), y: toArray(cumulative), yaxis: "y2", line: { color: "#D55E00", width: 2 } },
    ],
    layout: baseLayout(
      options.title ?? "Size distribution",
      axis(options.valueName ?? "diameter", options.unit ?? "µm"),
      axis("fraction"),
      {
        // The right axis needs room for its tick labels and its title.
        margin: { ...FIGURE_STYLE.margin, r: 80 },
        yaxis2: { ...axis("cumulative fraction"), overlaying: "y", side: "right", range: [0, 1.02], automargin: true },
        bargap: 0.05,
      },
    ),
  };
}

/**
 * One metric against another across samples (or sub-volumes), with optional error bars.
 *
 * @example
 * show(scatterFigure([{ name: "cathodes", x: porosity, y: tau }], { x: ["porosity"], y: ["tortuosity factor"] }));
 */
export function scatterFigure(
  series: readonly { name: string; x: ArrayLike<number>; y: ArrayLike<number>; yError?: ArrayLike<number>; text?: string[] }[],
  options: { x: readonly [string, string?]; y: readonly [string, string?]; title?: string; logX?: boolean; logY?: boolean; mode?: "markers" | "lines+markers" },
): PlotlyFigure {
  const data = series.map((s) => {
    checkSameLength(s.name, s.x, s.y);
    return {
      type: "scatter",
      mode: options.mode ?? "markers",
      name: s.name,
      x: toArray(s.x),
      y: toArray(s.y),
      ...(s.yError ? { error_y: { type: "data", array: toArray(s.yError), visible: true } } : {}),
      ...(s.text ? { text: s.text } : {}),
      marker: { size: 8 },
    };
  });
  return {
    data,
    layout: baseLayout(
      options.title,
      axis(options.x[0], options.x[1], options.logX ? { type: "log" } : {}),
      axis(options.y[0], options.y[1], options.logY ? { type: "log" } : {}),
    ),
  };
}
