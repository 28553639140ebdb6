import { ERROR_CODES, TomolyteError, checkNumber, throwIfAborted } from "../errors";
import { type LabelVolume, type Volume, checkAllocation, createVolume, dtypeOf, labelVolume } from "../volume";
import { DEFAULT_SIGMAS, type FeatureSpec, checkSigmas, featureHalo, featureNames, featureSlab } from "./features";
import { type Tree, makeRng, predictForest, trainForest } from "./forest";
import { checkGrey, defaultPhases } from "./threshold";

/** A trained voxel classifier: plain data, saved with `classifierToJSON`. */
export interface VoxelClassifier {
  readonly kind: "tomolyte-voxel-classifier";
  readonly version: 1;
  /** Feature sigmas in voxels. */
  readonly sigmas: readonly number[];
  readonly featureNames: readonly string[];
  /**
   * The scribble value of each output class, output label k ↔ scribble value
   * `scribbleValues[k]`; classes are ordered by the mean grey value of their scribbles.
   */
  readonly scribbleValues: readonly number[];
  readonly names: readonly string[];
  readonly trees: readonly Tree[];
  /** Training facts: samples per class, out-of-bag style check on the training samples. */
  readonly training: { readonly samplesPerClass: readonly number[]; readonly trainingAccuracy: number; readonly seed: number };
}

export interface TrainClassifierOptions {
  /** Feature scales in voxels (default [0.7, 1.6, 3.5]). */
  sigmas?: readonly number[];
  /** Trees in the forest (default 32). */
  trees?: number;
  /** Deepest split (default 14). */
  maxDepth?: number;
  /** Fewest samples in a leaf (default 2). */
  minSamplesLeaf?: number;
  /** Most training samples drawn per class (default 20000; random, seeded). */
  maxSamplesPerClass?: number;
  /** Seed of the bootstrap and feature choice (default 1): same seed, same model. */
  seed?: number;
  /** Names of the classes by scribble value, e.g. `{ 1: "pore", 2: "NMC" }`. */
  names?: Readonly<Record<number, string>>;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

/** Memory a feature slab may use (more when the halo demands it, see slabPlanes). */
const SLAB_BYTES = 256 * 1024 * 1024;

/**
 * Planes per feature slab. Memory: F float32 feature arrays over the slab's T planes plus
 * about three Gaussian-sized arrays over T + 2·halo planes. T is at least twice the halo:
 * each slab recomputes its halo planes' Gaussians, so a thinner slab multiplies the work
 * (with a fixed budget a 256² plane once gave T = 1 and 33 planes of Gaussians per plane).
 */
function slabPlanes(volume: Volume, F: number, halo: number): number {
  const plane = volume.shape[1] * volume.shape[2];
  const budgetPlanes = Math.floor(SLAB_BYTES / (plane * 4));
  const fit = Math.floor((budgetPlanes - 6 * halo) / (F + 3));
  return Math.max(1, Math.min(volume.shape[0], Math.max(fit, 2 * halo)));
}

/**
 * Trains a random forest on sparse scribbles: `scribbles` is a label volume
 * of the grey volume's shape where 0 means unlabelled and each other value is
 * a class. Features are computed only where needed (slabs with scribbles).
 *
 * @example
 * const model = trainClassifier(ct, scribbles, { names: { 1: "pore", 2: "binder", 3: "NMC" } });
 * const { labels, probabilities } = classify(ct, model);
 */
export function trainClassifier(volume: Volume, scribbles: Volume, options: TrainClassifierOptions = {}): VoxelClassifier {
  if (!volume?.data || !scribbles?.data) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "trainClassifier(volume, scribbles): both must be volumes");
  }
  checkGrey(volume, "trainClassifier");
  const sd = dtypeOf(scribbles.data);
  if (sd === "float32" || sd === "float64") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, "scribbles must be an integer label volume (0 = unlabelled, 1..K = classes), not a greyscale volume; did you swap the arguments?");
  }
  if (scribbles.shape.some((s, k) => s !== volume.shape[k])) {
    throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `scribbles shape ${scribbles.shape.join("×")} differs from the volume's ${volume.shape.join("×")}`);
  }
  const sigmas = checkSigmas(options.sigmas ?? DEFAULT_SIGMAS);
  const trees = checkNumber("trees", options.trees ?? 32, { min: 1, max: 1000, integer: true });
  const maxDepth = checkNumber("maxDepth", options.maxDepth ?? 14, { min: 1, max: 40, integer: true });
  const minLeaf = checkNumber("minSamplesLeaf", options.minSamplesLeaf ?? 2, { min: 1, integer: true });
  const maxPer = checkNumber("maxSamplesPerClass", options.maxSamplesPerClass ?? 20000, { min: 10, integer: true });
  const seed = checkNumber("seed", options.seed ?? 1, { integer: true });
  const s = scribbles.data;
  const n = s.length;
  // Which classes, how many voxels each.
  const byValue = new Map<number, number>();
  for (let i = 0; i < n; i++) if (s[i] !== 0) byValue.set(s[i], (byValue.get(s[i]) ?? 0) + 1);
  if (byValue.size < 2) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `the scribbles mark ${byValue.size} class(es); mark at least two (0 = unlabelled, then 1, 2, ... one value per phase)`,
    );
  }
  if (byValue.size > 255) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "at most 255 classes");
  const values = [...byValue.keys()].sort((a, b) => a - b);
  // Seeded subsampling: keep each scribbled voxel with probability maxPer / count.
  const rand = makeRng(seed ^ 0x5bd1e995);
  const keepP = new Map(values.map((v) => [v, Math.min(1, maxPer / byValue.get(v)!)]));
  const picks: number[] = [];
  for (let i = 0; i < n; i++) if (s[i] !== 0 && rand() < keepP.get(s[i])!) picks.push(i);
  const spec: FeatureSpec = { sigmas };
  const F = 1 + 7 * sigmas.length;
  const halo = featureHalo(spec);
  const S = picks.length;
  checkAllocation(S * F * 4 + S * 8, "the training samples", S);
  const X: Float32Array[] = Array.from({ length: F }, () => new Float32Array(S));
  const cls = new Int32Array(S);
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const T = slabPlanes(volume, F, halo);
  let p = 0;
  for (let z0 = 0; z0 < nz && p < S; z0 += T) {
    throwIfAborted(options.signal);
    const z1 = Math.min(nz, z0 + T);
    const lastIdx = z1 * plane;
    if (picks[p] >= lastIdx) continue;
    const feats = featureSlab(volume, spec, z0, z1, options.signal);
    while (p < S && picks[p] < lastIdx) {
      const i = picks[p];
      const o = i - z0 * plane;
      for (let f = 0; f < F; f++) X[f][p] = feats[f][o];
      cls[p] = s[i];
      p++;
    }
    options.onProgress?.(0.5 * (z1 / nz));
  }
  // Order classes by the mean grey value of their scribbles (outputs are in increasing grey order).
  const greySum = new Map<number, number>();
  const greyN = new Map<number, number>();
  for (let q = 0; q < S; q++) {
    greySum.set(cls[q], (greySum.get(cls[q]) ?? 0) + X[0][q]);
    greyN.set(cls[q], (greyN.get(cls[q]) ?? 0) + 1);
  }
  const ordered = [...values].sort((a, b) => greySum.get(a)! / greyN.get(a)! - greySum.get(b)! / greyN.get(b)! || a - b);
  const K = ordered.length;
  const index = new Map(ordered.map((v, k) => [v, k]));
  const y = new Uint8Array(S);
  for (let q = 0; q < S; q++) y[q] = index.get(cls[q])!;
  const forest = trainForest(X, y, K, { trees, maxDepth, minSamplesLeaf: minLeaf, balanced: true, seed }, options.signal);
  const prob = new Float32Array(S * K);
  predictForest(forest, X, S, K, prob);
  let ok = 0;
  for (let q = 0; q < S; q++) {
    let b = 0;
    for (let k = 1; k < K; k++) if (prob[q * K + k] > prob[q * K + b]) b = k;
    if (b === y[q]) ok++;
  }
  options.onProgress?.(1);
  const counts = ordered.map((v) => y.reduce((a, c, q) => a + (cls[q] === v ? 1 : 0), 0));
  return {
    kind: "tomolyte-voxel-classifier",
    version: 1,
    sigmas,
    featureNames: featureNames(spec),
    scribbleValues: ordered,
    names: ordered.map((v) => options.names?.[v] ?? `scribble ${v}`),
    trees: forest,
    training: { samplesPerClass: counts, trainingAccuracy: ok / S, seed },
  };
}

export interface ClassifyOptions {
  /** Also return one float32 probability volume per class (default true). */
  probabilities?: boolean;
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
}

export interface ClassifyResult {
  /** Labels 0..K−1 (class order of the model: increasing grey), with the model's names. */
  readonly labels: LabelVolume<Uint8Array>;
  /** probabilities[k]: the forest's vote share for class k, per voxel. */
  readonly probabilities?: Volume<Float32Array>[];
}

/**
 * Applies a trained classifier to every voxel, slab by slab (bounded memory).
 *
 * @example
 * const { labels, probabilities } = classify(ct, model);
 */
export function classify(volume: Volume, model: VoxelClassifier, options: ClassifyOptions = {}): ClassifyResult {
  checkGrey(volume, "classify");
  checkModel(model);
  const K = model.scribbleValues.length;
  const spec: FeatureSpec = { sigmas: model.sigmas };
  const F = model.featureNames.length;
  const halo = featureHalo(spec);
  const n = volume.data.length;
  const wantP = options.probabilities ?? true;
  checkAllocation(n + (wantP ? n * K * 4 : 0), "the classifier output", n);
  const labels = new Uint8Array(n);
  const probs = wantP ? Array.from({ length: K }, () => new Float32Array(n)) : undefined;
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const T = slabPlanes(volume, F, halo);
  for (let z0 = 0; z0 < nz; z0 += T) {
    throwIfAborted(options.signal);
    const z1 = Math.min(nz, z0 + T);
    const feats = featureSlab(volume, spec, z0, z1, options.signal);
    const m = (z1 - z0) * plane;
    const prob = new Float32Array(m * K);
    predictForest(model.trees, feats, m, K, prob);
    const base = z0 * plane;
    for (let s = 0; s < m; s++) {
      let b = 0;
      for (let k = 1; k < K; k++) if (prob[s * K + k] > prob[s * K + b]) b = k;
      labels[base + s] = b;
      if (probs) for (let k = 0; k < K; k++) probs[k][base + s] = prob[s * K + k];
    }
    options.onProgress?.(z1 / nz);
  }
  const result: { labels: LabelVolume<Uint8Array>; probabilities?: Volume<Float32Array>[] } = {
    labels: labelVolume(createVolume(labels, volume.shape, volume.spacing), defaultPhases(K, model.names)),
  };
  if (probs) result.probabilities = probs.map((d) => createVolume(d, volume.shape, volume.spacing));
  return result;
}

function checkModel(model: VoxelClassifier): void {
  if (!model || model.kind !== "tomolyte-voxel-classifier" || model.version !== 1 || !Array.isArray(model.trees) || model.trees.length === 0) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "not a tomolyte voxel classifier; train one with trainClassifier() or load one with classifierFromJSON()");
  }
}

/**
 * The model as a JSON string (typed arrays as plain number lists).
 *
 * @example
 * writeFileSync("model.json", classifierToJSON(model));
 */
export function classifierToJSON(model: VoxelClassifier): string {
  checkModel(model);
  return JSON.stringify({
    ...model,
    trees: model.trees.map((t) => ({
      feature: Array.from(t.feature), threshold: Array.from(t.threshold),
      left: Array.from(t.left), right: Array.from(t.right), value: Array.from(t.value),
    })),
  });
}

/**
 * A model from `classifierToJSON`'s text; predictions are identical to the original's.
 *
 * @example
 * const model = classifierFromJSON(readFileSync("model.json", "utf8"));
 */
export function classifierFromJSON(text: string): VoxelClassifier {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new TomolyteError(ERROR_CODES.CORRUPT_FILE, `classifier JSON does not parse: ${(e as Error).message}`);
  }
  if (o?.kind !== "tomolyte-voxel-classifier" || o.version !== 1 || !Array.isArray(o.trees)) {
    throw new TomolyteError(ERROR_CODES.CORRUPT_FILE, "this JSON is not a tomolyte voxel classifier (kind/version missing)");
  }
  const trees = (o.trees as Array<Record<string, number[]>>).map((t) => {
    const tree: Tree = {
      feature: Int32Array.from(t.feature), threshold: Float32Array.from(t.threshold),
      left: Int32Array.from(t.left), right: Int32Array.from(t.right), value: Float32Array.from(t.value),
    };
    const nodes = tree.feature.length;
    for (let i = 0; i < nodes; i++) {
      if (tree.feature[i] >= 0 && !(tree.left[i] > i && tree.left[i] < nodes && tree.right[i] > i && tree.right[i] < nodes)) {
        throw new TomolyteError(ERROR_CODES.CORRUPT_FILE, "classifier JSON has a tree with bad child links");
      }
    }
    return tree;
  });
  const model = { ...(o as unknown as VoxelClassifier), sigmas: checkSigmas(o.sigmas), trees };
  const F = 1 + 7 * model.sigmas.length;
  for (const t of trees) for (const f of t.feature) {
    if (f >= F) throw new TomolyteError(ERROR_CODES.CORRUPT_FILE, "classifier JSON refers to a feature it does not compute");
  }
  return model;
}

/**
 * Trains on the scribbles and classifies the whole volume in one call.
 *
 * @example
 * const { labels, model } = segmentClassifier(ct, scribbles);
 */
export function segmentClassifier(
  volume: Volume, scribbles: Volume, options: TrainClassifierOptions & ClassifyOptions = {},
): ClassifyResult & { model: VoxelClassifier } {
  const model = trainClassifier(volume, scribbles, { ...options, onProgress: (f) => options.onProgress?.(0.3 * f) });
  const r = classify(volume, model, { ...options, onProgress: (f) => options.onProgress?.(0.3 + 0.7 * f) });
  return { ...r, model };
}
