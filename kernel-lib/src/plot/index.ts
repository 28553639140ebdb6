export { type PlotlyFigure, isFigure, FIGURE_STYLE } from "./figure";
export {
  type HistogramFigureOptions,
  type SliceFigureOptions,
  type ProfileSeries,
  histogramFigure,
  sliceFigure,
  profileFigure,
  distributionFigure,
  scatterFigure,
} from "./figures";
export { type NetworkFigureOptions, type NetworkSizeFigureOptions, networkFigure, networkSizeFigure } from "./network";
