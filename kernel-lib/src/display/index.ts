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
export { show, emitBundle, insideTslab, type DisplayRoute } from "./show";
export { type DeflateRaw, littleEndianBytes, base64Encode, base64Decode, encodeVoxels, decodeVoxels, setDeflateRaw } from "./encode";
export { crc32, encodePNG, type RasterImage } from "./png";
export { percentiles, robustWindow, type PercentileOptions } from "./window";
