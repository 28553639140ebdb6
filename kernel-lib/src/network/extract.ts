/** Pore and throat properties from a partition of the pore space into regions. */
import { throwIfAborted } from "../errors";
import { type Face, FACES } from "../morphology";
import type { NetworkPores, NetworkThroats, PoreNetwork } from "./types";
import { conduitLengths } from "./conduits";

interface Acc {
  /** per entry: running max value, sum of positions at that max and their count */
  max: number[];
  sx: number[];
  sy: number[];
  sz: number[];
  cnt: number[];
}

function newAcc(): Acc {
  return { max: [], sx: [], sy: [], sz: [], cnt: [] };
}
function accPush(a: Acc): number {
  a.max.push(-Infinity); a.sx.push(0); a.sy.push(0); a.sz.push(0); a.cnt.push(0);
  return a.max.length - 1;
}
function accAdd(a: Acc, k: number, v: number, x: number, y: number, z: number): void {
  if (v > a.max[k]) {
    a.max[k] = v; a.sx[k] = x; a.sy[k] = y; a.sz[k] = z; a.cnt[k] = 1;
  } else if (v === a.max[k]) {
    a.sx[k] += x; a.sy[k] += y; a.sz[k] += z; a.cnt[k]++;
  }
}

/**
 * @internal Builds the network: pores from regions 1..nRegions, throats from
 * shared voxel faces, boundary pores from the regions' patches on the six faces.
 */
export function buildNetwork(
  regions: Uint32Array, nRegions: number, dt: Float32Array, labels: ArrayLike<number>,
  shape: readonly [number, number, number], spacing: readonly [number, number, number],
  phases: readonly number[], signal?: AbortSignal,
): PoreNetwork {
  const [nz, ny, nx] = shape;
  const [sz, sy, sx] = spacing;
  const plane = ny * nx;
  const n = regions.length;
  const Nr = nRegions;
  const vol = new Float64Array(Nr + 1);
  const cx = new Float64Array(Nr + 1), cy = new Float64Array(Nr + 1), cz = new Float64Array(Nr + 1);
  const surf = new Float64Array(Nr + 1);
  const phase = new Uint32Array(Nr + 1);
  const pk = newAcc();
  for (let r = 0; r <= Nr; r++) accPush(pk);
  // Face areas normal to z, y, x, and the outline edge lengths: a face normal to
  // axis k moving along axis m shares an edge along the third axis.
  const faceArea = [sy * sx, sz * sx, sz * sy];
  const spc = [sz, sy, sx];
  const step = [plane, nx, 1];
  const dims = [nz, ny, nx];
  const throatIndex = new Map<number, number>();
  const tA: number[] = [], tP1: number[] = [], tP2: number[] = [], tPer: number[] = [];
  const tk = newAcc();
  const key = (a: number, b: number) => (a < b ? a * (Nr + 1) + b : b * (Nr + 1) + a);
  const pos = [0, 0, 0];
  for (let z = 0; z < nz; z++) {
    if ((z & 7) === 0) throwIfAborted(signal);
    pos[0] = z;
    for (let y = 0; y < ny; y++) {
      pos[1] = y;
      for (let x = 0; x < nx; x++) {
        pos[2] = x;
        const i = z * plane + y * nx + x;
        const a = regions[i];
        const px = (x + 0.5) * sx, py = (y + 0.5) * sy, pz = (z + 0.5) * sz;
        if (a !== 0) {
          vol[a]++;
          cx[a] += px; cy[a] += py; cz[a] += pz;
          phase[a] = labels[i];
          accAdd(pk, a, dt[i], px, py, pz);
        }
        for (let k = 0; k < 3; k++) {
          if (pos[k] + 1 >= dims[k]) continue;
          const j = i + step[k];
          const b = regions[j];
          if (a === b) continue;
          if (a === 0 || b === 0) {
            surf[a === 0 ? b : a] += faceArea[k];
            continue;
          }
          const kk = key(a, b);
          let t = throatIndex.get(kk);
          if (t === undefined) {
            t = tA.length;
            throatIndex.set(kk, t);
            tA.push(0); tPer.push(0);
            tP1.push(Math.min(a, b) - 1); tP2.push(Math.max(a, b) - 1);
            accPush(tk);
          }
          tA[t] += faceArea[k];
          const v = Math.min(dt[i], dt[j]);
          const half = 0.5 * spc[k];
          accAdd(tk, t, v, k === 2 ? px + half : px, k === 1 ? py + half : py, k === 0 ? pz + half : pz);
          // Outline: an in-plane step that does not continue the same interface adds an edge.
          for (let m = 0; m < 3; m++) {
            if (m === k) continue;
            const edge = spc[3 - k - m];
            for (const sgn of [-1, 1]) {
              const q = pos[m] + sgn;
              if (q < 0 || q >= dims[m]) { tPer[t] += edge; continue; }
              const ra = regions[i + sgn * step[m]], rb = regions[j + sgn * step[m]];
              if (!((ra === a && rb === b) || (ra === b && rb === a))) tPer[t] += edge;
            }
          }
        }
      }
    }
  }
  // Boundary patches: one boundary pore per (face, region touching it).
  interface Patch { face: Face; region: number; area: number; per: number; acc: number }
  const patches: Patch[] = [];
  const bk = newAcc();
  for (const face of FACES) {
    throwIfAborted(signal);
    const ax = face[0] === "z" ? 0 : face[0] === "y" ? 1 : 2;
    const at = face[1] === "-" ? 0 : dims[ax] - 1;
    const [u, w] = ax === 0 ? [1, 2] : ax === 1 ? [0, 2] : [0, 1];
    const byRegion = new Map<number, Patch>();
    const order: Patch[] = [];
    const c = [0, 0, 0];
    c[ax] = at;
    for (let p = 0; p < dims[u]; p++) {
      c[u] = p;
      for (let q = 0; q < dims[w]; q++) {
        c[w] = q;
        const i = c[0] * plane + c[1] * nx + c[2];
        const r = regions[i];
        if (r === 0) continue;
        let patch = byRegion.get(r);
        if (!patch) {
          patch = { face, region: r, area: 0, per: 0, acc: accPush(bk) };
          byRegion.set(r, patch);
          order.push(patch);
        }
        patch.area += faceArea[ax];
        const pxyz = [(c[2] + 0.5) * sx, (c[1] + 0.5) * sy, (c[0] + 0.5) * sz];
        accAdd(bk, patch.acc, dt[i], pxyz[0], pxyz[1], pxyz[2]);
        for (const [m, pm] of [[u, p], [w, q]] as const) {
          const edge = spc[3 - ax - m];
          for (const sgn of [-1, 1]) {
            const qq = pm + sgn;
            if (qq < 0 || qq >= dims[m] || regions[i + sgn * step[m]] !== r) patch.per += edge;
          }
        }
      }
    }
    order.sort((p1, p2) => p1.region - p2.region);
    patches.push(...order);
  }
  // Assemble the pores.
  const Nb = patches.length;
  const Np = Nr + Nb;
  const pores = {
    count: Np,
    region: new Uint32Array(Np), phase: new Uint32Array(Np),
    x_um: new Float64Array(Np), y_um: new Float64Array(Np), z_um: new Float64Array(Np),
    centroidX_um: new Float64Array(Np), centroidY_um: new Float64Array(Np), centroidZ_um: new Float64Array(Np),
    volume_um3: new Float64Array(Np), inscribedDiameter_um: new Float64Array(Np),
    equivalentDiameter_um: new Float64Array(Np), surfaceArea_um2: new Float64Array(Np),
    boundary: new Uint8Array(Np),
    faces: Object.fromEntries(FACES.map((f) => [f, new Uint8Array(Np)])) as Record<Face, Uint8Array>,
  };
  const vv = sz * sy * sx;
  for (let r = 1; r <= Nr; r++) {
    const p = r - 1;
    pores.region[p] = r;
    pores.phase[p] = phase[r];
    const c = vol[r];
    if (c > 0) {
      pores.x_um[p] = pk.sx[r] / pk.cnt[r]; pores.y_um[p] = pk.sy[r] / pk.cnt[r]; pores.z_um[p] = pk.sz[r] / pk.cnt[r];
      pores.centroidX_um[p] = cx[r] / c; pores.centroidY_um[p] = cy[r] / c; pores.centroidZ_um[p] = cz[r] / c;
      pores.inscribedDiameter_um[p] = 2 * pk.max[r];
    }
    pores.volume_um3[p] = c * vv;
    pores.equivalentDiameter_um[p] = Math.cbrt((6 * c * vv) / Math.PI);
    pores.surfaceArea_um2[p] = surf[r];
  }
  const Nt0 = tA.length;
  const Nt = Nt0 + Nb;
  const thr = {
    count: Nt,
    pore1: new Int32Array(Nt), pore2: new Int32Array(Nt),
    area_um2: new Float64Array(Nt), inscribedDiameter_um: new Float64Array(Nt),
    equivalentDiameter_um: new Float64Array(Nt), perimeter_um: new Float64Array(Nt),
    peakX_um: new Float64Array(Nt), peakY_um: new Float64Array(Nt), peakZ_um: new Float64Array(Nt),
    directLength_um: new Float64Array(Nt), totalLength_um: new Float64Array(Nt),
    conduitPore1_um: new Float64Array(Nt), conduitThroat_um: new Float64Array(Nt), conduitPore2_um: new Float64Array(Nt),
    boundary: new Uint8Array(Nt),
  };
  // Internal throats in (pore1, pore2) order, so results do not depend on the scan order.
  const order = Array.from({ length: Nt0 }, (_, t) => t).sort((a, b) => tP1[a] - tP1[b] || tP2[a] - tP2[b]);
  order.forEach((t, o) => {
    thr.pore1[o] = tP1[t]; thr.pore2[o] = tP2[t];
    thr.area_um2[o] = tA[t];
    thr.inscribedDiameter_um[o] = 2 * tk.max[t];
    thr.perimeter_um[o] = tPer[t];
    thr.peakX_um[o] = tk.sx[t] / tk.cnt[t]; thr.peakY_um[o] = tk.sy[t] / tk.cnt[t]; thr.peakZ_um[o] = tk.sz[t] / tk.cnt[t];
  });
  const L = [nz * sz, ny * sy, nx * sx];
  patches.forEach((patch, b) => {
    const p = Nr + b;
    const t = Nt0 + b;
    const ax = patch.face[0] === "z" ? 0 : patch.face[0] === "y" ? 1 : 2;
    const plane0 = patch.face[1] === "-" ? 0 : L[ax];
    const k = patch.acc;
    const xyz = [bk.sx[k] / bk.cnt[k], bk.sy[k] / bk.cnt[k], bk.sz[k] / bk.cnt[k]];
    xyz[2 - ax] = plane0; // [x, y, z] order: axis z is index 2
    pores.region[p] = 0;
    pores.phase[p] = phase[patch.region];
    pores.x_um[p] = xyz[0]; pores.y_um[p] = xyz[1]; pores.z_um[p] = xyz[2];
    pores.centroidX_um[p] = xyz[0]; pores.centroidY_um[p] = xyz[1]; pores.centroidZ_um[p] = xyz[2];
    pores.inscribedDiameter_um[p] = 2 * bk.max[k];
    pores.boundary[p] = 1;
    pores.faces[patch.face][p] = 1;
    thr.pore1[t] = patch.region - 1; thr.pore2[t] = p;
    thr.area_um2[t] = patch.area;
    thr.inscribedDiameter_um[t] = 2 * bk.max[k];
    thr.perimeter_um[t] = patch.per;
    thr.peakX_um[t] = xyz[0]; thr.peakY_um[t] = xyz[1]; thr.peakZ_um[t] = xyz[2];
    thr.boundary[t] = 1;
  });
  for (let t = 0; t < Nt; t++) {
    const a = thr.pore1[t], b = thr.pore2[t];
    thr.equivalentDiameter_um[t] = 2 * Math.sqrt(thr.area_um2[t] / Math.PI);
    const d = Math.hypot(pores.x_um[a] - pores.x_um[b], pores.y_um[a] - pores.y_um[b], pores.z_um[a] - pores.z_um[b]);
    thr.directLength_um[t] = d;
    thr.totalLength_um[t] =
      Math.hypot(pores.x_um[a] - thr.peakX_um[t], pores.y_um[a] - thr.peakY_um[t], pores.z_um[a] - thr.peakZ_um[t]) +
      Math.hypot(pores.x_um[b] - thr.peakX_um[t], pores.y_um[b] - thr.peakY_um[t], pores.z_um[b] - thr.peakZ_um[t]);
    const R1 = thr.boundary[t] && pores.boundary[a] ? 0 : pores.inscribedDiameter_um[a] / 2;
    const R2 = pores.boundary[b] ? 0 : pores.inscribedDiameter_um[b] / 2;
    const [l1, lt, l2] = conduitLengths("spheres-cylinders", R1, R2, thr.inscribedDiameter_um[t] / 2, d);
    thr.conduitPore1_um[t] = l1; thr.conduitThroat_um[t] = lt; thr.conduitPore2_um[t] = l2;
  }
  let inPhase = 0;
  const set = new Set(phases);
  for (let i = 0; i < n; i++) if (set.has(labels[i])) inPhase++;
  return {
    pores: pores as NetworkPores,
    throats: thr as NetworkThroats,
    shape: [nz, ny, nx],
    spacing_um: [sz, sy, sx],
    phases: [...phases],
    porosity: inPhase / n,
  };
}
