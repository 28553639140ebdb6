// Tortuosity factor (transport/) against a NumPy/SciPy solve of the same
// finite-volume problem: TauFactor 2 itself (PyTorch) is not installable here.
// Data: TauFactor's own 256³ NMC electrode (data/samples), pore phase (0),
// transport along z, cropped to the bench size (128³ = the first 128 in each axis).
//
// Two uses:
//  - `npm run bench` (scripts/bench.mjs) runs the case below: wall time of
//    tortuosity() at TauFactor's criterion 1e-2 (labelling, set-up and solve) vs
//    SciPy (labelling, sparse assembly and scipy.sparse.linalg.cg with a Jacobi
//    preconditioner to a relative residual of 1e-4), and peak memory;
//  - `node bench/tortuosity.bench.mjs [--size 128,256] [--tolerance 1e-2]
//    [--methods mg-pcg,mg-pcg-f64,mg-pcg-2t,pcg,sor,scipy]` prints the detailed comparison:
//    iterations, wall and CPU time, memory per voxel (counted arrays, and measured peak RSS)
//    and the answer of each solver (the tables in docs/tortuosity.md); every tomolyte case
//    runs in a child process of its own. It needs the built library (npx tsc -b kernel-lib)
//    or TOMOLYTE_DIST=<path to index.js>.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLE = join(root, "data/samples/taufactor_electrode_256.tiff");

let sample = null;
/** The sample cropped to n³ (read once per process: the harness' warm-up call pays the reading). */
async function sampleCrop(lib, n) {
  if (!sample) sample = await lib.read(SAMPLE, { spacing_um: [0.390625, 0.390625, 0.390625] });
  if (n >= 256) return sample;
  return lib.crop(sample, { z: [0, n], y: [0, n], x: [0, n] });
}

// The same discretisation in NumPy/SciPy: 6-connected percolating pore (ndimage.label),
// faces of conductance 1 between pore voxels, Dirichlet faces of conductance 2 on the
// first and last z slices, CG with a Jacobi preconditioner.
const PEER_SETUP = String.raw`
import time
import tifffile, scipy.sparse as sp, scipy.sparse.linalg as sla, scipy.ndimage as ndi
S = tifffile.imread(${JSON.stringify(SAMPLE)})
def peer_tau(n, rtol=1e-4):
    a = S[:n, :n, :n]
    pore = a == 0
    eps = pore.mean()
    lab, _ = ndi.label(pore)
    both = np.intersect1d(np.unique(lab[0]), np.unique(lab[-1]))
    keep = np.isin(lab, both[both > 0])
    N = keep.size
    idx = np.arange(N).reshape(keep.shape)
    rows, cols = [], []
    diag = np.zeros(N)
    for ax in range(3):
        sl0 = [slice(None)] * 3; sl1 = [slice(None)] * 3
        sl0[ax] = slice(0, -1); sl1[ax] = slice(1, None)
        m = keep[tuple(sl0)] & keep[tuple(sl1)]
        i = idx[tuple(sl0)][m]; j = idx[tuple(sl1)][m]
        rows += [i, j]; cols += [j, i]
        np.add.at(diag, i, 1.0); np.add.at(diag, j, 1.0)
    first = idx[0][keep[0]]; last = idx[-1][keep[-1]]
    diag[first] += 2.0; diag[last] += 2.0
    b = np.zeros(N); b[first] = 2.0
    r = np.concatenate(rows + [np.arange(N)]); c = np.concatenate(cols + [np.arange(N)])
    v = np.concatenate([-np.ones(sum(len(x) for x in rows)), diag])
    A = sp.csr_matrix((v, (r, c)), shape=(N, N))
    act = np.nonzero(diag > 0)[0]
    Ar = A[act][:, act].tocsr(); br = b[act]
    dinv = 1.0 / Ar.diagonal()
    M = sla.LinearOperator(Ar.shape, matvec=lambda x: dinv * x)
    it = [0]
    def cb(xk): it[0] += 1
    try:
        x, info = sla.cg(Ar, br, tol=rtol, atol=0.0, M=M, maxiter=100000, callback=cb)
    except TypeError:
        x, info = sla.cg(Ar, br, rtol=rtol, atol=0.0, M=M, maxiter=100000, callback=cb)
    cfull = np.zeros(N); cfull[act] = x
    flux = float(np.sum(2.0 * (1.0 - cfull[first])))
    ratio = flux * n / (n * n)
    return {"tau": float(eps / ratio), "iterations": it[0], "info": int(info)}
`;

export default [
  {
    name: "tortuosity pore z (TauFactor electrode, tol 1e-2)",
    dtypes: ["uint16"], // the input is the sample, not the phantom: run once per size
    tomolyte: async (lib, v) => {
      const labels = await sampleCrop(lib, v.shape[0]);
      return lib.tortuosity(labels, { phase: 0, axis: "z", tolerance: 1e-2 });
    },
    peer: { setup: PEER_SETUP, call: "peer_tau(v.shape[0], 1e-4)" },
  },
  {
    // The same solve on worker threads (parallel/tortuosityParallel, --threads N): set-up on the
    // main thread, the multigrid-CG iterations split over z-slabs.
    name: "tortuosity pore z, worker threads (TauFactor electrode, tol 1e-2)",
    dtypes: ["uint16"],
    tomolyte: async (lib, v, { threads }) => {
      const labels = await sampleCrop(lib, v.shape[0]);
      return lib.tortuosityParallel(labels, { phase: 0, axis: "z", tolerance: 1e-2 }, { threads });
    },
    peer: { setup: PEER_SETUP, call: "peer_tau(v.shape[0], 1e-4)" },
  },
];

// ---- detailed comparison when run directly ----
// Each tomolyte case runs in a child process of its own, so its peak memory is its own:
// peak RSS − the RSS before the call (sample loaded, JIT warmed up on a 24³ crop).
const CASES = {
  "mg-pcg": { method: "mg-pcg" },
  "mg-pcg-f64": { method: "mg-pcg", precision: "float64" },
  "mg-pcg-2t": { method: "mg-pcg", threads: 2 },
  pcg: { method: "pcg" },
  sor: { method: "sor" },
};

async function child(n, name, tol) {
  const require = createRequire(import.meta.url);
  const lib = require(process.env.TOMOLYTE_DIST ?? join(root, "kernel-lib/dist/index.js"));
  const c = CASES[name];
  const v = await sampleCrop(lib, n);
  const small = lib.crop(v, { z: [0, 24], y: [0, 24], x: [0, 24] });
  const solve = (vol) => c.threads
    ? lib.tortuosityParallel(vol, { phase: 0, axis: "z", method: c.method, precision: c.precision, tolerance: tol, maxIterations: 100000 }, { threads: c.threads, serialBelow: vol === small ? 0 : undefined })
    : lib.tortuosity(vol, { phase: 0, axis: "z", method: c.method, precision: c.precision, tolerance: tol, maxIterations: 100000 });
  await solve(small); // JIT warm-up (in the workers too)
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await solve(v);
  const ms = performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  const peak = process.resourceUsage().maxRSS * 1024;
  if (c.threads) await lib.shutdownTortuosityWorkers();
  console.log(JSON.stringify({
    tau: r.tortuosityFactor, iterations: r.iterations, converged: r.converged, ms, cpuMs: (c1.user + c1.system) / 1000,
    solverFloatsPerVoxel: r.solverBytes / 4 / n ** 3, peakMinusBaseFloatsPerVoxel: (peak - base) / 4 / n ** 3, peakMB: peak / 2 ** 20,
  }));
}

async function detailed(argv) {
  const opt = { sizes: [128], methods: ["mg-pcg", "mg-pcg-f64", "mg-pcg-2t", "pcg", "sor", "scipy"], tol: 1e-2 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--size") opt.sizes = argv[++i].split(",").map(Number);
    else if (argv[i] === "--methods") opt.methods = argv[++i].split(",");
    else if (argv[i] === "--tolerance") opt.tol = Number(argv[++i]);
    else if (argv[i] === "--child") return child(Number(argv[++i]), argv[++i], Number(argv[++i]));
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const rows = [];
  for (const n of opt.sizes) {
    for (const method of opt.methods) {
      if (method === "scipy") {
        const script = `import json, time\nimport numpy as np\n${PEER_SETUP}\nt0 = time.perf_counter()\nc0 = time.process_time()\nr = peer_tau(${n}, 1e-4)\nr["ms"] = (time.perf_counter() - t0) * 1000\nr["cpuMs"] = (time.process_time() - c0) * 1000\nprint(json.dumps(r))`;
        const p = spawnSync("/usr/bin/python3", ["-c", script], { encoding: "utf8", maxBuffer: 1 << 26 });
        if (p.status !== 0) { rows.push({ n, method, error: p.stderr.trim().split("\n").pop() }); continue; }
        const r = JSON.parse(p.stdout.trim().split("\n").pop());
        rows.push({ n, method: "scipy cg+jacobi (rtol 1e-4)", tau: r.tau, iterations: r.iterations, ms: r.ms, cpuMs: r.cpuMs });
      } else {
        if (!CASES[method]) throw new Error(`unknown method ${method}; use ${Object.keys(CASES).join(", ")}, scipy`);
        const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", String(n), method, String(opt.tol)], { encoding: "utf8", maxBuffer: 1 << 26 });
        if (p.status !== 0) { rows.push({ n, method, error: p.stderr.trim().split("\n").pop() }); continue; }
        const r = JSON.parse(p.stdout.trim().split("\n").pop());
        rows.push({ n, method: `${method} (tol ${opt.tol})`, ...r });
      }
      const last = rows[rows.length - 1];
      console.error(`[tortuosity bench] ${n}³ ${last.method}: τ ${last.tau?.toFixed(5)}, ${last.iterations} it, ${(last.ms / 1000).toFixed(2)} s wall, ${((last.cpuMs ?? NaN) / 1000).toFixed(2)} s CPU`);
    }
  }
  const f = (x, d) => (typeof x === "number" ? x.toFixed(d) : "-");
  console.log("| size | solver | τ | iterations | wall s | CPU s | solver floats/voxel | peak RSS − base, floats/voxel |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.n}³ | ${r.method} | ${r.tau?.toFixed(5) ?? r.error} | ${r.iterations ?? "-"} | ${f(r.ms / 1000, 2)} | ${f(r.cpuMs / 1000, 2)} | ${f(r.solverFloatsPerVoxel, 2)} | ${f(r.peakMinusBaseFloatsPerVoxel, 2)} |`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  detailed(process.argv.slice(2)).catch((e) => {
    console.error(`error[BENCH]: ${e?.stack ?? e}`);
    process.exit(1);
  });
}
