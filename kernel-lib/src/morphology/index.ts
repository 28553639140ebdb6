/**
 * Morphology: connected components, the Euclidean distance transform and
 * binary operations by a ball. See docs/morphology.md.
 */
export {
  type ForegroundOptions,
  type Connectivity,
  toMask,
} from "./mask";
export {
  type LabelOptions,
  type LabelResult,
  type RemoveSmallOptions,
  type Face,
  type TouchingOptions,
  type KeepTouchingOptions,
  FACES,
  label,
  componentSizes,
  selectComponents,
  keepLargest,
  removeSmall,
  componentsTouching,
  keepTouching,
} from "./label";
export {
  type DistanceTransformOptions,
  type DistanceTransformResult,
  distanceTransform,
} from "./edt";
export {
  type BallOptions,
  type FillHolesOptions,
  erode,
  dilate,
  opening,
  closing,
  fillHoles,
} from "./binary";
export {
  type HMaximaOptions,
  hMaxima,
} from "./maxima";
