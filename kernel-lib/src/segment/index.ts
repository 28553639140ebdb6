/**
 * Segmentation: global and local thresholds, watershed, Markov random field,
 * trainable voxel classifier, phase tables. See docs/segmentation.md.
 */
export {
  type GreyHistogram,
  type HistogramThresholdOptions,
  type MultiOtsuOptions,
  type ApplyThresholdsOptions,
  greyHistogram,
  otsuThreshold,
  multiOtsuThresholds,
  applyThresholds,
} from "./threshold";
export {
  type WatershedOptions,
  type SeparateParticlesOptions,
  type SeparateParticlesResult,
  watershed,
  separateParticles,
} from "./watershed";
export {
  type LocalThresholdKind,
  type LocalThresholdOptions,
  localThreshold,
  segmentLocal,
} from "./local";
export {
  type MrfOptions,
  type MrfResult,
  segmentMrf,
} from "./mrf";
export {
  type FeatureSpec,
  DEFAULT_SIGMAS,
  featureNames,
  featureStack,
} from "./features";
export {
  type VoxelClassifier,
  type TrainClassifierOptions,
  type ClassifyOptions,
  type ClassifyResult,
  trainClassifier,
  classify,
  classifierToJSON,
  classifierFromJSON,
  segmentClassifier,
} from "./classifier";
export { renamePhases, mergePhases, reorderPhases } from "./phases";
