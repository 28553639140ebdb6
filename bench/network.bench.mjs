// Pore network extraction (network/snow) against the same steps done with
// SciPy and scikit-image functions on the same machine: distance transform,
// Gaussian smoothing (σ 0.4), maximum filter over a ball of radius 4, peak
// labelling, marker watershed inside the pores, and the region adjacency (throat
// areas) from voxel-face pairs. PoreSpy itself is not installable here; its
// snow2 took ~20 s at 128³ on a comparable machine (issue 8).
// Input: the harness' phantom (uint16), pores = grey value below 14000 (its
// darkest phase, about 40% of the voxels).
const PEER_SETUP = String.raw`
import scipy.ndimage as spim
from skimage.segmentation import watershed
from skimage.morphology import ball, cube
def peer_snow(v):
    im = v < 14000
    dt = spim.distance_transform_edt(im).astype(np.float32)
    b = spim.gaussian_filter(dt, 0.4) * im
    mx = spim.maximum_filter(b, footprint=ball(4), mode="constant", cval=0)
    peaks = (b == mx) & (b > 0)
    markers, n = spim.label(peaks, structure=cube(3))
    regions = watershed(-b, markers, mask=im)
    pairs = []
    for ax in range(3):
        a = np.moveaxis(regions, ax, 0)
        p, q = a[:-1].ravel(), a[1:].ravel()
        m = (p != q) & (p > 0) & (q > 0)
        lo, hi = np.minimum(p[m], q[m]), np.maximum(p[m], q[m])
        pairs.append(lo.astype(np.int64) * (n + 1) + hi)
    keys, areas = np.unique(np.concatenate(pairs), return_counts=True)
    return {"pores": int(n), "throats": int(keys.size)}
`;

export default [
  {
    name: "network snow (pores < 14000, σ 0.4, r 4)",
    dtypes: ["uint16"],
    tomolyte: (lib, v) => {
      const d = new Uint8Array(v.data.length);
      for (let i = 0; i < d.length; i++) d[i] = v.data[i] < 14000 ? 0 : 1;
      const r = lib.snow(lib.createVolume(d, v.shape, v.spacing), { phase: 0 });
      return { pores: r.network.pores.count, throats: r.network.throats.count };
    },
    peer: { setup: PEER_SETUP, call: "peer_snow(v)" },
  },
];
