/**
 * Renderer for plotly figures (application/vnd.plotly.v1+json: `{ data, layout?, config?,
 * frames? }`), so `show(figure)` from the kernel draws in JupyterLab without another
 * extension. plotly.js (plotly.js-dist-min) is loaded on first use as its own chunk.
 *
 * Test hooks: the root has data-testid `tomolyte-plotly` and `data-rendered` (a counter
 * bumped after each Plotly.react), `data-traces` (number of traces drawn).
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";

import { parsePlotlyFigure, PLOTLY_MIME_TYPE } from "./figure";

export { parsePlotlyFigure, PLOTLY_MIME_TYPE } from "./figure";
export type { PlotlyFigure } from "./figure";

type PlotlyModule = {
  react: (node: HTMLElement, data: unknown[], layout: unknown, config: unknown) => Promise<unknown>;
  purge: (node: HTMLElement) => void;
  Plots?: { resize: (node: HTMLElement) => void };
};

let plotlyPromise: Promise<PlotlyModule> | null = null;
function loadPlotly(): Promise<PlotlyModule> {
  plotlyPromise ??= import(/* webpackChunkName: "plotly" */ "plotly.js-dist-min").then(
    (m) => ((m as { default?: PlotlyModule }).default ?? m) as PlotlyModule,
  );
  return plotlyPromise;
}

export class PlotlyView extends Widget implements IRenderMime.IRenderer {
  private readonly plot: HTMLDivElement;
  private readonly errorEl: HTMLDivElement;
  private count = 0;

  constructor(private readonly mimeType: string = PLOTLY_MIME_TYPE) {
    super();
    this.addClass("tomolyte-plotly-view");
    this.node.dataset.testid = "tomolyte-plotly";
    this.errorEl = document.createElement("div");
    this.errorEl.className = "tomolyte-error";
    this.errorEl.setAttribute("role", "alert");
    this.errorEl.hidden = true;
    this.plot = document.createElement("div");
    this.plot.className = "tomolyte-plotly-plot";
    this.node.append(this.errorEl, this.plot);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    try {
      const fig = parsePlotlyFigure(model.data[this.mimeType]);
      const Plotly = await loadPlotly();
      // Default height when the figure names none: outputs have no intrinsic height.
      const layout = { height: 420, ...fig.layout };
      await Plotly.react(this.plot, fig.data, layout, fig.config);
      this.errorEl.hidden = true;
      this.node.dataset.traces = String(fig.data.length);
      this.node.dataset.rendered = String(++this.count);
    } catch (e) {
      this.errorEl.hidden = false;
      this.errorEl.textContent = `tomolyte: cannot show this figure: ${(e as Error)?.message ?? e}`;
      this.node.dataset.error = "true";
    }
  }

  protected override onResize(): void {
    if (this.count) void loadPlotly().then((P) => P.Plots?.resize(this.plot));
  }

  override dispose(): void {
    if (this.count && plotlyPromise) void plotlyPromise.then((P) => P.purge(this.plot));
    super.dispose();
  }
}

/** Renderer factory for plotly figures; plotly.js escapes text as SVG text, so it is safe. */
export const plotlyRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PLOTLY_MIME_TYPE],
  // Ahead of the PNG/HTML fallbacks a figure bundle may carry.
  defaultRank: 50,
  createRenderer: (options) => new PlotlyView(options.mimeType),
};
