/**
 * parallel/: filters on a pool of worker threads over z-slabs (Node only).
 * Results equal the single-threaded filters' whatever the number of threads.
 */
import type { Volume } from "../volume";
import type { GaussianOptions } from "../filters/gaussian";
import type { MeanOptions } from "../filters/mean";
import type { RankOptions } from "../filters/rank";
import type { NonLocalMeansOptions } from "../filters/nlm";
import type { UnsharpOptions } from "../filters/unsharp";
import type { DiffusionOptions } from "../filters/diffusion";
import { type ParallelOptions, runFilter } from "./pool";

export { type ParallelOptions, runFilter, shutdownPool, defaultThreads } from "./pool";
export { type ParallelFilterName } from "./kernels";

/**
 * The multi-threaded filters, with the options of their single-threaded twins
 * in filters/ plus `{ threads, signal, onProgress }`.
 *
 * @example
 * const m = await parallel.median(ct, { radiusVoxels: 2 }, { threads: 4 });
 * const g = await parallel.gaussian(ct, { sigma_um: 1 }, { threads: 2, onProgress: (f) => console.log(f) });
 * const d = await parallel.anisotropicDiffusion(ct, { kappa: 30, iterations: 10 }, { threads: 2 });
 */
export const parallel = {
  gaussian: (volume: Volume, options: Omit<GaussianOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("gaussian", volume, options as Record<string, unknown>, run),
  mean: (volume: Volume, options: Omit<MeanOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("mean", volume, options as Record<string, unknown>, run),
  median: (volume: Volume, options: Omit<RankOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("median", volume, options as Record<string, unknown>, run),
  minimum: (volume: Volume, options: Omit<RankOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("minimum", volume, options as Record<string, unknown>, run),
  maximum: (volume: Volume, options: Omit<RankOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("maximum", volume, options as Record<string, unknown>, run),
  nonLocalMeans: (volume: Volume, options: Omit<NonLocalMeansOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("nonLocalMeans", volume, options as Record<string, unknown>, run),
  unsharpMask: (volume: Volume, options: Omit<UnsharpOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("unsharpMask", volume, options as Record<string, unknown>, run),
  anisotropicDiffusion: (volume: Volume, options: Omit<DiffusionOptions, "signal" | "onProgress">, run?: ParallelOptions): Promise<Volume> =>
    runFilter("anisotropicDiffusion", volume, options as Record<string, unknown>, run),
};
export { type TortuosityParallelRun, tortuosityParallel, shutdownTortuosityWorkers } from "./tortuosity";
