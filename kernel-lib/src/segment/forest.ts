import { ERROR_CODES, TomolyteError } from "../errors";

/** One decision tree in flat arrays. Leaves have feature −1 and their class probabilities at value[node·K ..]. */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
}

export interface ForestParams {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split (default √F, rounded up). */
  featuresPerSplit?: number;
  /** Equal total weight per class (default true): sparse scribbles are often unbalanced. */
  balanced: boolean;
  seed: number;
}

/** xoshiro128** — a small, seeded, good-quality PRNG (Blackman & Vigna), so training is reproducible. */
export function makeRng(seed: number): () => number {
  let s0 = 0x9e3779b9 ^ seed, s1 = 0x243f6a88 ^ (seed * 31), s2 = 0xb7e15162, s3 = 0x7f4a7c15 ^ (seed >>> 3);
  const next = () => {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const BINS = 64;

/**
 * Trains a random forest (bootstrap samples, √F random features per split,
 * Gini impurity). Splits are searched over up to 64 quantile bins per
 * feature, computed once from the training samples, which makes a node's
 * search linear in its samples.
 * `X[f][s]`: feature f of sample s; `y[s]` in 0..K−1.
 */
export function trainForest(X: Float32Array[], y: Uint8Array, K: number, p: ForestParams, signal?: AbortSignal): Tree[] {
  const F = X.length;
  const S = y.length;
  if (S === 0) throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "no training samples");
  // Candidate thresholds per feature: distinct quantiles of the training values.
  const edges: Float32Array[] = [];
  const binned: Uint8Array[] = [];
  for (let f = 0; f < F; f++) {
    const sorted = X[f].slice().sort();
    const e: number[] = [];
    for (let b = 1; b < BINS; b++) {
      const v = sorted[Math.min(S - 1, Math.floor((b * S) / BINS))];
      // Threshold between v and the next smaller distinct value: "<= t" keeps v's predecessors.
      if (e.length === 0 || v > e[e.length - 1]) e.push(v);
    }
    // Use midpoints below each quantile value so a split "<= edge" separates cleanly.
    const ef = new Float32Array(e.length);
    for (let k = 0; k < e.length; k++) {
      // largest training value below e[k]
      let lo = 0, hi = S - 1, idx = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < e[k]) { idx = mid; lo = mid + 1; } else hi = mid - 1;
      }
      ef[k] = idx < 0 ? e[k] : Math.fround((sorted[idx] + e[k]) / 2);
    }
    edges.push(ef);
    const bf = new Uint8Array(S);
    const col = X[f];
    for (let s = 0; s < S; s++) {
      // bin = number of edges strictly below the value: value <= edges[bin] for bin < edges.length
      let lo = 0, hi = ef.length;
      const v = col[s];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ef[mid] < v) lo = mid + 1; else hi = mid;
      }
      bf[s] = lo;
    }
    binned.push(bf);
  }
  const classCount = new Float64Array(K);
  for (let s = 0; s < S; s++) classCount[y[s]]++;
  const w = new Float64Array(S);
  for (let s = 0; s < S; s++) w[s] = p.balanced ? S / (K * classCount[y[s]]) : 1;
  const mtry = Math.max(1, Math.min(F, p.featuresPerSplit ?? Math.ceil(Math.sqrt(F))));
  const rand = makeRng(p.seed);
  const trees: Tree[] = [];
  const hist = new Float64Array((BINS + 1) * K);
  const tot = new Float64Array(K);
  const leftC = new Float64Array(K);
  const featOrder = new Int32Array(F);
  for (let t = 0; t < p.trees; t++) {
    if (signal?.aborted) throw new TomolyteError(ERROR_CODES.CANCELLED, "operation cancelled");
    const idx = new Int32Array(S);
    for (let s = 0; s < S; s++) idx[s] = Math.floor(rand() * S);
    const feature: number[] = [], threshold: number[] = [], left: number[] = [], right: number[] = [], value: number[] = [];
    const newNode = () => {
      feature.push(-1); threshold.push(0); left.push(-1); right.push(-1);
      for (let k = 0; k < K; k++) value.push(0);
      return feature.length - 1;
    };
    // Stack of [node, start, end, depth] over the index array (partitioned in place).
    const stack: number[] = [newNode(), 0, S, 0];
    while (stack.length) {
      const depth = stack.pop()!, end = stack.pop()!, start = stack.pop()!, node = stack.pop()!;
      tot.fill(0);
      for (let i = start; i < end; i++) tot[y[idx[i]]] += w[idx[i]];
      let W = 0;
      let nonzero = 0;
      for (let k = 0; k < K; k++) { W += tot[k]; if (tot[k] > 0) nonzero++; }
      for (let k = 0; k < K; k++) value[node * K + k] = W > 0 ? tot[k] / W : 1 / K;
      if (nonzero <= 1 || depth >= p.maxDepth || end - start < 2 * p.minSamplesLeaf) continue;
      let gParent = 1;
      for (let k = 0; k < K; k++) gParent -= (tot[k] / W) ** 2;
      let bestGain = 1e-12, bestF = -1, bestBin = -1;
      for (let f = 0; f < F; f++) featOrder[f] = f;
      for (let j = 0; j < mtry; j++) {
        // Partial Fisher–Yates: the first mtry entries are a random subset.
        const r = j + Math.floor(rand() * (F - j));
        const f = featOrder[r]; featOrder[r] = featOrder[j]; featOrder[j] = f;
        const nb = edges[f].length + 1;
        hist.fill(0, 0, nb * K);
        const bf = binned[f];
        for (let i = start; i < end; i++) { const s = idx[i]; hist[bf[s] * K + y[s]] += w[s]; }
        leftC.fill(0);
        let WL = 0;
        const counts = new Int32Array(nb);
        for (let i = start; i < end; i++) counts[bf[idx[i]]]++;
        let nL = 0;
        const n = end - start;
        for (let b = 0; b < nb - 1; b++) {
          for (let k = 0; k < K; k++) { leftC[k] += hist[b * K + k]; WL += hist[b * K + k]; }
          nL += counts[b];
          if (nL < p.minSamplesLeaf || n - nL < p.minSamplesLeaf) continue;
          const WR = W - WL;
          if (WL <= 0 || WR <= 0) continue;
          let gL = 1, gR = 1;
          for (let k = 0; k < K; k++) { gL -= (leftC[k] / WL) ** 2; gR -= ((tot[k] - leftC[k]) / WR) ** 2; }
          const gain = gParent - (WL / W) * gL - (WR / W) * gR;
          if (gain > bestGain) { bestGain = gain; bestF = f; bestBin = b; }
        }
      }
      if (bestF < 0) continue;
      // Partition idx[start, end) by bin <= bestBin.
      const bf = binned[bestF];
      let i = start, jx = end - 1;
      while (i <= jx) {
        if (bf[idx[i]] <= bestBin) i++;
        else { const tmp = idx[i]; idx[i] = idx[jx]; idx[jx] = tmp; jx--; }
      }
      feature[node] = bestF;
      threshold[node] = edges[bestF][bestBin];
      const l = newNode(), r = newNode();
      left[node] = l; right[node] = r;
      stack.push(l, start, i, depth + 1, r, i, end, depth + 1);
    }
    trees.push({
      feature: Int32Array.from(feature), threshold: Float32Array.from(threshold),
      left: Int32Array.from(left), right: Int32Array.from(right), value: Float32Array.from(value),
    });
  }
  return trees;
}

/**
 * Writes the forest's mean leaf class probabilities for samples [0, m) into
 * `prob` (m·K, sample-major). Samples are taken in blocks copied to a
 * sample-major buffer, so that a tree walk reads one sample's features from
 * one cache line or two instead of from F arrays far apart.
 */
export function predictForest(trees: readonly Tree[], X: Float32Array[], m: number, K: number, prob: Float32Array): void {
  const F = X.length;
  const B = 2048;
  const xb = new Float32Array(B * F);
  const acc = new Float32Array(B * K);
  const inv = 1 / trees.length;
  for (let s0 = 0; s0 < m; s0 += B) {
    const nb = Math.min(B, m - s0);
    for (let f = 0; f < F; f++) {
      const col = X[f];
      for (let s = 0; s < nb; s++) xb[s * F + f] = col[s0 + s];
    }
    acc.fill(0);
    for (const t of trees) {
      const { feature, threshold, left, right, value } = t;
      for (let s = 0; s < nb; s++) {
        const xo = s * F;
        let node = 0;
        let f = feature[0];
        while (f >= 0) {
          node = xb[xo + f] <= threshold[node] ? left[node] : right[node];
          f = feature[node];
        }
        const o = node * K, so = s * K;
        for (let k = 0; k < K; k++) acc[so + k] += value[o + k];
      }
    }
    for (let i = 0; i < nb * K; i++) prob[s0 * K + i] = acc[i] * inv;
  }
}
