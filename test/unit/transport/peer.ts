/**
 * The same finite-volume problem assembled independently with NumPy/SciPy
 * (scipy.sparse matrix, scipy.ndimage.label for percolation) and solved
 * directly (spsolve) or by Jacobi-preconditioned CG: the reference peer for
 * tortuosity(). TauFactor itself (PyTorch) is not installable here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../helpers/python";

export const PEER_SCRIPT = String.raw`
import sys, json, time
import numpy as np, scipy.sparse as sp, scipy.sparse.linalg as sla, scipy.ndimage as ndi
args = json.loads(sys.argv[1])
shape = tuple(args["shape"]); axis = args["axis"]; spacing = list(args["spacing"])
table = {float(k): float(v) for k, v in args["phases"].items()}
periodic = args.get("periodic", False); solver = args.get("solver", "spsolve")
a = np.fromfile(args["path"], dtype=np.uint8).reshape(shape)
D = np.zeros(shape)
for v, d in table.items():
    D[a == v] = d
eps = float((D > 0).mean()); dmean = float(D.mean())
# Percolation: 6-connected components touching both Dirichlet faces (merged across periodic sides).
lab, n = ndi.label(D > 0)
parent = np.arange(n + 1)
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]; x = parent[x]
    return x
if periodic:
    for ax in range(3):
        if ax == axis or shape[ax] < 2: continue
        p = np.take(lab, 0, axis=ax).ravel(); q = np.take(lab, -1, axis=ax).ravel()
        for u, w in zip(p, q):
            if u and w:
                ru, rw = find(u), find(w)
                if ru != rw: parent[max(ru, rw)] = min(ru, rw)
roots = np.array([find(i) for i in range(n + 1)])
lo = set(roots[np.unique(np.take(lab, 0, axis=axis))]); hi = set(roots[np.unique(np.take(lab, -1, axis=axis))])
keep = np.array([(r in lo and r in hi and i > 0) for i, r in enumerate(roots)])
D[~keep[lab]] = 0
N = D.size
idx = np.arange(N).reshape(shape)
area = [spacing[1] * spacing[2], spacing[0] * spacing[2], spacing[0] * spacing[1]]
k = [area[i] / spacing[i] for i in range(3)]
rows, cols, vals = [], [], []
diag = np.zeros(N)
for ax in range(3):
    if shape[ax] < 2: continue
    Db = np.roll(D, -1, axis=ax)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where((D > 0) & (Db > 0), 2 * D * Db / (D + Db), 0.0) * k[ax]
    if not (periodic and ax != axis):
        sl = [slice(None)] * 3; sl[ax] = -1; g[tuple(sl)] = 0
    i = idx.ravel(); j = np.roll(idx, -1, axis=ax).ravel(); gv = g.ravel()
    m = gv > 0
    rows += [i[m], j[m]]; cols += [j[m], i[m]]; vals += [-gv[m], -gv[m]]
    np.add.at(diag, i[m], gv[m]); np.add.at(diag, j[m], gv[m])
blo = 2 * k[axis] * np.take(D, 0, axis=axis); bhi = 2 * k[axis] * np.take(D, -1, axis=axis)
first = np.take(idx, 0, axis=axis).ravel(); last = np.take(idx, -1, axis=axis).ravel()
np.add.at(diag, first, blo.ravel()); np.add.at(diag, last, bhi.ravel())
b = np.zeros(N); np.add.at(b, first, blo.ravel())
A = sp.coo_matrix((np.concatenate(vals + [diag]), (np.concatenate(rows + [np.arange(N)]), np.concatenate(cols + [np.arange(N)]))), shape=(N, N)).tocsr()
act = np.nonzero(diag > 0)[0]
if act.size == 0:
    print(json.dumps({"tau": None, "ratio": 0.0, "eps": eps})); sys.exit(0)
Ar = A[act][:, act].tocsr(); br = b[act]
t0 = time.perf_counter(); iters = None
if solver == "spsolve":
    xr = sla.spsolve(Ar.tocsc(), br)
else:
    dinv = 1.0 / Ar.diagonal()
    M = sla.LinearOperator(Ar.shape, matvec=lambda v: dinv * v)
    count = [0]
    def cb(xk): count[0] += 1
    tol = args.get("tol", 1e-8)
    try:
        xr, info = sla.cg(Ar, br, tol=tol, atol=0.0, M=M, maxiter=100000, callback=cb)
    except TypeError:
        xr, info = sla.cg(Ar, br, rtol=tol, atol=0.0, M=M, maxiter=100000, callback=cb)
    iters = count[0]
t = time.perf_counter() - t0
c = np.zeros(N); c[act] = xr
flux = float(np.sum(blo.ravel() * (1 - c[first])))
L = shape[axis] * spacing[axis]
A_cross = np.prod([shape[i] * spacing[i] for i in range(3) if i != axis])
ratio = flux * L / A_cross
print(json.dumps({"tau": dmean / ratio if ratio > 0 else None, "ratio": ratio, "eps": eps, "seconds": t, "iterations": iters, "unknowns": int(act.size)}))
`;

export interface PeerResult {
  tau: number | null;
  ratio: number;
  eps: number;
  seconds: number;
  iterations: number | null;
  unknowns: number;
}

/** Solves with the SciPy peer; `data` must be uint8 labels. */
export function peerTortuosity(
  data: Uint8Array,
  shape: readonly number[],
  options: { axis: 0 | 1 | 2; spacing?: readonly number[]; phases: Record<number, number>; periodic?: boolean; solver?: "spsolve" | "cg"; tol?: number },
): PeerResult {
  const dir = mkdtempSync(join(tmpdir(), "tomolyte-tau-"));
  try {
    const path = join(dir, "labels.raw");
    writeFileSync(path, data);
    const args = {
      path, shape, axis: options.axis, spacing: options.spacing ?? [1, 1, 1], phases: options.phases,
      periodic: options.periodic ?? false, solver: options.solver ?? "spsolve", tol: options.tol ?? 1e-8,
    };
    return runPython<PeerResult>(PEER_SCRIPT, [JSON.stringify(args)], 900_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
