import { ERROR_CODES, TomolyteError, checkNumber } from "../errors";
import { type DType, type VoxelArray, type Volume, createVolume } from "../volume";
import { type ProgressOptions, allocOut, checkGreyInput, floatOutDType, mapIndex, runInSlabs, storePlane } from "./common";
import { estimateSigma } from "./noise";
import { pairOffsets, runSym } from "./gaussian";

export interface NonLocalMeansOptions extends ProgressOptions {
  /** Side of the cubic patches compared, in voxels (odd; an even value is raised by one, as skimage does). Default 5. */
  patchSize?: number;
  /** Largest shift searched along each axis, in voxels (the search cube has side 2D+1). Default 6. */
  patchDistance?: number;
  /** Cut-off distance of the weights, in grey units (skimage's `h`). Default 0.8 × the estimated noise sigma. */
  h?: number;
  /** Noise standard deviation subtracted from patch distances, in grey units (skimage's `sigma`). Default: estimateSigma(volume) when `h` is not given, else 0. */
  sigma?: number;
  /** Output dtype (default float32; float64 for float64 input). */
  dtype?: DType;
  /**
   * true (default): the blockwise variant (skimage's fast_mode=True: flat patches).
   * false: skimage's fast_mode=False: pixelwise patch distances with a Gaussian-weighted
   * patch and the search window clipped to the volume; slower (about 3·patchSize work per
   * voxel and shift instead of a constant), and needs patchSize >= 3.
   */
  fastMode?: boolean;
}

/** @internal */
export interface NlmParams {
  s: number;
  d: number;
  h: number;
  sigma: number;
  outDType: DType;
  fast: boolean;
}

/** Above this normalised distance a weight is dropped (exp(-5) < 0.7%), as skimage does. */
const CUTOFF = 5;
const EXP_N = 8192;
/** exp(-x) on [0, CUTOFF], linearly interpolated: relative error < 1e-7, far below the noise. */
const EXP_TABLE = (() => {
  const t = new Float64Array(EXP_N + 2);
  for (let i = 0; i < t.length; i++) t[i] = Math.exp((-i * CUTOFF) / EXP_N);
  return t;
})();

/** @internal */
export function prepareNlm(volume: Volume, o: NonLocalMeansOptions): NlmParams {
  const inDType = checkGreyInput(volume, "nonLocalMeans");
  let s = checkNumber("patchSize", o.patchSize ?? 5, { min: 1, integer: true });
  if (s % 2 === 0) s += 1;
  const d = checkNumber("patchDistance", o.patchDistance ?? 6, { min: 1, integer: true });
  const minSide = Math.min(...volume.shape);
  if (d >= minSide || s > minSide) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `nonLocalMeans: patchSize ${s} and patchDistance ${d} must fit in the volume (smallest side ${minSide} voxels); use smaller values`,
    );
  }
  let h: number;
  let sigma: number;
  if (o.h === undefined) {
    sigma = o.sigma ?? estimateSigma(volume);
    h = 0.8 * sigma;
    if (!(h > 0)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "nonLocalMeans: the estimated noise is 0 (a constant volume?); give h explicitly");
    }
  } else {
    h = checkNumber("h", o.h, { min: 0, exclusiveMin: true });
    sigma = o.sigma ?? 0;
  }
  checkNumber("sigma", sigma, { min: 0 });
  const fast = o.fastMode ?? true;
  if (typeof fast !== "boolean") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `nonLocalMeans: fastMode must be true or false, got ${String(o.fastMode)}`);
  if (!fast && s < 3) {
    // skimage's Gaussian patch has width (s − 1)/4: zero for s = 1 (its weights become NaN)
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "nonLocalMeans: fastMode false needs patchSize >= 3");
  }
  return { s, d, h, sigma, outDType: floatOutDType(inDType, o.dtype), fast };
}

/**
 * @internal Planes [z0, z1) of fast (blockwise) non-local means. For every
 * shift t in the search cube, the squared difference between the volume and
 * its copy shifted by t is box-summed over the patch; the weight of voxel p+t
 * for voxel p is exp(-max(Σ(Δ² − 2σ²), 0) / (h² s³)) (dropped beyond 5). Shifts
 * come in ± pairs sharing one box sum (Darbon et al. 2008; skimage's fast mode).
 * Patches are the (s−1)³ box ending half a voxel past the centre, normalised by
 * s³, exactly as skimage's integral-image implementation does; the border is
 * padded with whole-sample symmetry (numpy's "reflect" = SciPy's "mirror").
 */
export function nlmPlanes(volume: Volume, p: NlmParams, z0: number, z1: number, out: VoxelArray): void {
  if (p.fast === false) {
    nlmSlowPlanes(volume, p, z0, z1, out);
    return;
  }
  const [nz, ny, nx] = volume.shape;
  const src = volume.data;
  const { s, d } = p;
  const o = s >> 1;
  const P = 2 * d + o;
  const L = z1 - z0;
  const EZ = L + 2 * P;
  const EY = ny + 2 * P;
  const EX = nx + 2 * P;
  const EP = EY * EX;
  // Local mirror-padded copy of the source.
  const E = new Float64Array(EZ * EP);
  {
    const xm = new Int32Array(EX);
    for (let x = 0; x < EX; x++) xm[x] = mapIndex(x - P, nx, "mirror");
    for (let z = 0; z < EZ; z++) {
      const zz = mapIndex(z0 + z - P, nz, "mirror");
      for (let y = 0; y < EY; y++) {
        const yy = mapIndex(y - P, ny, "mirror");
        const b = (zz * ny + yy) * nx;
        const e = z * EP + y * EX;
        for (let x = 0; x < EX; x++) E[e + x] = src[b + xm[x]];
      }
    }
  }
  const S2 = new Float64Array(EZ * EP);
  const B = new Float64Array(EZ * EP);
  const drow = new Float64Array(EX);
  const S1 = new Float64Array(EP);
  const run = new Float64Array(EP);
  const acc = new Float64Array(L * ny * nx);
  const wsum = new Float64Array(L * ny * nx);
  // the centre voxel: distance 0, weight 1
  for (let z = 0; z < L; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x;
        acc[i] = E[(z + P) * EP + (y + P) * EX + x + P];
        wsum[i] = 1;
      }
  const var2 = 2 * p.sigma * p.sigma;
  const scale = (1 / (p.h * p.h * s * s * s)) * (EXP_N / CUTOFF);
  const lo = P - d - o + 1; // first D cell along each axis
  // Along z only planes P - d .. P + L - 1 of W are read (p at z + P, p − t at z + P − tz with tz >= 0):
  // the box sums stop there, d planes short of the symmetric range y and x need.
  const hiZ = P + L + o;
  const hiY = EY - P + d + o;
  const hiX = EX - P + d + o;
  const q0 = P - d; // first box-sum position
  const qZ = P + L;
  const qY = EY - P + d;
  const qX = EX - P + d;
  for (let tz = 0; tz <= d; tz++) {
    for (let ty = -d; ty <= d; ty++) {
      for (let tx = -d; tx <= d; tx++) {
        if (tz === 0 && (ty < 0 || (ty === 0 && tx <= 0))) continue;
        const tOff = tz * EP + ty * EX + tx;
        // S2[r_z] = 2D box sums (over y, x) of D for every plane r_z
        for (let rz = lo; rz < hiZ; rz++) {
          for (let ry = lo; ry < hiY; ry++) {
            const e = rz * EP + ry * EX;
            for (let rx = lo; rx < hiX; rx++) {
              const t = E[e + rx] - E[e + rx + tOff];
              drow[rx] = t * t - var2;
            }
            // box over x: cells q-o+1 .. q+o, running sum
            let sum = 0;
            for (let rx = q0 - o + 1; rx <= q0 + o; rx++) sum += drow[rx];
            const so = ry * EX;
            S1[so + q0] = sum;
            for (let qx = q0 + 1; qx < qX; qx++) {
              sum += drow[qx + o] - drow[qx - o];
              S1[so + qx] = sum;
            }
          }
          // box over y: running sum along y (whole rows of the plane: the same for any slab split)
          const zo = rz * EP;
          {
            const so = zo + q0 * EX;
            for (let qx = q0; qx < qX; qx++) S2[so + qx] = 0;
            for (let ry = q0 - o + 1; ry <= q0 + o; ry++) {
              const ro = ry * EX;
              for (let qx = q0; qx < qX; qx++) S2[so + qx] += S1[ro + qx];
            }
          }
          for (let qy = q0 + 1; qy < qY; qy++) {
            const so = zo + qy * EX;
            const sp = so - EX;
            const ra = (qy + o) * EX;
            const rb = (qy - o) * EX;
            for (let qx = q0; qx < qX; qx++) S2[so + qx] = S2[sp + qx] + S1[ra + qx] - S1[rb + qx];
          }
        }
        // W[q_z] = weight of the box over z of S2 (one table look-up per box, shared by +t and -t)
        // The z box is a running sum (run, the raw box sums, stays apart from B, which holds
        // weights). It starts at the slab's first plane, so different slab splits differ by
        // float rounding of the box sums only (~1e-16 relative: outputs agree to ~1e-12).
        for (let qz = q0; qz < qZ; qz++) {
          const bo = qz * EP;
          if (qz === q0) {
            for (let qy = q0; qy < qY; qy++) {
              const r = qy * EX;
              for (let qx = q0; qx < qX; qx++) run[r + qx] = 0;
            }
            for (let rz = qz - o + 1; rz <= qz + o; rz++) {
              const so = rz * EP;
              for (let qy = q0; qy < qY; qy++) {
                const r = qy * EX;
                for (let qx = q0; qx < qX; qx++) run[r + qx] += S2[so + r + qx];
              }
            }
          } else {
            const sa = (qz + o) * EP;
            const sb = (qz - o) * EP;
            for (let qy = q0; qy < qY; qy++) {
              const r = qy * EX;
              for (let qx = q0; qx < qX; qx++) run[r + qx] += S2[sa + r + qx] - S2[sb + r + qx];
            }
          }
          for (let qy = q0; qy < qY; qy++) {
            const r = qy * EX;
            for (let qx = q0; qx < qX; qx++) {
              let b = run[r + qx];
              b = b > 0 ? b * scale : 0;
              if (b <= EXP_N) {
                const k = b | 0;
                B[bo + r + qx] = EXP_TABLE[k] + (EXP_TABLE[k + 1] - EXP_TABLE[k]) * (b - k);
              } else B[bo + r + qx] = 0;
            }
          }
        }
        // accumulate: p gets p+t with weight W[p] and p-t with weight W[p-t]
        for (let z = 0; z < L; z++) {
          for (let y = 0; y < ny; y++) {
            const e = (z + P) * EP + (y + P) * EX + P;
            const a = (z * ny + y) * nx;
            for (let x = 0; x < nx; x++) {
              const ei = e + x;
              const w1 = B[ei];
              const w2 = B[ei - tOff];
              wsum[a + x] += w1 + w2;
              acc[a + x] += w1 * E[ei + tOff] + w2 * E[ei - tOff];
            }
          }
        }
      }
    }
  }
  const plane = new Float64Array(ny * nx);
  for (let z = 0; z < L; z++) {
    const a = z * ny * nx;
    for (let i = 0; i < plane.length; i++) plane[i] = acc[a + i] / wsum[a + i];
    storePlane(plane, out, (z0 + z) * ny * nx, p.outDType);
  }
}

/**
 * @internal Planes [z0, z1) of pixelwise non-local means (skimage's
 * fast_mode=False). Weight of q for p: with D = Σ_patch w·((P_p − P_q)² − 2σ²),
 * w the Gaussian patch kernel (width (s−1)/4, Σw = 1/h²), accumulated plane by
 * plane of the patch: 0 when the partial sum exceeds 5 before one of the later
 * planes (skimage stops there), else exp(−max(D, 0)). q ranges over the search
 * cube clipped to the volume; patches read the volume mirror-padded by s/2
 * (numpy's "reflect"). Since w is a product of 1D Gaussians, each patch plane's
 * sum is a separable 2D filter of the squared differences for a shift t: about
 * 3s operations per voxel and shift instead of s³. Weights are symmetric
 * (w(p, p+t) = w(p+t, p)): each pair is computed once, for half the shifts.
 * Every voxel adds its terms in a fixed order, so any slab split gives the same bits.
 */
function nlmSlowPlanes(volume: Volume, p: NlmParams, z0: number, z1: number, out: VoxelArray): void {
  const [nz, ny, nx] = volume.shape;
  const src = volume.data;
  const { s, d } = p;
  const o = s >> 1;
  const A = (s - 1) / 4;
  const g = new Float64Array(s);
  let gs = 0;
  for (let i = 0; i < s; i++) {
    g[i] = Math.exp(-((i - o) * (i - o)) / (2 * A * A));
    gs += g[i];
  }
  const norm = 1 / (gs * gs * gs * p.h * p.h); // w_ijk = g_i g_j g_k · norm
  const gp = g.slice(0, o); // pair weights, farthest first
  const [xLo, xHi] = pairOffsets(o, 1);
  const [yLo, yHi] = pairOffsets(o, nx);
  const var2 = 2 * p.sigma * p.sigma;
  // the σ term of patch plane i: Σ_jk w_ijk · 2σ²
  const planeVar = new Float64Array(s);
  for (let i = 0; i < s; i++) planeVar[i] = g[i] * gs * gs * norm * var2;
  // Local mirror-padded copy: image planes ZA..ZB-1 (everything p or q can be) plus o around.
  const ZA = Math.max(0, z0 - d);
  const ZB = Math.min(nz, z1 + d);
  const EZ = ZB - ZA + 2 * o;
  const EY = ny + 2 * o;
  const EX = nx + 2 * o;
  const EP = EY * EX;
  const E = new Float64Array(EZ * EP);
  const xm = new Int32Array(EX);
  for (let x = 0; x < EX; x++) xm[x] = mapIndex(x - o, nx, "mirror");
  for (let z = 0; z < EZ; z++) {
    const zz = mapIndex(ZA + z - o, nz, "mirror");
    for (let y = 0; y < EY; y++) {
      const b = (zz * ny + mapIndex(y - o, ny, "mirror")) * nx;
      const e = z * EP + y * EX;
      for (let x = 0; x < EX; x++) E[e + x] = src[b + xm[x]];
    }
  }
  const at = (z: number, y: number, x: number) => E[(z - ZA + o) * EP + (y + o) * EX + x + o];
  const L = z1 - z0;
  const plane = ny * nx;
  const acc = new Float64Array(L * plane);
  const wsum = new Float64Array(L * plane);
  for (let z = z0; z < z1; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z - z0) * plane + y * nx + x;
        acc[i] = at(z, y, x); // the voxel itself: distance −2σ²Σw <= 0, weight 1
        wsum[i] = 1;
      }
  // Per shift: F planes (2D-filtered squared differences, one per patch plane), kept in a ring of s.
  const ring = Array.from({ length: s }, () => new Float64Array(plane));
  const ringZ = new Int32Array(s).fill(-1 << 30);
  const dsq = new Float64Array(EP);
  const hx = new Float64Array(EY * nx);
  const dist = new Float64Array(plane);
  const dead = new Uint8Array(plane);
  for (let tz = 0; tz <= d; tz++) {
    for (let ty = -d; ty <= d; ty++) {
      for (let tx = -d; tx <= d; tx++) {
        if (tz === 0 && (ty < 0 || (ty === 0 && tx <= 0))) continue;
        // bases b with b and b + t inside the volume, and b or b + t in the slab
        const zbLo = Math.max(0, z0 - tz);
        const zbHi = Math.min(z1, nz - tz);
        const ybLo = Math.max(0, -ty);
        const ybHi = Math.min(ny, ny - ty);
        const xbLo = Math.max(0, -tx);
        const xbHi = Math.min(nx, nx - tx);
        if (zbLo >= zbHi || ybLo >= ybHi || xbLo >= xbHi) continue;
        ringZ.fill(-1 << 30);
        const tOff = tz * EP + ty * EX + tx;
        const fPlane = (zz: number): Float64Array => {
          const slot = ((zz % s) + s) % s;
          const F = ring[slot];
          if (ringZ[slot] === zz) return F;
          ringZ[slot] = zz;
          // squared differences over the rows/cols the patches of the bases cover
          const ez = (zz - ZA + o) * EP;
          for (let y = ybLo; y < ybHi + 2 * o; y++) {
            const r = ez + y * EX;
            for (let x = xbLo; x < xbHi + 2 * o; x++) {
              const t = E[r + x] - E[r + x + tOff];
              dsq[y * EX + x] = t * t;
            }
          }
          // x then y filter with g (patch rows/cols o around each base): symmetric pairs, 4 outputs per tap loop
          const m = xbHi - xbLo;
          for (let y = ybLo; y < ybHi + 2 * o; y++) runSym(dsq, y * EX + xbLo + o, hx, y * nx + xbLo, m, g[o], gp, xLo, xHi);
          for (let y = ybLo; y < ybHi; y++) runSym(hx, (y + o) * nx + xbLo, F, y * nx + xbLo, m, g[o], gp, yLo, yHi);
          return F;
        };
        for (let zb = zbLo; zb < zbHi; zb++) {
          const baseIn = zb >= z0 && zb < z1;
          const targetIn = zb + tz >= z0 && zb + tz < z1;
          if (!baseIn && !targetIn) continue;
          // distance, patch plane by patch plane, with skimage's early stop
          for (let i = 0; i < s; i++) {
            const F = fPlane(zb - o + i);
            const c = g[i] * norm;
            const pv = planeVar[i];
            for (let y = ybLo; y < ybHi; y++) {
              const r = y * nx;
              if (i === 0) {
                for (let x = xbLo; x < xbHi; x++) {
                  dist[r + x] = c * F[r + x] - pv;
                  dead[r + x] = 0;
                }
              } else {
                for (let x = xbLo; x < xbHi; x++) {
                  const k = r + x;
                  const dk = dist[k];
                  dead[k] |= +(dk > CUTOFF);
                  dist[k] = dk + (c * F[k] - pv);
                }
              }
            }
          }
          const ab = (zb - z0) * plane;
          const at2 = (zb + tz - z0) * plane;
          const eb = (zb - ZA + o) * EP + o * EX + o;
          for (let y = ybLo; y < ybHi; y++) {
            for (let x = xbLo; x < xbHi; x++) {
              const k = y * nx + x;
              if (dead[k]) continue;
              const dd = dist[k] > 0 ? dist[k] : 0;
              let w: number;
              if (dd <= CUTOFF) {
                const u = dd * (EXP_N / CUTOFF);
                const m = u | 0;
                w = EXP_TABLE[m] + (EXP_TABLE[m + 1] - EXP_TABLE[m]) * (u - m);
              } else w = Math.exp(-dd);
              const e = eb + y * EX + x;
              if (baseIn) {
                acc[ab + k] += w * E[e + tOff];
                wsum[ab + k] += w;
              }
              if (targetIn) {
                const kt = k + ty * nx + tx;
                acc[at2 + kt] += w * E[e];
                wsum[at2 + kt] += w;
              }
            }
          }
        }
      }
    }
  }
  const res = new Float64Array(plane);
  for (let z = 0; z < L; z++) {
    const a = z * plane;
    for (let i = 0; i < plane; i++) res[i] = acc[a + i] / wsum[a + i];
    storePlane(res, out, (z0 + z) * plane, p.outDType);
  }
}

/**
 * Non-local means denoising in 3D, the fast blockwise variant of
 * `skimage.restoration.denoise_nl_means(v, patch_size, patch_distance, h,
 * fast_mode=True, sigma, preserve_range=True)`: each voxel becomes the
 * weighted mean of the voxels within `patchDistance` whose surrounding patches
 * look alike. `h` and `sigma` are in grey units of the input (skimage's
 * preserve_range=True). Without `h`: sigma = estimateSigma(v), h = 0.8·sigma
 * (skimage's recommendation). Output float32 (float64 for float64 input).
 * Cost grows with (2·patchDistance+1)³: keep patchDistance small in 3D.
 *
 * @example
 * const sigma = estimateSigma(ct);
 * const clean = nonLocalMeans(ct, { patchSize: 5, patchDistance: 4, h: 0.8 * sigma, sigma });
 */
export function nonLocalMeans(volume: Volume, options: NonLocalMeansOptions = {}): Volume {
  const p = prepareNlm(volume, options ?? {});
  const out = allocOut(p.outDType, volume.data.length, "the non-local means output");
  // Thick slabs: the halo (2·patchDistance + patchSize/2 planes on each side) is recomputed per slab.
  runInSlabs(volume.shape[0], (z0, z1) => nlmPlanes(volume, p, z0, z1, out), options ?? {}, Math.max(32, 8 * p.d));
  return createVolume(out, volume.shape, volume.spacing);
}
