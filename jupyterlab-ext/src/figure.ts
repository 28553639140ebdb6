/**
 * The plotly figure payload (application/vnd.plotly.v1+json): checked here, in pure code
 * without the DOM, so Node tests cover it; drawn by plotly.ts.
 */
export const PLOTLY_MIME_TYPE = "application/vnd.plotly.v1+json";

/** A checked figure: traces and layout as plotly.js takes them. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
  frames?: Record<string, unknown>[];
}

/**
 * Checks a payload (object or JSON text) is a figure; throws an Error with a one-line reason
 * otherwise. Titles and text inside stay plotly's business (it escapes them as SVG text).
 * @example parsePlotlyFigure({ data: [{ y: [1, 2] }] }).layout // {}
 */
export function parsePlotlyFigure(raw: unknown): PlotlyFigure {
  const v = typeof raw === "string" ? JSON.parse(raw) : raw;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("a plotly figure must be an object { data, layout }");
  const f = v as Record<string, unknown>;
  if (!Array.isArray(f.data) || !f.data.every((t) => t && typeof t === "object" && !Array.isArray(t))) {
    throw new Error("a plotly figure needs `data`: an array of trace objects");
  }
  const obj = (x: unknown, what: string) => {
    if (x === undefined || x === null) return {};
    if (typeof x !== "object" || Array.isArray(x)) throw new Error(`\`${what}\` of a plotly figure must be an object`);
    return x as Record<string, unknown>;
  };
  return {
    data: f.data as Record<string, unknown>[],
    layout: obj(f.layout, "layout"),
    // No plotly.com links or cloud calls from a notebook output.
    config: { responsive: true, displaylogo: false, showLink: false, ...obj(f.config, "config") },
    frames: Array.isArray(f.frames) ? (f.frames as Record<string, unknown>[]) : undefined,
  };
}

