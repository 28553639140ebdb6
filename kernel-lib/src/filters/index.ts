/**
 * filters/: preprocessing of grey-value volumes (smoothing, denoising,
 * sharpening, artefact correction). Plain TypeScript, synchronous, browser-safe;
 * the multi-threaded versions live in parallel/.
 */
export { type BoundaryMode, type BoundaryOptions, type ProgressOptions, BOUNDARY_MODES } from "./common";
export { type GaussianOptions, gaussian, gaussianKernel1d } from "./gaussian";
export { type FootprintShape, type FootprintOptions } from "./footprint";
export { type MeanOptions, mean } from "./mean";
export { type RankOptions, median, minimum, maximum } from "./rank";
export { type UnsharpOptions, unsharpMask } from "./unsharp";
export { estimateSigma } from "./noise";
export { type NonLocalMeansOptions, nonLocalMeans } from "./nlm";
export { type DiffusionOptions, anisotropicDiffusion } from "./diffusion";
export { type CuppingOptions, type CuppingDiagnostic, type CuppingResult, correctCupping } from "./cupping";
export { type IsotropicOptions, resampleIsotropic } from "./isotropic";
