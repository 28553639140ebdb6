// Benchmark cases for filters/ and parallel/: tomolyte (built kernel-lib/dist)
// against scipy.ndimage / scikit-image on the same data. See docs/bench.md for
// the case format. `v` is the input numpy array in Python; `threads` is the
// number of worker threads given to `npm run bench -- --threads N`.
export default [
  {
    name: "gaussian sigma=2",
    tomolyte: (lib, v, { threads }) => lib.parallel.gaussian(v, { sigmaVoxels: 2 }, { threads }),
    peer: { setup: "from scipy import ndimage as ndi", call: "ndi.gaussian_filter(v, 2, output=np.float32)" },
  },
  {
    name: "mean cube r=2",
    tomolyte: (lib, v, { threads }) => lib.parallel.mean(v, { radiusVoxels: 2 }, { threads }),
    peer: { setup: "from scipy import ndimage as ndi", call: "ndi.uniform_filter(v, 5, output=np.float32)" },
  },
  {
    name: "median cube r=1",
    tomolyte: (lib, v, { threads }) => lib.parallel.median(v, { radiusVoxels: 1 }, { threads }),
    peer: { setup: "from scipy import ndimage as ndi", call: "ndi.median_filter(v, 3)" },
  },
  {
    name: "median cube r=2",
    tomolyte: (lib, v, { threads }) => lib.parallel.median(v, { radiusVoxels: 2 }, { threads }),
    peer: { setup: "from scipy import ndimage as ndi", call: "ndi.median_filter(v, 5)" },
  },
  {
    name: "minimum cube r=2",
    tomolyte: (lib, v, { threads }) => lib.parallel.minimum(v, { radiusVoxels: 2 }, { threads }),
    peer: { setup: "from scipy import ndimage as ndi", call: "ndi.minimum_filter(v, 5)" },
  },
  {
    name: "maximum ball r=2",
    tomolyte: (lib, v, { threads }) => lib.parallel.maximum(v, { radiusVoxels: 2, footprint: "ball" }, { threads }),
    peer: {
      setup: "from scipy import ndimage as ndi\ng = np.mgrid[-2:3, -2:3, -2:3]\nball = (g**2).sum(0) <= 4",
      call: "ndi.maximum_filter(v, footprint=ball)",
    },
  },
  {
    name: "unsharp r=1 a=1",
    tomolyte: (lib, v, { threads }) => lib.parallel.unsharpMask(v, { radiusVoxels: 1, amount: 1 }, { threads }),
    peer: { setup: "from skimage.filters import unsharp_mask", call: "unsharp_mask(v, radius=1, amount=1, preserve_range=True)" },
  },
  {
    name: "nlm fast p=5 d=3",
    tomolyte: (lib, v, { threads }) => lib.parallel.nonLocalMeans(v, { patchSize: 5, patchDistance: 3, h: lib.estimateSigma(v) * 0.8 }, { threads }),
    peer: {
      setup: "from skimage.restoration import denoise_nl_means, estimate_sigma",
      call: "denoise_nl_means(v, patch_size=5, patch_distance=3, h=0.8 * estimate_sigma(v), fast_mode=True, preserve_range=True)",
    },
    // skimage takes minutes at 256³: only with --full
    maxSize: 128,
  },
  {
    name: "nlm pixelwise p=3 d=2",
    // skimage's fast_mode=False (Gaussian-weighted patches): seconds per million voxels even at this small size
    tomolyte: (lib, v, { threads }) =>
      lib.parallel.nonLocalMeans(v, { patchSize: 3, patchDistance: 2, h: lib.estimateSigma(v) * 0.8, fastMode: false }, { threads }),
    peer: {
      setup: "from skimage.restoration import denoise_nl_means, estimate_sigma",
      call: "denoise_nl_means(v, patch_size=3, patch_distance=2, h=0.8 * estimate_sigma(v), fast_mode=False, preserve_range=True)",
    },
    maxSize: 128,
    dtypes: ["uint16"],
  },
  {
    name: "diffusion exp 10 it",
    // no SciPy/scikit-image equivalent: the peer is a vectorised NumPy Perona–Malik (same scheme, float32)
    tomolyte: (lib, v, { threads }) =>
      lib.parallel.anisotropicDiffusion(v, { kappa: 0.05 * (v.data instanceof Float32Array ? 1 : 65535), iterations: 10 }, { threads }),
    peer: {
      setup: `
def pm(v, kappa, it, step=1/7):
    a = v.astype(np.float32)
    for _ in range(it):
        f = np.zeros_like(a)
        for ax in range(3):
            d = np.diff(a, axis=ax)
            flux = np.exp(-(d / kappa) ** 2) * d
            lo = [slice(None)] * 3; hi = [slice(None)] * 3
            lo[ax] = slice(0, -1); hi[ax] = slice(1, None)
            f[tuple(lo)] += flux
            f[tuple(hi)] -= flux
        a = a + step * f
    return a`,
      call: "pm(v, 0.05 * (1 if v.dtype == np.float32 else 65535), 10)",
    },
  },
];
