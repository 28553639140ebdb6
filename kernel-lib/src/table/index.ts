export { type ColumnTable, type HistogramTableOptions, arquero, histogramTable, toTable } from "./tables";
