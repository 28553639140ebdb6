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
