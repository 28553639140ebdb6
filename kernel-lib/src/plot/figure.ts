import { ERROR_CODES, TomolyteError } from "../errors";

/**
 * A plotly figure as pure data: what `show(figure)` sends as
 * application/vnd.plotly.v1+json and what the static export renders.
 */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** True for `{ data: [...], layout: {...} }` objects. @example isFigure(histogramFigure(h)) // true */
export function isFigure(x: unknown): x is PlotlyFigure {
  return (
    typeof x === "object" && x !== null && Array.isArray((x as PlotlyFigure).data) &&
    typeof (x as PlotlyFigure).layout === "object" && (x as PlotlyFigure).layout !== null
  );
}

/** One look for every tomolyte figure: font, margins, white background, axis lines. */
export const FIGURE_STYLE = {
  font: { family: "DejaVu Sans, Arial, sans-serif", size: 13, color: "#222" },
  paper_bgcolor: "#ffffff",
  plot_bgcolor: "#ffffff",
  margin: { l: 64, r: 24, t: 48, b: 56 },
  colorway: ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"],
} as const;

/** An axis with a title that carries its unit, e.g. axis("depth z", "µm"). */
export function axis(title: string, unit?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: unit ? `${title} (${unit})` : title },
    showline: true,
    linecolor: "#444",
    ticks: "outside",
    zeroline: false,
    gridcolor: "#e6e6e6",
    automargin: true,
    ...extra,
  };
}

/** A layout in the house style. */
export function baseLayout(title: string | undefined, xaxis: Record<string, unknown>, yaxis: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...FIGURE_STYLE,
    ...(title ? { title: { text: title, x: 0.02, xanchor: "left" } } : {}),
    xaxis,
    yaxis,
    legend: { orientation: "h", y: -0.2 },
    ...extra,
  };
}

/** Throws INVALID_ARGUMENT when two arrays that must pair up differ in length. */
export function checkSameLength(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${what}: lengths differ (${a.length} vs ${b.length})`);
  }
}

/** Plain array copy for JSON (typed arrays serialise as objects otherwise). */
export function toArray(a: ArrayLike<number>): number[] {
  return Array.from(a, (v) => (Number.isFinite(v) ? v : null) as number);
}
