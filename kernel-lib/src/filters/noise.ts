import { type Volume } from "../volume";
import { checkGreyInput } from "./common";

// Daubechies-2 decomposition high-pass filter (PyWavelets' dec_hi for "db2").
const S3 = Math.sqrt(3);
const N = 4 * Math.SQRT2;
const DB2_HI = [-(1 + S3) / N, (3 + S3) / N, -(3 - S3) / N, (1 - S3) / N];
// Φ⁻¹(0.75): the MAD of a standard normal.
const NORM_PPF_075 = 0.6744897501960817;

/**
 * One level of the db2 high-pass along an axis with half-sample symmetric
 * extension (PyWavelets' "symmetric" mode): out[o] = Σ_j h[j]·x[2o+1−j],
 * output length ⌊(n+3)/2⌋.
 */
function highPassAxis(src: Float64Array, shape: [number, number, number], axis: 0 | 1 | 2): { data: Float64Array; shape: [number, number, number] } {
  const n = shape[axis];
  const m = (n + 3) >> 1;
  const os: [number, number, number] = [shape[0], shape[1], shape[2]];
  os[axis] = m;
  const out = new Float64Array(os[0] * os[1] * os[2]);
  const sIn = [shape[1] * shape[2], shape[2], 1];
  const sOut = [os[1] * os[2], os[2], 1];
  const ext = (i: number) => {
    // symmetric: x[-1-k] = x[k], x[n+k] = x[n-1-k]; repeated for short axes
    const p = 2 * n;
    let j = i % p;
    if (j < 0) j += p;
    return j >= n ? p - 1 - j : j;
  };
  const [a0, a1] = ([0, 1, 2] as const).filter((a) => a !== axis);
  for (let u = 0; u < shape[a0]; u++) {
    for (let v = 0; v < shape[a1]; v++) {
      const bi = u * sIn[a0] + v * sIn[a1];
      const bo = u * sOut[a0] + v * sOut[a1];
      for (let o = 0; o < m; o++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += DB2_HI[j] * src[bi + ext(2 * o + 1 - j) * sIn[axis]];
        out[bo + o * sOut[axis]] = s;
      }
    }
  }
  return { data: out, shape: os };
}

/**
 * Robust estimate of the standard deviation of Gaussian noise, as
 * `skimage.restoration.estimate_sigma` computes it: the median absolute value
 * of the finest diagonal (high-pass on every axis) db2 wavelet detail band,
 * exact zeros left out, divided by Φ⁻¹(0.75) ≈ 0.6745 (Donoho & Johnstone 1994).
 * The result is in the volume's grey units (skimage 0.19 does not rescale
 * integer images here either).
 *
 * @example
 * const sigma = estimateSigma(ct); // e.g. 11.8 grey levels
 * const clean = nonLocalMeans(ct, { h: 0.8 * sigma, sigma });
 */
export function estimateSigma(volume: Volume): number {
  checkGreyInput(volume, "estimateSigma");
  let cur = { data: Float64Array.from(volume.data), shape: [volume.shape[0], volume.shape[1], volume.shape[2]] as [number, number, number] };
  // PyWavelets' dwtn transforms the axes in order 0, 1, 2.
  for (const axis of [0, 1, 2] as const) cur = highPassAxis(cur.data, cur.shape, axis);
  const d = cur.data;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) d[n++] = Math.abs(d[i]);
  if (n === 0) return 0;
  const a = d.subarray(0, n).sort();
  const med = n % 2 ? a[n >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
  return med / NORM_PPF_075;
}
