/**
 * metrics/: morphological parameters of segmented electrodes, lengths in µm
 * from the volume's spacing. See docs/metrics.md.
 */
export { type ProgressOptions as MetricsProgressOptions, type PhaseRef } from "./common";
export {
  type PhaseFraction,
  type VolumeFractionsResult,
  type VolumeFractionsOptions,
  type PhaseFractionProfile,
  type PhaseFractionProfileOptions,
  volumeFractions,
  phaseFractionProfile,
} from "./fractions";
export { type IsosurfaceAreaOptions, isosurfaceArea } from "./marchingCubes";
export {
  type SurfaceAreaOptions,
  type PhaseSurface,
  type PhaseInterface,
  type SurfaceAreaResult,
  type TriplePhaseBoundaryOptions,
  type TriplePhaseBoundaryResult,
  specificSurfaceArea,
  triplePhaseBoundary,
} from "./surface";
export {
  type AxisConnectivity,
  type PhaseConnectivity,
  type ConnectivityOptions,
  type ConnectivityResult,
  phaseConnectivity,
} from "./connectivity";
export {
  type LocalThicknessOptions,
  type LocalThicknessResult,
  type ChordLengthOptions,
  type AxisChords,
  type ChordLengthResult,
  localThickness,
  chordLengths,
} from "./sizes";
export {
  type RegionPropertiesOptions,
  type RegionProperties,
  type ParticleSizeDistributionOptions,
  type ParticleSizeDistribution,
  regionProperties,
  particleSizeDistribution,
} from "./regionprops";
export { type TwoPointCorrelationOptions, type TwoPointCorrelationResult, twoPointCorrelation } from "./correlation";
export { type RveMetric, type RveOptions, type RveResult, rveAnalysis } from "./rve";
export { type VolumeChangeOptions, type PhaseVolumeChange, type VolumeChangeResult, volumeChange } from "./volumeChange";
export { type PhaseMetricsRow, type PhaseMetricsResult, type PhaseMetricsOptions, phaseMetrics } from "./summary";
