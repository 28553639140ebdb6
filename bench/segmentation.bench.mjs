// Benchmark cases for morphology/ and segment/ (see docs/bench.md). The harness
// gives a grey three-phase phantom; the morphology cases first cut it into
// three phases with fixed thresholds on both sides (cheap next to the
// operation), then work on one phase. Peers: scipy.ndimage (label, EDT),
// scikit-image (thresholds, h-maxima + watershed). The classifier and the MRF
// have no installed peer (scikit-learn is not on the machine): tomolyte only.
const T = (v) => (v.data instanceof Uint16Array ? [14000, 30000] : [0.225, 0.525]);
function phases(lib, v) {
  const [a, b] = T(v);
  const d = v.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] < a ? 0 : d[i] < b ? 1 : 2;
  return lib.createVolume(out, v.shape, v.spacing);
}
const SEGMENT = `
from scipy import ndimage as ndi
def seg(v):
    t = (14000, 30000) if v.dtype == np.uint16 else (0.225, 0.525)
    return np.digitize(v, t).astype(np.uint8)
`;

// The classifier model is trained once (on the warm-up crop, scribbles on every 7th voxel of
// three slices, labelled by the phase thresholds) and reused: the timed call is prediction only.
let model = null;
function classifierModel(lib, v) {
  if (model) return model;
  const p = phases(lib, v);
  const [nz, ny, nx] = v.shape;
  const s = new Uint8Array(p.data.length);
  for (const z of [Math.floor(nz / 4), Math.floor(nz / 2), Math.floor((3 * nz) / 4)]) {
    for (let i = z * ny * nx; i < (z + 1) * ny * nx; i += 7) s[i] = p.data[i] + 1;
  }
  model = lib.trainClassifier(v, lib.createVolume(s, v.shape, v.spacing), { seed: 1 });
  return model;
}

export default [
  {
    name: "label one phase, 6-connected",
    tomolyte: (lib, v) => lib.label(phases(lib, v), { phase: 0, connectivity: 6 }),
    peer: { setup: SEGMENT, call: "ndi.label(seg(v) == 0)" },
  },
  {
    name: "label one phase, 26-connected",
    tomolyte: (lib, v) => lib.label(phases(lib, v), { phase: 0, connectivity: 26 }),
    peer: { setup: SEGMENT, call: "ndi.label(seg(v) == 0, np.ones((3, 3, 3)))" },
  },
  {
    name: "distance transform one phase",
    tomolyte: (lib, v) => lib.distanceTransform(phases(lib, v), { phase: 2 }),
    peer: { setup: SEGMENT, call: "ndi.distance_transform_edt(seg(v) == 2)" },
  },
  {
    name: "separate particles (EDT, h-maxima, watershed 26)",
    tomolyte: (lib, v) => lib.separateParticles(phases(lib, v), { phase: 2, h_um: 1, connectivity: 26 }),
    peer: {
      setup: SEGMENT + `
from skimage.morphology import h_maxima
from skimage.segmentation import watershed
def particles(v):
    fg = seg(v) == 2
    d = ndi.distance_transform_edt(fg)
    markers, _ = ndi.label(h_maxima(d, 1) * fg, np.ones((3, 3, 3)))
    return watershed(-d, markers, mask=fg, connectivity=3)
`,
      call: "particles(v)",
    },
  },
  {
    name: "Otsu threshold",
    tomolyte: (lib, v) => lib.otsuThreshold(v),
    peer: { setup: "from skimage.filters import threshold_otsu", call: "threshold_otsu(v)" },
  },
  {
    // uint16 data get one bin per grey value; skimage's brute-force search over ~40 000 bins
    // does not finish, so this case runs on float32 (256 bins) only.
    name: "multi-Otsu 3 classes",
    dtypes: ["float32"],
    tomolyte: (lib, v) => lib.multiOtsuThresholds(v, { classes: 3 }),
    peer: { setup: "from skimage.filters import threshold_multiotsu", call: "threshold_multiotsu(v, classes=3)" },
  },
  {
    name: "MRF 3 phases (ICM, beta 1)",
    tomolyte: (lib, v) => lib.segmentMrf(v, { classes: 3, beta: 1 }),
  },
  {
    name: "classifier prediction (22 features, 32 trees)",
    tomolyte: (lib, v) => lib.classify(v, classifierModel(lib, v), { probabilities: false }),
  },
];
