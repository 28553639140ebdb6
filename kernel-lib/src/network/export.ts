/** Network export as strings: OpenPNM dict (JSON), CSV, VTK PolyData (.vtp). Writing files is the caller's (or io's) job. */
import { ERROR_CODES, TomolyteError } from "../errors";
import { FACES } from "../morphology";
import type { PoreNetwork } from "./types";

/** OpenPNM's dict layout: `pore.*` and `throat.*` keys, arrays of length Np / Nt (coords Np×3, conns Nt×2). */
export type OpenPNMDict = Record<string, number[] | number[][] | boolean[]>;

function check(network: PoreNetwork): void {
  if (!network || !network.pores || !network.throats) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "expected a PoreNetwork (the `network` of snow())");
  }
}

const num = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (Number.isFinite(v) ? v : 0));
const bool = (a: ArrayLike<number>): boolean[] => Array.from(a, (v) => v !== 0);

/**
 * The network in OpenPNM's dict layout (as `openpnm.io.network_from_porespy`
 * reads it): `pore.coords` (Np×3, [x, y, z] µm), `throat.conns` (Nt×2), the size
 * properties, and labels `pore.boundary`, `pore.internal`, `pore.z-` … `pore.x+`
 * (with OpenPNM-style aliases `pore.zmin` … `pore.xmax`), `throat.boundary`, `throat.internal`.
 * Lengths stay in µm; multiply by 1e-6 for OpenPNM's SI units.
 *
 * @example
 * const d = toOpenPNM(snow(labels, { phase: 0 }).network);
 * d["pore.coords"].length === d["pore.volume"].length;
 */
export function toOpenPNM(network: PoreNetwork): OpenPNMDict {
  check(network);
  const P = network.pores, T = network.throats;
  const coords: number[][] = [];
  const centroid: number[][] = [];
  for (let i = 0; i < P.count; i++) {
    coords.push([P.x_um[i], P.y_um[i], P.z_um[i]]);
    centroid.push([P.centroidX_um[i], P.centroidY_um[i], P.centroidZ_um[i]]);
  }
  const conns: number[][] = [];
  const peaks: number[][] = [];
  const conduits: number[][] = [];
  for (let t = 0; t < T.count; t++) {
    conns.push([T.pore1[t], T.pore2[t]]);
    peaks.push([T.peakX_um[t], T.peakY_um[t], T.peakZ_um[t]]);
    conduits.push([T.conduitPore1_um[t], T.conduitThroat_um[t], T.conduitPore2_um[t]]);
  }
  const d: OpenPNMDict = {
    "pore.coords": coords,
    "pore.geometric_centroid": centroid,
    "pore.region_label": num(P.region),
    "pore.phase": num(P.phase),
    "pore.volume": num(P.volume_um3),
    "pore.inscribed_diameter": num(P.inscribedDiameter_um),
    "pore.equivalent_diameter": num(P.equivalentDiameter_um),
    "pore.surface_area": num(P.surfaceArea_um2),
    "pore.boundary": bool(P.boundary),
    "pore.internal": Array.from(P.boundary, (v) => v === 0),
    "throat.conns": conns,
    "throat.cross_sectional_area": num(T.area_um2),
    "throat.inscribed_diameter": num(T.inscribedDiameter_um),
    "throat.equivalent_diameter": num(T.equivalentDiameter_um),
    "throat.perimeter": num(T.perimeter_um),
    "throat.global_peak": peaks,
    "throat.direct_length": num(T.directLength_um),
    "throat.total_length": num(T.totalLength_um),
    "throat.conduit_lengths": conduits,
    "throat.boundary": bool(T.boundary),
    "throat.internal": Array.from(T.boundary, (v) => v === 0),
  };
  const alias: Record<string, string> = { "z-": "zmin", "z+": "zmax", "y-": "ymin", "y+": "ymax", "x-": "xmin", "x+": "xmax" };
  for (const f of FACES) {
    d[`pore.${f}`] = bool(P.faces[f]);
    d[`pore.${alias[f]}`] = bool(P.faces[f]);
  }
  return d;
}

/**
 * The OpenPNM dict as a JSON string, with the spacing, shape and porosity under `"meta"`.
 *
 * @example
 * const text = networkToJSON(network); // write it with io or fs
 */
export function networkToJSON(network: PoreNetwork, options: { indent?: number } = {}): string {
  const d = toOpenPNM(network);
  return JSON.stringify(
    { ...d, meta: { unit: "um", shape: network.shape, spacing_um: network.spacing_um, phases: network.phases, porosity: network.porosity } },
    null,
    options.indent,
  );
}

function csv(columns: Record<string, ArrayLike<number>>, count: number): string {
  const names = Object.keys(columns);
  const lines = [names.join(",")];
  for (let i = 0; i < count; i++) lines.push(names.map((k) => String(columns[k][i])).join(","));
  return lines.join("\n") + "\n";
}

/**
 * Pores as flat, equal-length columns (faces as `face_z-` … `face_x+` columns), ready for
 * `toTable(...)` (arquero) or a CSV.
 *
 * @example
 * show(toTable(poreColumns(network)));
 */
export function poreColumns(network: PoreNetwork): Record<string, ArrayLike<number>> {
  check(network);
  const P = network.pores;
  const c: Record<string, ArrayLike<number>> = {
    pore: Int32Array.from({ length: P.count }, (_, i) => i), region: P.region, phase: P.phase,
    x_um: P.x_um, y_um: P.y_um, z_um: P.z_um,
    centroidX_um: P.centroidX_um, centroidY_um: P.centroidY_um, centroidZ_um: P.centroidZ_um,
    volume_um3: P.volume_um3, inscribedDiameter_um: P.inscribedDiameter_um,
    equivalentDiameter_um: P.equivalentDiameter_um, surfaceArea_um2: P.surfaceArea_um2, boundary: P.boundary,
  };
  for (const f of FACES) c[`face_${f}`] = P.faces[f];
  return c;
}

/**
 * Throats as flat, equal-length columns, ready for `toTable(...)` or a CSV.
 *
 * @example
 * show(toTable(throatColumns(network)));
 */
export function throatColumns(network: PoreNetwork): Record<string, ArrayLike<number>> {
  check(network);
  const T = network.throats;
  return {
    throat: Int32Array.from({ length: T.count }, (_, i) => i), pore1: T.pore1, pore2: T.pore2,
    area_um2: T.area_um2, inscribedDiameter_um: T.inscribedDiameter_um, equivalentDiameter_um: T.equivalentDiameter_um,
    perimeter_um: T.perimeter_um, peakX_um: T.peakX_um, peakY_um: T.peakY_um, peakZ_um: T.peakZ_um,
    directLength_um: T.directLength_um, totalLength_um: T.totalLength_um,
    conduitPore1_um: T.conduitPore1_um, conduitThroat_um: T.conduitThroat_um, conduitPore2_um: T.conduitPore2_um,
    boundary: T.boundary,
  };
}

/**
 * Two CSV texts, one row per pore and one per throat (the columns of `poreColumns` /
 * `throatColumns`; µm units in the column names).
 *
 * @example
 * const { pores, throats } = networkToCSV(network);
 */
export function networkToCSV(network: PoreNetwork): { pores: string; throats: string } {
  return { pores: csv(poreColumns(network), network.pores.count), throats: csv(throatColumns(network), network.throats.count) };
}

function dataArray(name: string, type: string, values: ArrayLike<number>, components = 1): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(String(values[i]));
  const nc = components > 1 ? ` NumberOfComponents="${components}"` : "";
  return `        <DataArray type="${type}" Name="${name}"${nc} format="ascii">${parts.join(" ")}</DataArray>\n`;
}

/**
 * VTK PolyData (ASCII XML .vtp) for ParaView: pores as vertices with point data
 * (diameters, volume, boundary), throats as lines with cell data. Coordinates in µm.
 *
 * @example
 * const xml = networkToVTP(network); // save as net.vtp, open in ParaView
 */
export function networkToVTP(network: PoreNetwork): string {
  check(network);
  const P = network.pores, T = network.throats;
  const pts = new Float64Array(3 * P.count);
  for (let i = 0; i < P.count; i++) { pts[3 * i] = P.x_um[i]; pts[3 * i + 1] = P.y_um[i]; pts[3 * i + 2] = P.z_um[i]; }
  const conn = new Int32Array(2 * T.count);
  const off = new Int32Array(T.count);
  for (let t = 0; t < T.count; t++) { conn[2 * t] = T.pore1[t]; conn[2 * t + 1] = T.pore2[t]; off[t] = 2 * t + 2; }
  const vconn = Int32Array.from({ length: P.count }, (_, i) => i);
  const voff = Int32Array.from({ length: P.count }, (_, i) => i + 1);
  let s = `<?xml version="1.0"?>\n<VTKFile type="PolyData" version="0.1" byte_order="LittleEndian">\n  <PolyData>\n`;
  s += `    <Piece NumberOfPoints="${P.count}" NumberOfVerts="${P.count}" NumberOfLines="${T.count}" NumberOfStrips="0" NumberOfPolys="0">\n`;
  s += `      <Points>\n${dataArray("coords_um", "Float64", pts, 3)}      </Points>\n`;
  s += `      <Verts>\n${dataArray("connectivity", "Int32", vconn)}${dataArray("offsets", "Int32", voff)}      </Verts>\n`;
  s += `      <Lines>\n${dataArray("connectivity", "Int32", conn)}${dataArray("offsets", "Int32", off)}      </Lines>\n`;
  s += `      <PointData Scalars="inscribed_diameter_um">\n`;
  s += dataArray("inscribed_diameter_um", "Float64", P.inscribedDiameter_um);
  s += dataArray("equivalent_diameter_um", "Float64", P.equivalentDiameter_um);
  s += dataArray("volume_um3", "Float64", P.volume_um3);
  s += dataArray("boundary", "UInt8", P.boundary);
  s += `      </PointData>\n`;
  // Cell data runs over verts first, then lines (VTK's order): pad the vert part.
  const cell = (vals: ArrayLike<number>) => Float64Array.from({ length: P.count + T.count }, (_, i) => (i < P.count ? 0 : vals[i - P.count]));
  s += `      <CellData Scalars="throat_inscribed_diameter_um">\n`;
  s += dataArray("throat_inscribed_diameter_um", "Float64", cell(T.inscribedDiameter_um));
  s += dataArray("throat_area_um2", "Float64", cell(T.area_um2));
  s += dataArray("throat_total_length_um", "Float64", cell(T.totalLength_um));
  s += `      </CellData>\n    </Piece>\n  </PolyData>\n</VTKFile>\n`;
  return s;
}

/** A short description of a network, e.g. for the CLI's JSON output. */
export interface NetworkSummary {
  readonly pores: number;
  readonly throats: number;
  readonly boundaryPores: number;
  readonly boundaryThroats: number;
  /** Mean number of throats per internal pore (boundary throats included). */
  readonly meanCoordination: number;
  readonly medianPoreInscribedDiameter_um: number;
  readonly medianThroatInscribedDiameter_um: number;
  readonly totalPoreVolume_um3: number;
  readonly porosity: number;
  readonly phases: readonly number[];
  readonly shape: readonly [number, number, number];
  readonly spacing_um: readonly [number, number, number];
}

function median(a: number[]): number {
  if (a.length === 0) return NaN;
  a.sort((p, q) => p - q);
  const h = a.length >> 1;
  return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2;
}

/**
 * Counts and typical sizes of a network (internal pores and throats; boundary ones counted apart).
 *
 * @example
 * console.log(JSON.stringify(networkSummary(network)));
 */
export function networkSummary(network: PoreNetwork): NetworkSummary {
  check(network);
  const P = network.pores, T = network.throats;
  const dp: number[] = [], dt: number[] = [];
  let bp = 0, bt = 0, vol = 0, ends = 0;
  for (let i = 0; i < P.count; i++) {
    if (P.boundary[i]) { bp++; continue; }
    dp.push(P.inscribedDiameter_um[i]);
    vol += P.volume_um3[i];
  }
  for (let t = 0; t < T.count; t++) {
    ends += (P.boundary[T.pore1[t]] ? 0 : 1) + (P.boundary[T.pore2[t]] ? 0 : 1);
    if (T.boundary[t]) { bt++; continue; }
    dt.push(T.inscribedDiameter_um[t]);
  }
  return {
    pores: P.count - bp,
    throats: T.count - bt,
    boundaryPores: bp,
    boundaryThroats: bt,
    meanCoordination: dp.length > 0 ? ends / dp.length : 0,
    medianPoreInscribedDiameter_um: median(dp),
    medianThroatInscribedDiameter_um: median(dt),
    totalPoreVolume_um3: vol,
    porosity: network.porosity,
    phases: network.phases,
    shape: network.shape,
    spacing_um: network.spacing_um,
  };
}
