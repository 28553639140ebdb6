import "./node-zlib";
export {
  VOLUME_MIME,
  PLOTLY_MIME,
  type VolumeMimeBundleV1,
  type VolumeMimePhase,
  type VolumeMimeDType,
  type VolumeMimeVolume,
  type VolumeMimeFrame,
} from "./contract";
export {
  compare,
  series,
  isComparison,
  isTimeSeries,
  MAX_PANELS,
  MAX_FRAMES,
  type PanelSpec,
  type PanelInput,
  type SpacingRule,
  type CompareOptions,
  type Comparison,
  type SeriesOptions,
  type TimeSeries,
} from "./compare";
export {
  DEFAULT_MAX_VOXELS,
  DEFAULT_MAX_TOTAL_VOXELS,
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
