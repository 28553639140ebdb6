/**
 * filters/: preprocessing of grey-value volumes (smoothing, denoising,
 * sharpening, artefact correction). Plain TypeScript, synchronous, browser-safe;
 * the multi-threaded versions live in parallel/.
 */
export { type BoundaryMode, type BoundaryOptions, type ProgressOptions, BOUNDARY_MODES } from "./common";
export { type GaussianOptions, gaussian, gaussianKernel1d } from "./gaussian";
