#!/usr/bin/env node
// `npm run bench`: tomolyte against its Python peers (SciPy, scikit-image) on
// the same data and machine. Runs every case exported by bench/*.bench.mjs,
// each in its own processes (so peak memory is per case), prints a table of
// wall times, their ratio tomolyte/peer and peak RSS, and writes
// bench/results/latest.json (plus a timestamped copy). Options:
//   --size 128[,256]   cube sides (default 128; --full = 128,256)
//   --dtype uint16,float32 (default both)
//   --threads N        worker threads for parallel cases (default 2)
//   --filter TEXT      only cases whose name contains TEXT
//   --repeat N         best of N runs on each side (default 1)
//   --no-limits        also run cases above their maxSize
// Wall time is the figure of merit; CPU time (all threads of the process) is
// reported too, because on a shared, loaded machine it is the steadier one.
// See docs/bench.md for the case format.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = "/usr/bin/python3";
const require = createRequire(import.meta.url);
// Both sides run with large allocations on transparent huge pages, as the notebooks'
// kernel does (scripts/env.sh, docs/design-notes.md). NumPy asks for them itself.
const HUGE = "glibc.malloc.hugetlb=1";
const tunables = process.env.GLIBC_TUNABLES ?? "";
const CHILD_ENV = { ...process.env, GLIBC_TUNABLES: tunables.includes("glibc.malloc.hugetlb") ? tunables : [tunables, HUGE].filter(Boolean).join(":") };

function parseArgs(argv) {
  const o = { sizes: [128], dtypes: ["uint16", "float32"], threads: 2, filter: "", repeat: 1, limits: true, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === "--size") o.sizes = next().split(",").map(Number);
    else if (a === "--full") o.sizes = [128, 256];
    else if (a === "--dtype") o.dtypes = next().split(",");
    else if (a === "--threads") o.threads = Number(next());
    else if (a === "--filter") o.filter = next();
    else if (a === "--repeat") o.repeat = Number(next());
    else if (a === "--no-limits") o.limits = false;
    else if (a === "--child") o.child = JSON.parse(next());
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function loadCases() {
  const dir = join(root, "bench");
  const cases = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".bench.mjs")).sort()) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    const list = mod.default ?? mod.cases ?? [];
    list.forEach((c, index) => cases.push({ ...c, file: f, index }));
  }
  return cases;
}

/** A CT-like phantom: three grey phases (pore, binder, particles) plus Gaussian noise. */
function phantom(n, dtype) {
  const data = dtype === "uint16" ? new Uint16Array(n ** 3) : new Float32Array(n ** 3);
  const [lv, noise] = dtype === "uint16" ? [[8000, 20000, 40000], 1500] : [[0.1, 0.35, 0.7], 0.04];
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        const f = Math.sin(x / 5.3 + z / 17) * Math.sin(y / 6.1) * Math.sin(z / 7.7 + x / 23);
        const phase = f > 0.25 ? 2 : f > -0.1 ? 1 : 0;
        // sum of 4 uniforms: cheap, nearly Gaussian (variance 4/12)
        const g = (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3);
        let v = lv[phase] + noise * g;
        if (dtype === "uint16") v = Math.max(0, Math.min(65535, Math.round(v)));
        data[i] = v;
      }
  return data;
}

// ---- child: run one tomolyte case and print {ms, peakRSS_MB, baseRSS_MB} ----
async function runChild(job) {
  const lib = require(join(root, "kernel-lib/dist/index.js"));
  const cases = await loadCases();
  const c = cases.find((k) => k.file === job.file && k.index === job.index);
  const buf = readFileSync(job.path);
  const Ctor = job.dtype === "uint16" ? Uint16Array : Float32Array;
  const data = new Ctor(buf.buffer, buf.byteOffset, buf.byteLength / Ctor.BYTES_PER_ELEMENT);
  const v = lib.createVolume(data, [job.n, job.n, job.n], [1, 1, 1]);
  // Warm-up on a small crop: JIT compilation and worker start-up are not timed (as Python's imports are not).
  // Each worker thread's V8 tiers its loops up separately: three runs get them optimised.
  const w = Math.min(48, job.n);
  const small = lib.crop(v, { z: [0, w], y: [0, w], x: [0, w] });
  for (let k = 0; k < 3; k++) await c.tomolyte(lib, small, { threads: job.threads });
  const baseRSS = process.memoryUsage().rss;
  let best = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < job.repeat; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await c.tomolyte(lib, v, { threads: job.threads });
    const t = performance.now() - t0;
    const u = process.cpuUsage(c0);
    if (t < best) {
      best = t;
      // CPU time of the whole process, worker threads included
      cpu = (u.user + u.system) / 1000;
    }
  }
  if (lib.shutdownPool) await lib.shutdownPool();
  // maxRSS covers the main thread and the workers (one process).
  console.log(JSON.stringify({ ms: best, cpu_ms: cpu, peakRSS_MB: process.resourceUsage().maxRSS / 1024, baseRSS_MB: baseRSS / 2 ** 20 }));
}

function runPeer(c, path, dtype, n, repeat) {
  const script = `
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
v = np.fromfile(sys.argv[1], dtype=sys.argv[2]).reshape([int(sys.argv[3])] * 3)
${c.peer.setup ?? ""}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = float("inf")
cpu = float("inf")
for _ in range(int(sys.argv[4])):
    t0 = time.perf_counter()
    c0 = time.process_time()
    out = ${c.peer.call}
    t = time.perf_counter() - t0
    if t < best:
        best = t
        cpu = time.process_time() - c0
    del out
print(json.dumps({"ms": best * 1000, "cpu_ms": cpu * 1000, "peakRSS_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "baseRSS_MB": base / 1024}))
`;
  const r = spawnSync(PYTHON, ["-c", script, path, dtype, String(n), String(repeat)], { encoding: "utf8", maxBuffer: 1 << 26, env: CHILD_ENV });
  if (r.status !== 0) return { error: (r.stderr || "").trim().split("\n").slice(-1)[0] };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

// Optional Python modules a peer may list in `peer.requires`, with their Debian package.
// Installed here, on the bench path only (npm test and setup.sh never need them), when
// missing and running as root; otherwise the case reports "peer unavailable".
const DEBIAN_PACKAGES = { sklearn: "python3-sklearn" };
const moduleState = new Map();
function peerModulesMissing(c) {
  const missing = [];
  for (const mod of c.peer?.requires ?? []) {
    if (!moduleState.has(mod)) {
      const has = () => spawnSync(PYTHON, ["-c", `import ${mod}`], { stdio: "ignore" }).status === 0;
      let ok = has();
      const pkg = DEBIAN_PACKAGES[mod];
      if (!ok && pkg && process.getuid?.() === 0) {
        const apt = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status;
        console.error(`[bench] Python module ${mod} missing: apt-get install -y --no-install-recommends ${pkg}`);
        if (apt(["install", "-y", "--no-install-recommends", pkg]) !== 0) {
          apt(["update"]);
          apt(["install", "-y", "--no-install-recommends", pkg]);
        }
        ok = has();
      }
      if (!ok) console.error(`[bench] peer unavailable: Python module ${mod}${pkg ? ` (Debian package ${pkg})` : ""} is not installed`);
      moduleState.set(mod, ok);
    }
    if (!moduleState.get(mod)) missing.push(mod);
  }
  return missing;
}

function runOurs(c, path, dtype, n, threads, repeat) {
  const job = { file: c.file, index: c.index, path, dtype, n, threads, repeat };
  const r = spawnSync(process.execPath, ["--max-old-space-size=8192", fileURLToPath(import.meta.url), "--child", JSON.stringify(job)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: CHILD_ENV,
  });
  if (r.status !== 0) return { error: (r.stderr || "").trim().split("\n").slice(-3).join(" | ") };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function fmt(x, d = 0) {
  return x === undefined || x === null || Number.isNaN(x) ? "-" : x.toFixed(d);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return runChild(o.child);
  const cases = (await loadCases()).filter((c) => c.name.includes(o.filter));
  const tmp = mkdtempSync(join(tmpdir(), "tomolyte-bench-"));
  const rows = [];
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_GiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    python: spawnSync(PYTHON, ["-c", "import sys, scipy, skimage, numpy; print(sys.version.split()[0], scipy.__version__, skimage.__version__, numpy.__version__)"], { encoding: "utf8" }).stdout.trim(),
  };
  console.error(`[bench] ${machine.cpu}, ${machine.cores} cores; python/scipy/skimage/numpy ${machine.python}; threads ${o.threads}`);
  try {
    for (const n of o.sizes) {
      for (const dtype of o.dtypes) {
        const path = join(tmp, `phantom-${n}-${dtype}.raw`);
        const d = phantom(n, dtype);
        writeFileSync(path, new Uint8Array(d.buffer));
        for (const c of cases) {
          if (o.limits && c.maxSize && n > c.maxSize) continue;
          if (c.dtypes && !c.dtypes.includes(dtype)) continue;
          console.error(`[bench] ${c.name} ${n}³ ${dtype} ...`);
          const ours = runOurs(c, path, dtype, n, o.threads, o.repeat);
          const missing = c.peer ? peerModulesMissing(c) : [];
          const peer = !c.peer ? null : missing.length ? { error: `peer unavailable (${missing.join(", ")} not installed)` } : runPeer(c, path, dtype, n, o.repeat);
          const row = {
            case: c.name,
            size: n,
            dtype,
            threads: o.threads,
            tomolyte_ms: ours.ms ?? null,
            peer_ms: peer?.ms ?? null,
            ratio: ours.ms && peer?.ms ? ours.ms / peer.ms : null,
            tomolyte_cpu_ms: ours.cpu_ms ?? null,
            peer_cpu_ms: peer?.cpu_ms ?? null,
            cpu_ratio: ours.cpu_ms && peer?.cpu_ms ? ours.cpu_ms / peer.cpu_ms : null,
            tomolyte_peakRSS_MB: ours.peakRSS_MB ?? null,
            tomolyte_baseRSS_MB: ours.baseRSS_MB ?? null,
            peer_peakRSS_MB: peer?.peakRSS_MB ?? null,
            peer_baseRSS_MB: peer?.baseRSS_MB ?? null,
            error: ours.error ?? peer?.error ?? undefined,
          };
          rows.push(row);
          console.error(`        tomolyte ${fmt(row.tomolyte_ms)} ms, peer ${fmt(row.peer_ms)} ms, ratio ${fmt(row.ratio, 2)}${row.error ? ", error: " + row.error : ""}`);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const head = ["case", "size", "dtype", "thr", "tomolyte ms", "peer ms", "ratio", "tomolyte cpu ms", "peer cpu ms", "cpu ratio", "tomolyte peak MB", "peer peak MB"];
  const body = rows.map((r) => [
    r.case, `${r.size}³`, r.dtype, String(r.threads),
    fmt(r.tomolyte_ms), fmt(r.peer_ms), fmt(r.ratio, 2),
    fmt(r.tomolyte_cpu_ms), fmt(r.peer_cpu_ms), fmt(r.cpu_ratio, 2),
    fmt(r.tomolyte_peakRSS_MB), fmt(r.peer_peakRSS_MB),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => "| " + cells.map((c, i) => c.padEnd(w[i])).join(" | ") + " |";
  console.log(line(head));
  console.log("|" + w.map((x) => "-".repeat(x + 2)).join("|") + "|");
  for (const b of body) console.log(line(b));
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  const result = { date: new Date().toISOString(), machine, options: { sizes: o.sizes, dtypes: o.dtypes, threads: o.threads, repeat: o.repeat }, rows };
  writeFileSync(join(outDir, "latest.json"), JSON.stringify(result, null, 2));
  writeFileSync(join(outDir, `bench-${result.date.replace(/[:.]/g, "-")}.json`), JSON.stringify(result, null, 2));
  console.error(`[bench] wrote bench/results/latest.json`);
}

main().catch((e) => {
  console.error(`error[BENCH]: ${e?.stack ?? e}`);
  process.exit(1);
});
