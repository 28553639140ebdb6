/**
 * tomolyte-jupyterlab: JupyterLab 4 MIME renderer extensions for tomolyte volumes
 * (application/vnd.tomolyte.volume+json, DESIGN.md display contract v1) and plotly figures
 * (application/vnd.plotly.v1+json).
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { VOLUME_MIME_TYPE } from "./decode";
import { VolumeView } from "./widget";
import { plotlyRendererFactory } from "./plotly";

export { VOLUME_MIME_TYPE, decodeVolumeBundle, decodeVolumeBundleAsync, VolumePayloadError } from "./decode";
export type { DecodedVolume } from "./decode";
export { windowToGrey, greySlice, composeRgba, parseColor, phaseColors } from "./render";
export {
  PLANES,
  COLORMAPS,
  colormapTable,
  extractPlane,
  greyPlane,
  outlineMask,
  percentileWindow,
  planeSize,
  scaleBar,
  zoomAt,
} from "./planes";
export type { Plane, ColormapName, ZoomState } from "./planes";
export { VolumeView } from "./widget";
export { PLOTLY_MIME_TYPE, PlotlyView, parsePlotlyFigure, plotlyRendererFactory } from "./plotly";

/** Renderer factory: the payload's strings are shown as text only, so the output is safe. */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [VOLUME_MIME_TYPE],
  // Lower ranks win: below the image/png fallback (90), so the viewer is chosen in JupyterLab.
  defaultRank: 50,
  createRenderer: (options) => new VolumeView(options.mimeType),
};

const extensions: IRenderMime.IExtension[] = [
  {
    id: "tomolyte-jupyterlab:volume",
    description: "Slice viewer for tomolyte volumes",
    rendererFactory,
    rank: 50,
    dataType: "json",
  },
  {
    id: "tomolyte-jupyterlab:plotly",
    description: "plotly.js renderer for figures from the kernel",
    rendererFactory: plotlyRendererFactory,
    rank: 50,
    dataType: "json",
  },
];

export default extensions;
