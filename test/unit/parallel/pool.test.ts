/**
 * The worker pool: results identical whatever the number of threads, equal to
 * the single-threaded filters, progress, cancellation and errors. Workers run
 * the compiled kernel-lib/dist, so this file builds it first when it is
 * missing or older than the sources, and imports the built code throughout
 * (main thread and workers then run the same code).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rng } from "../../helpers/random";

const root = resolve(__dirname, "../../..");
const dist = join(root, "kernel-lib/dist");
const require_ = createRequire(__filename);

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

type Lib = typeof import("../../../kernel-lib/src/parallel") &
  typeof import("../../../kernel-lib/src/filters") &
  typeof import("../../../kernel-lib/src/volume");
let lib: Lib;

beforeAll(() => {
  const worker = join(dist, "parallel/worker.js");
  const src = Math.max(newestSource(join(root, "kernel-lib/src/filters")), newestSource(join(root, "kernel-lib/src/parallel")));
  const built = existsSync(worker)
    ? Math.max(newestSource(join(dist, "filters")), newestSource(join(dist, "parallel")))
    : 0;
  if (built < src) {
    try {
      execFileSync("npx", ["tsc", "-b", "kernel-lib"], { cwd: root, stdio: "pipe" });
    } catch {
      // Errors elsewhere in the tree do not stop tsc -b from emitting our files (TS >= 5.6).
    }
  }
  lib = {
    ...require_(join(dist, "parallel/index.js")),
    ...require_(join(dist, "filters/index.js")),
    ...require_(join(dist, "volume/index.js")),
  } as Lib;
});

afterAll(async () => {
  await lib?.shutdownPool();
});


function same(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe("parallel filters over z-slabs", () => {
  it("give bit-identical results for 1, 2 and 3 threads, equal to the single-threaded filters", async () => {
    const r = rng(1);
    const shape = [19, 14, 15];
    const u16 = lib.createVolume(Uint16Array.from({ length: 19 * 14 * 15 }, () => Math.floor(r() * 4096)), shape);
    const f32 = lib.createVolume(Float32Array.from({ length: 19 * 14 * 15 }, () => r() * 100), shape);
    const cases: [string, () => ArrayLike<number>, (t: number) => Promise<ArrayLike<number>>][] = [
      ["gaussian", () => lib.gaussian(f32, { sigmaVoxels: 1.5 }).data, async (t) => (await lib.parallel.gaussian(f32, { sigmaVoxels: 1.5 }, { threads: t })).data],
      ["mean ball", () => lib.mean(u16, { radiusVoxels: 2, footprint: "ball", mode: "wrap" }).data, async (t) => (await lib.parallel.mean(u16, { radiusVoxels: 2, footprint: "ball", mode: "wrap" }, { threads: t })).data],
      ["median u16", () => lib.median(u16, { radiusVoxels: 2 }).data, async (t) => (await lib.parallel.median(u16, { radiusVoxels: 2 }, { threads: t })).data],
      ["median f32 ball", () => lib.median(f32, { radiusVoxels: 1, footprint: "ball" }).data, async (t) => (await lib.parallel.median(f32, { radiusVoxels: 1, footprint: "ball" }, { threads: t })).data],
      ["minimum", () => lib.minimum(u16, { radiusVoxels: [2, 1, 3], mode: "constant", cval: 7 }).data, async (t) => (await lib.parallel.minimum(u16, { radiusVoxels: [2, 1, 3], mode: "constant", cval: 7 }, { threads: t })).data],
      ["maximum", () => lib.maximum(f32, { radiusVoxels: 2, footprint: "ball" }).data, async (t) => (await lib.parallel.maximum(f32, { radiusVoxels: 2, footprint: "ball" }, { threads: t })).data],
      ["unsharp", () => lib.unsharpMask(u16, { radiusVoxels: 1.5, amount: 0.7 }).data, async (t) => (await lib.parallel.unsharpMask(u16, { radiusVoxels: 1.5, amount: 0.7 }, { threads: t })).data],
      ["diffusion", () => lib.anisotropicDiffusion(f32, { kappa: 20, iterations: 4, conductance: "quadratic" }).data, async (t) => (await lib.parallel.anisotropicDiffusion(f32, { kappa: 20, iterations: 4, conductance: "quadratic" }, { threads: t })).data],
      ["diffusion u16 exp", () => lib.anisotropicDiffusion(u16, { kappa: 300, iterations: 3 }).data, async (t) => (await lib.parallel.anisotropicDiffusion(u16, { kappa: 300, iterations: 3 }, { threads: t })).data],
      ["nlm slow", () => lib.nonLocalMeans(f32, { patchSize: 3, patchDistance: 2, h: 20, fastMode: false }).data, async (t) => (await lib.parallel.nonLocalMeans(f32, { patchSize: 3, patchDistance: 2, h: 20, fastMode: false }, { threads: t })).data],
      ["nlm", () => lib.nonLocalMeans(f32, { patchSize: 3, patchDistance: 2, h: 20 }).data, async (t) => (await lib.parallel.nonLocalMeans(f32, { patchSize: 3, patchDistance: 2, h: 20 }, { threads: t })).data],
    ];
    for (const [name, sync, par] of cases) {
      const ref = sync();
      for (const t of [1, 2, 3]) {
        const got = await par(t);
        if (name === "nlm") {
          // Non-local means sums its patch boxes along z with a running sum that starts at each
          // slab: other splits change only the rounding of those sums (~1e-16), far inside 1e-6.
          let m = 0;
          for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
          expect(m, `${name}, ${t} threads`).toBeLessThan(1e-9);
        } else {
          // The same plane kernels from the whole shared input: exact equality, floats included.
          expect(same(got, ref), `${name}, ${t} threads`).toBe(0);
        }
      }
    }
  });

  it("reports progress up to 1, rejects bad options before starting, and stops on abort", async () => {
    const r = rng(2);
    const v = lib.createVolume(Uint8Array.from({ length: 40 * 24 * 24 }, () => Math.floor(r() * 256)), [40, 24, 24]);
    const seen: number[] = [];
    await lib.parallel.median(v, { radiusVoxels: 1 }, { threads: 2, onProgress: (f) => seen.push(f) });
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    // iterative kernels: progress runs over all rounds
    const rounds: number[] = [];
    await lib.parallel.anisotropicDiffusion(v, { kappa: 20, iterations: 3 }, { threads: 2, onProgress: (f) => rounds.push(f) });
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    expect(rounds[rounds.length - 1]).toBe(1);
    expect([...rounds].sort((a, b) => a - b)).toEqual(rounds);
    await expect(lib.parallel.gaussian(v, { sigmaVoxels: -1 }, { threads: 2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(lib.runFilter("nope" as never, v, {}, {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const ac = new AbortController();
    const p = lib.parallel.nonLocalMeans(v, { patchSize: 5, patchDistance: 4, h: 10 }, { threads: 2, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: "CANCELLED" });
    // the pool recovers after an abort
    const again = await lib.parallel.maximum(v, { radiusVoxels: 1 }, { threads: 2 });
    expect(same(again.data, lib.maximum(v, { radiusVoxels: 1 }).data)).toBe(0);
  });

  it("reuses its staging buffer safely: same-size inputs with other values, concurrent calls, shared results", async () => {
    const r = rng(3);
    const shape = [12, 10, 9];
    const n = 12 * 10 * 9;
    const a = lib.createVolume(Uint16Array.from({ length: n }, () => Math.floor(r() * 1000)), shape);
    const b = lib.createVolume(Uint16Array.from({ length: n }, () => Math.floor(r() * 1000)), shape);
    // back to back (the second call copies into the kept staging buffer) and two at once (one gets a fresh one)
    const ga = await lib.parallel.gaussian(a, { sigmaVoxels: 1 }, { threads: 2 });
    const gb = await lib.parallel.gaussian(b, { sigmaVoxels: 1 }, { threads: 2 });
    const [ma, mb] = await Promise.all([
      lib.parallel.median(a, { radiusVoxels: 1 }, { threads: 2 }),
      lib.parallel.median(b, { radiusVoxels: 1 }, { threads: 2 }),
    ]);
    expect(same(ga.data, lib.gaussian(a, { sigmaVoxels: 1 }).data)).toBe(0);
    expect(same(gb.data, lib.gaussian(b, { sigmaVoxels: 1 }).data)).toBe(0);
    expect(same(ma.data, lib.median(a, { radiusVoxels: 1 }).data)).toBe(0);
    expect(same(mb.data, lib.median(b, { radiusVoxels: 1 }).data)).toBe(0);
    // results stay on their shared buffer (no copy); chaining one into the next filter needs no staging
    expect(ga.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const chained = await lib.parallel.mean(ga, { radiusVoxels: 1 }, { threads: 2 });
    expect(same(chained.data, lib.mean(ga, { radiusVoxels: 1 }).data)).toBe(0);
  });
});
