// Benchmark cases for morphology/ and segment/ (see docs/bench.md). The harness
// gives a grey three-phase phantom; the morphology cases first cut it into
// three phases with fixed thresholds on both sides (cheap next to the
// operation), then work on one phase. Peers: scipy.ndimage (label, EDT),
// scikit-image (thresholds, h-maxima + watershed), and for the classifier's
// prediction the same feature stack in SciPy/NumPy + scikit-learn's random forest
// (python3-sklearn: scripts/bench.mjs installs it when missing and run as root,
// else the row says "peer unavailable"). The MRF has no peer: tomolyte only.
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
    name: "label one phase, 18-connected",
    tomolyte: (lib, v) => lib.label(phases(lib, v), { phase: 0, connectivity: 18 }),
    peer: { setup: SEGMENT, call: "ndi.label(seg(v) == 0, ndi.generate_binary_structure(3, 2))" },
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
    name: "separate particles (EDT, h-maxima, watershed 6)",
    tomolyte: (lib, v) => lib.separateParticles(phases(lib, v), { phase: 2, h_um: 1, connectivity: 6 }),
    peer: {
      setup: SEGMENT + `
from skimage.morphology import h_maxima
from skimage.segmentation import watershed
def particles(v):
    fg = seg(v) == 2
    d = ndi.distance_transform_edt(fg)
    markers, _ = ndi.label(h_maxima(d, 1) * fg, np.ones((3, 3, 3)))
    return watershed(-d, markers, mask=fg, connectivity=1)
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
    // Prediction only (features + forest walk): both models are trained untimed on the same
    // scribbles of the same 48³ corner (tomolyte: in the warm-up; Python: in setup), with the
    // same forest size (32 trees, depth ≤ 14, ≥ 2 samples per leaf, √F features per split,
    // balanced class weights). Peer: the same 22 features (raw; per σ: Gaussian, DoG, gradient
    // magnitude, Laplacian, Hessian eigenvalues by numpy.linalg.eigvalsh) and
    // RandomForestClassifier.predict, single-threaded like tomolyte.
    name: "classifier prediction (22 features, 32 trees)",
    tomolyte: (lib, v) => lib.classify(v, classifierModel(lib, v), { probabilities: false }),
    peer: {
      requires: ["sklearn"],
      setup: SEGMENT + `
from sklearn.ensemble import RandomForestClassifier
SIGMAS = (0.7, 1.6, 3.5)
def features(v):
    raw = v.astype(np.float32)
    out = [raw]
    prev = raw
    for s in SIGMAS:
        g = ndi.gaussian_filter(raw, s, mode="reflect")
        p = np.pad(g, 1, mode="edge")   # central differences clamped at the faces
        Z, Y, X = g.shape
        sh = lambda dz, dy, dx: p[1 + dz:1 + dz + Z, 1 + dy:1 + dy + Y, 1 + dx:1 + dx + X]
        gz = (sh(1, 0, 0) - sh(-1, 0, 0)) / 2
        gy = (sh(0, 1, 0) - sh(0, -1, 0)) / 2
        gx = (sh(0, 0, 1) - sh(0, 0, -1)) / 2
        hzz = sh(1, 0, 0) - 2 * g + sh(-1, 0, 0)
        hyy = sh(0, 1, 0) - 2 * g + sh(0, -1, 0)
        hxx = sh(0, 0, 1) - 2 * g + sh(0, 0, -1)
        hzy = (sh(1, 1, 0) - sh(1, -1, 0) - sh(-1, 1, 0) + sh(-1, -1, 0)) / 4
        hzx = (sh(1, 0, 1) - sh(1, 0, -1) - sh(-1, 0, 1) + sh(-1, 0, -1)) / 4
        hyx = (sh(0, 1, 1) - sh(0, 1, -1) - sh(0, -1, 1) + sh(0, -1, -1)) / 4
        H = np.stack([hzz, hzy, hzx, hzy, hyy, hyx, hzx, hyx, hxx], axis=-1).reshape(g.shape + (3, 3))
        ev = np.linalg.eigvalsh(H)
        del H
        out += [g, g - prev, np.sqrt(gz * gz + gy * gy + gx * gx), hzz + hyy + hxx, ev[..., 0], ev[..., 1], ev[..., 2]]
        prev = g
    return np.stack([f.ravel() for f in out], axis=1)
w = min(48, v.shape[0])
c = v[:w, :w, :w]
lab = seg(c).reshape(w, -1)
S = np.zeros_like(lab)
for z in (w // 4, w // 2, (3 * w) // 4):
    S[z, ::7] = lab[z, ::7] + 1
m = S.ravel() > 0
rf = RandomForestClassifier(n_estimators=32, max_depth=14, min_samples_leaf=2, max_features="sqrt",
                            class_weight="balanced", random_state=1).fit(features(c)[m], S.ravel()[m])
`,
      call: "rf.predict(features(v))",
    },
  },
];
