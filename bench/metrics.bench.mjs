// Benchmark cases for metrics/ (see
// docs/bench.md). The harness gives a grey three-phase phantom; both sides
// first segment it with the same two thresholds (cheap next to the metric),
// then measure. Peers: scikit-image's marching cubes + mesh_surface_area and
// regionprops, PoreSpy's local_thickness ("dt" mode) written with SciPy, and for
// the two-point correlation NumPy's real FFT (rfftn / irfftn) + a bincount radial
// average (PoreSpy's two_point_correlation_fft does the same).
const T = (v) => (v.data instanceof Uint16Array ? [14000, 30000] : [0.225, 0.525]);
function segment(lib, v) {
  const [a, b] = T(v);
  const d = v.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] < a ? 0 : d[i] < b ? 1 : 2;
  return lib.createVolume(out, v.shape, v.spacing);
}
const SEGMENT = `
from skimage import measure
from scipy import ndimage as ndi
def seg(v):
    t = (14000, 30000) if v.dtype == np.uint16 else (0.225, 0.525)
    return np.digitize(v, t).astype(np.uint8)
`;
export default [
  {
    name: "metrics SSA 3 phases (MC + face count)",
    tomolyte: (lib, v) => lib.specificSurfaceArea(segment(lib, v), { interfaces: false }),
    peer: {
      setup: SEGMENT + `
def ssa(v):
    l = seg(v)
    out = []
    for p in range(3):
        m = l == p
        ve, f, _, _ = measure.marching_cubes(m.astype(np.float32), 0.5)
        out.append(measure.mesh_surface_area(ve, f))
        out.append(sum(int(np.count_nonzero(np.diff(m, axis=a))) for a in range(3)))
    return out
`,
      call: "ssa(v)",
    },
  },
  {
    name: "metrics regionprops (label + props)",
    tomolyte: (lib, v) => lib.regionProperties(lib.label(segment(lib, v), { phase: 2 }).labels, { surfaceArea: false }),
    peer: {
      setup: SEGMENT + `
def rp(v):
    lab, n = ndi.label(seg(v) == 2)
    return [(r.area, r.centroid, r.bbox, r.inertia_tensor_eigvals) for r in measure.regionprops(lab)]
`,
      call: "rp(v)",
    },
  },
  {
    // The peer's 25 SciPy EDTs take about 10 s at 128³ and ~3 min of CPU at 256³:
    // 256³ runs only with --no-limits.
    name: "metrics local thickness 25 radii",
    maxSize: 128,
    tomolyte: (lib, v) => lib.localThickness(segment(lib, v), { phase: 0, sizes: 25 }),
    peer: {
      setup: SEGMENT + `
def lt(v):
    im = seg(v) == 0
    dt = ndi.distance_transform_edt(im)
    sizes = np.logspace(np.log10(dt.max()), 0, 25)
    out = np.zeros(im.shape)
    for r in sizes:
        seeds = dt >= r
        if not seeds.any(): continue
        cov = ndi.distance_transform_edt(~seeds) < r
        out[(out == 0) & cov & im] = r
    return out
`,
      call: "lt(v)",
    },
  },
  {
    // Periodic S2 of one phase, radial average up to half the side in bins of one voxel:
    // both sides return the same numbers (tomolyte's radial bins are these bins).
    name: "metrics two-point correlation (FFT, radial)",
    tomolyte: (lib, v) => lib.twoPointCorrelation(segment(lib, v), { phase: 0 }),
    peer: {
      setup: SEGMENT + `
def s2(v):
    f = (seg(v) == 0).astype(np.float64)
    F = np.fft.rfftn(f)
    ac = np.fft.irfftn(F.real ** 2 + F.imag ** 2, s=f.shape) / f.size
    l = [np.fft.fftfreq(n, 1.0 / n) for n in f.shape]
    r = np.sqrt(l[0][:, None, None] ** 2 + l[1][None, :, None] ** 2 + l[2][None, None, :] ** 2)
    b = np.floor(r + 0.5).astype(np.int64)
    keep = b <= min(f.shape) // 2
    return np.bincount(b[keep], ac[keep]) / np.bincount(b[keep])
`,
      call: "s2(v)",
    },
  },
];
