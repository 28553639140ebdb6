/**
 * tomolyte-jupyterlab: a JupyterLab 4 MIME renderer extension for tomolyte volumes
 * (application/vnd.tomolyte.volume+json, DESIGN.md display contract v1).
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { VOLUME_MIME_TYPE } from "./decode";
import { VolumeView } from "./widget";

export { VOLUME_MIME_TYPE, decodeVolumeBundle, decodeVolumeBundleAsync, VolumePayloadError } from "./decode";
export type { DecodedVolume } from "./decode";
export { windowToGrey, greySlice, composeRgba, parseColor, phaseColors } from "./render";
export { VolumeView } from "./widget";

/** Renderer factory: the payload's strings are shown as text only, so the output is safe. */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [VOLUME_MIME_TYPE],
  // Lower ranks win: below the image/png fallback (90), so the viewer is chosen in JupyterLab.
  defaultRank: 50,
  createRenderer: (options) => new VolumeView(options.mimeType),
};

const extension: IRenderMime.IExtension = {
  id: "tomolyte-jupyterlab:volume",
  description: "Slice viewer for tomolyte volumes",
  rendererFactory,
  rank: 50,
  dataType: "json",
};

export default extension;
