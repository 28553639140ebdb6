import type { Face } from "../morphology";

/**
 * Pores as columns (one entry per pore, plain typed arrays; `toTable(poreColumns(network))`
 * makes an arquero table). Coordinates are in µm with x the fastest voxel axis,
 * measured from the volume's outer corner: voxel (z, y, x) has its centre at
 * ((x + ½)·dx, (y + ½)·dy, (z + ½)·dz). Boundary pores come after the internal ones.
 */
export interface NetworkPores {
  readonly count: number;
  /** Region label in `regions` (0 for boundary pores). */
  readonly region: Uint32Array;
  /** Label value of the pore's phase (boundary pores: the phase of the pore they cap). */
  readonly phase: Uint32Array;
  /** Centre of the largest inscribed sphere (centre of mass of the voxels at the largest distance value): `pore.coords`. */
  readonly x_um: Float64Array;
  readonly y_um: Float64Array;
  readonly z_um: Float64Array;
  /** Centre of mass of the region's voxels. */
  readonly centroidX_um: Float64Array;
  readonly centroidY_um: Float64Array;
  readonly centroidZ_um: Float64Array;
  /** Voxel count × voxel volume (0 for boundary pores). */
  readonly volume_um3: Float64Array;
  /** 2 × the largest Euclidean distance to another phase or region-free voxel (boundary pores: that of their throat). */
  readonly inscribedDiameter_um: Float64Array;
  /** Diameter of the sphere of the same volume, (6V/π)^⅓. */
  readonly equivalentDiameter_um: Float64Array;
  /** Area of the voxel faces between the pore and voxels outside the network's phases (the pore wall). */
  readonly surfaceArea_um2: Float64Array;
  /** 1 for the boundary pores added on the faces of the volume. */
  readonly boundary: Uint8Array;
  /** Per face, 1 for the boundary pores on that face. */
  readonly faces: Readonly<Record<Face, Uint8Array>>;
}

/** Throats as columns. `pore1 < pore2` index `NetworkPores`. */
export interface NetworkThroats {
  readonly count: number;
  readonly pore1: Int32Array;
  readonly pore2: Int32Array;
  /** Area of the voxel faces shared by the two regions (boundary throats: the pore's area on the volume face). */
  readonly area_um2: Float64Array;
  /** 2 × the largest distance value on the interface (per face, the smaller of its two voxels' values). */
  readonly inscribedDiameter_um: Float64Array;
  /** Diameter of the disc of the same area, 2·√(A/π). */
  readonly equivalentDiameter_um: Float64Array;
  /** Length of the outline of the interface's voxel-face patch (a staircase: about 4/π × a smooth outline). */
  readonly perimeter_um: Float64Array;
  /** Point of the interface with the largest distance value (µm). */
  readonly peakX_um: Float64Array;
  readonly peakY_um: Float64Array;
  readonly peakZ_um: Float64Array;
  /** Straight distance between the two pores' coordinates. */
  readonly directLength_um: Float64Array;
  /** Pore 1 → interface peak → pore 2 (PoreSpy's `throat.total_length`). */
  readonly totalLength_um: Float64Array;
  /** Conduit lengths through the inscribed spheres (spheres and cylinders): pore 1 part, throat, pore 2 part; they add to `directLength_um`. */
  readonly conduitPore1_um: Float64Array;
  readonly conduitThroat_um: Float64Array;
  readonly conduitPore2_um: Float64Array;
  /** 1 for the throats that join a boundary pore. */
  readonly boundary: Uint8Array;
}

/** A pore network extracted from a label volume (see `snow`). */
export interface PoreNetwork {
  readonly pores: NetworkPores;
  readonly throats: NetworkThroats;
  /** Shape [nz, ny, nx] and spacing [dz, dy, dx] (µm) of the source volume. */
  readonly shape: readonly [number, number, number];
  readonly spacing_um: readonly [number, number, number];
  /** Label values of the partitioned phases. */
  readonly phases: readonly number[];
  /** Voxels of the partitioned phases / all voxels. */
  readonly porosity: number;
}
