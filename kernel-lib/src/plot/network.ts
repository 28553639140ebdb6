/** Figures of pore networks: the network in 3D, and pore / throat size histograms. */
import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import type { PoreNetwork } from "../network";
import { type PlotlyFigure, axis, baseLayout, toArray } from "./figure";

function checkNet(network: PoreNetwork): void {
  if (!network || !network.pores || !network.throats) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "expected a PoreNetwork (the `network` of snow())");
  }
}

export interface NetworkFigureOptions {
  title?: string;
  /** Show the boundary pores and throats (default false). */
  showBoundary?: boolean;
  /** Largest marker size in pixels (the largest pore; default 18). Markers scale with the inscribed diameter. */
  maxMarkerPx?: number;
  /** Draw at most this many throats (the widest first; default 20000) so big networks stay responsive. */
  maxThroats?: number;
}

/**
 * The network in 3D: pores as markers sized and coloured by inscribed diameter,
 * throats as lines between pore centres. Axes in µm (x fastest, z through the electrode).
 *
 * @example
 * show(networkFigure(snow(labels, { phase: 0 }).network));
 */
export function networkFigure(network: PoreNetwork, options: NetworkFigureOptions = {}): PlotlyFigure {
  checkNet(network);
  const P = network.pores, T = network.throats;
  const maxPx = checkNumber("maxMarkerPx", options.maxMarkerPx ?? 18, { min: 1 });
  const maxThroats = checkNumber("maxThroats", options.maxThroats ?? 20000, { min: 0, integer: true });
  const show = (i: number) => options.showBoundary || !P.boundary[i];
  let dMax = 0;
  for (let i = 0; i < P.count; i++) if (show(i) && P.inscribedDiameter_um[i] > dMax) dMax = P.inscribedDiameter_um[i];
  const px: number[] = [], py: number[] = [], pz: number[] = [], size: number[] = [], col: number[] = [], text: string[] = [];
  for (let i = 0; i < P.count; i++) {
    if (!show(i)) continue;
    const d = P.inscribedDiameter_um[i];
    px.push(P.x_um[i]); py.push(P.y_um[i]); pz.push(P.z_um[i]);
    size.push(Math.max(2, dMax > 0 ? (maxPx * d) / dMax : 2));
    col.push(d);
    text.push(`pore ${i}${P.boundary[i] ? " (boundary)" : ""}: d = ${d.toPrecision(3)} µm`);
  }
  const order = Array.from({ length: T.count }, (_, t) => t)
    .filter((t) => show(T.pore1[t]) && show(T.pore2[t]))
    .sort((a, b) => T.inscribedDiameter_um[b] - T.inscribedDiameter_um[a])
    .slice(0, maxThroats);
  const lx: (number | null)[] = [], ly: (number | null)[] = [], lz: (number | null)[] = [];
  for (const t of order) {
    const a = T.pore1[t], b = T.pore2[t];
    lx.push(P.x_um[a], P.x_um[b], null); ly.push(P.y_um[a], P.y_um[b], null); lz.push(P.z_um[a], P.z_um[b], null);
  }
  const [nz, ny, nx] = network.shape;
  const [sz, sy, sx] = network.spacing_um;
  return {
    data: [
      { type: "scatter3d", mode: "lines", name: `throats (${order.length})`, x: lx, y: ly, z: lz, line: { color: "#888888", width: 2 }, hoverinfo: "skip" },
      {
        type: "scatter3d", mode: "markers", name: `pores (${px.length})`, x: px, y: py, z: pz, text, hoverinfo: "text",
        marker: { size, color: col, colorscale: "Viridis", colorbar: { title: { text: "inscribed d (µm)" } }, opacity: 0.85, line: { width: 0 } },
      },
    ],
    layout: baseLayout(options.title ?? "Pore network", axis("x", "µm"), axis("y", "µm"), {
      scene: {
        xaxis: { title: { text: "x (µm)" }, range: [0, nx * sx] },
        yaxis: { title: { text: "y (µm)" }, range: [0, ny * sy] },
        zaxis: { title: { text: "z (µm)" }, range: [0, nz * sz] },
        aspectmode: "data",
      },
    }),
  };
}

export interface NetworkSizeFigureOptions {
  title?: string;
  /** Number of bins (default 30) over the common range of pore and throat diameters. */
  bins?: number;
  /** "inscribed" (default) or "equivalent" diameters. */
  diameter?: "inscribed" | "equivalent";
  /** Weight pores by volume (fraction of pore volume) instead of counting them (default false). */
  volumeWeighted?: boolean;
}

/**
 * Histograms of pore and throat diameters (internal pores and throats), as
 * fractions, on shared bins.
 *
 * @example
 * show(networkSizeFigure(network, { bins: 25 }));
 */
export function networkSizeFigure(network: PoreNetwork, options: NetworkSizeFigureOptions = {}): PlotlyFigure {
  checkNet(network);
  const bins = checkNumber("bins", options.bins ?? 30, { min: 1, integer: true, max: 10000 });
  const eq = options.diameter === "equivalent";
  const P = network.pores, T = network.throats;
  const pd: number[] = [], pw: number[] = [], td: number[] = [];
  for (let i = 0; i < P.count; i++) {
    if (P.boundary[i]) continue;
    pd.push(eq ? P.equivalentDiameter_um[i] : P.inscribedDiameter_um[i]);
    pw.push(options.volumeWeighted ? P.volume_um3[i] : 1);
  }
  for (let t = 0; t < T.count; t++) if (!T.boundary[t]) td.push(eq ? T.equivalentDiameter_um[t] : T.inscribedDiameter_um[t]);
  let hi = 0;
  for (const v of [...pd, ...td]) if (v > hi) hi = v;
  if (hi <= 0) hi = 1;
  const w = hi / bins;
  const hist = (vals: number[], wts?: number[]) => {
    const c = new Float64Array(bins);
    let tot = 0;
    vals.forEach((v, k) => {
      const b = Math.min(bins - 1, Math.floor(v / w));
      const wt = wts ? wts[k] : 1;
      c[b] += wt;
      tot += wt;
    });
    if (tot > 0) for (let b = 0; b < bins; b++) c[b] /= tot;
    return c;
  };
  const centres = new Float64Array(bins);
  for (let b = 0; b < bins; b++) centres[b] = (b + 0.5) * w;
  const kind = eq ? "equivalent" : "inscribed";
  return {
    data: [
      { type: "bar", name: `pores (${pd.length})`, x: toArray(centres), y: toArray(hist(pd, pw)), width: w, marker: { color: "#0072B2", opacity: 0.7 } },
      { type: "bar", name: `throats (${td.length})`, x: toArray(centres), y: toArray(hist(td)), width: w, marker: { color: "#E69F00", opacity: 0.7 } },
    ],
    layout: baseLayout(
      options.title ?? "Pore and throat sizes",
      axis(`${kind} diameter`, "µm"),
      axis(options.volumeWeighted ? "fraction (pores by volume)" : "fraction"),
      { barmode: "overlay", bargap: 0 },
    ),
  };
}
