/**
 * The filters the worker pool can run, by name. Each entry validates options
 * on the calling thread (`prepare`, returning structured-cloneable params) and
 * computes whole z-planes in a worker (`planes`), reading the shared input and
 * writing its planes of the shared output. The same `planes` functions run the
 * single-threaded filters, so results do not depend on the number of threads.
 *
 * Note on layers: parallel/ sits below filters/ in DESIGN.md, but it is the
 * only Node-side place allowed to start threads for them; only this file and
 * the worker import filters/, and filters/ never imports parallel/.
 */
import type { DType, VoxelArray, Volume } from "../volume";
import { prepareGaussian, separablePlanes } from "../filters/gaussian";
import { meanPlanes, prepareMean } from "../filters/mean";
import { prepareRank, rankPlanes } from "../filters/rank";
import { nlmPlanes, prepareNlm } from "../filters/nlm";
import { prepareUnsharp, unsharpPlanes } from "../filters/unsharp";
import { type DiffusionParams, diffusionPlanes, prepareDiffusion } from "../filters/diffusion";

/** @internal */
export interface SlabKernel {
  prepare(volume: Volume, options: Record<string, unknown>): { params: unknown; outDType: DType };
  planes(volume: Volume, params: unknown, z0: number, z1: number, out: VoxelArray): void;
  /** Thick slabs for kernels with wide halos (non-local means). */
  slabsPerThread: number;
  /** Iterative kernels: rounds over all slabs, each reading the previous round's output (default 1). */
  rounds?(params: unknown): number;
}

/** Names of the filters that run on the worker pool. */
export type ParallelFilterName =
  | "gaussian"
  | "mean"
  | "median"
  | "minimum"
  | "maximum"
  | "nonLocalMeans"
  | "unsharpMask"
  | "anisotropicDiffusion";

/** @internal */
export const KERNELS: Record<ParallelFilterName, SlabKernel> = {
  gaussian: {
    prepare: (v, o) => {
      const p = prepareGaussian(v, o);
      return { params: p, outDType: p.outDType };
    },
    planes: (v, p, z0, z1, out) => separablePlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  mean: {
    prepare: (v, o) => {
      const p = prepareMean(v, o);
      return { params: p, outDType: p.outDType };
    },
    planes: (v, p, z0, z1, out) => meanPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  median: {
    prepare: (v, o) => {
      const p = prepareRank(v, o, "median");
      return { params: p, outDType: p.dtype };
    },
    planes: (v, p, z0, z1, out) => rankPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  minimum: {
    prepare: (v, o) => {
      const p = prepareRank(v, o, "minimum");
      return { params: p, outDType: p.dtype };
    },
    planes: (v, p, z0, z1, out) => rankPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  maximum: {
    prepare: (v, o) => {
      const p = prepareRank(v, o, "maximum");
      return { params: p, outDType: p.dtype };
    },
    planes: (v, p, z0, z1, out) => rankPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  nonLocalMeans: {
    prepare: (v, o) => {
      const p = prepareNlm(v, o);
      return { params: p, outDType: p.outDType };
    },
    planes: (v, p, z0, z1, out) => nlmPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 1,
  },
  unsharpMask: {
    prepare: (v, o) => {
      const p = prepareUnsharp(v, o);
      return { params: p, outDType: p.outDType };
    },
    planes: (v, p, z0, z1, out) => unsharpPlanes(v, p as never, z0, z1, out),
    slabsPerThread: 4,
  },
  anisotropicDiffusion: {
    prepare: (v, o) => {
      const p = prepareDiffusion(v, o as never);
      return { params: p, outDType: p.outDType };
    },
    planes: (v, p, z0, z1, out) => diffusionPlanes(v, p as never, z0, z1, out),
    // every round ends in a barrier: 2 slabs per thread balance a busy core without many small tasks
    slabsPerThread: 2,
    rounds: (p) => (p as DiffusionParams).iterations,
  },
};
