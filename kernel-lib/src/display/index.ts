import "./node-zlib";
export { VOLUME_MIME, PLOTLY_MIME, type VolumeMimeBundleV1, type VolumeMimePhase, type VolumeMimeDType } from "./contract";
export {
  DEFAULT_MAX_VOXELS,
  type ShowOptions,
  type MimeBundle,
  type PlotlyFigureLike,
  volumeBundle,
  volumeSummary,
  mimeBundle,
  isTableLike,
  isPlotlyFigure,
} from "./bundle";
export { show, emitBundle, insideTslab, figureMimeBundle, type DisplayRoute } from "./show";
export { type DeflateRaw, littleEndianBytes, base64Encode, base64Decode, encodeVoxels, decodeVoxels, setDeflateRaw } from "./encode";
export { crc32, encodePNG, type RasterImage } from "./png";
export { percentiles, robustWindow, type PercentileOptions } from "./window";
export {
  type FigureFormat,
  type ExportOptions,
  type ExportResult,
  DEFAULT_CHROMIUM,
  CHROMIUM_FLAGS,
  figureRendererAvailable,
  renderFigure,
  renderFigureSync,
  exportFigure,
  closeFigureRenderer,
} from "./export";
