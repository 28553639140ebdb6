/**
 * The display contract between the kernel and JupyterLab (DESIGN.md).
 * Types only, no runtime code: the JupyterLab extension imports this file as types.
 */

/** MIME type of a volume bundle. */
export const VOLUME_MIME = "application/vnd.tomolyte.volume+json";
/** MIME type of a plotly figure. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export type VolumeMimeDType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";

/** One phase of the label overlay. */
export interface VolumeMimePhase {
  value: number;
  name: string;
  color: string;
}

/** The payload of `application/vnd.tomolyte.volume+json`, version 1. */
export interface VolumeMimeBundleV1 {
  version: 1;
  /** [nz, ny, nx] of the data sent (after downsampling). */
  shape: [number, number, number];
  /** [dz, dy, dx] in micrometres of the data sent (after downsampling). */
  spacing: [number, number, number];
  unit: "um";
  dtype: VolumeMimeDType;
  /** The data bytes, little-endian, C order (x fastest), deflated (zlib-less raw deflate) then base64. */
  encoding: "deflate-base64";
  data: string;
  /** Initial display window [lo, hi] in data units. */
  window: [number, number];
  /** Present for label volumes: the labels (uint8 or uint16, same shape) and the phase table. */
  labels?: {
    dtype: "uint8" | "uint16" | "uint32";
    data: string;
    phases: VolumeMimePhase[];
  };
  /** Downsampling applied per axis [fz, fy, fx] (1 = none), and the original shape. */
  downsample?: { factor: [number, number, number]; originalShape: [number, number, number] };
  title?: string;
  /** Caption of this volume (panel 0 of a comparison, frame 0 of a series); `title` is the whole output's. */
  name?: string;
  /** Time of frame 0 of a series, in seconds. */
  time_s?: number;
  /**
   * Linked comparison (additive to v1): the panels AFTER the first, shown beside it and stepping with
   * it. The top-level fields are panel 0, so a viewer that does not know `panels` still shows panel 0.
   * Every panel has the top-level shape, spacing and downsampling.
   */
  panels?: VolumeMimeVolume[];
  /**
   * Time series (additive to v1): the frames AFTER the first (frame 0 is the top-level volume), in
   * time order, with the top-level shape, spacing and downsampling. Never together with `panels`.
   */
  frames?: VolumeMimeFrame[];
  /** Playback rate of a series in frames per second (the viewer's initial choice). */
  fps?: number;
}

/** One more volume of a comparison: its own values, window and labels on the shared grid. */
export interface VolumeMimeVolume {
  dtype: VolumeMimeDType;
  /** Same encoding as the top-level `data`. */
  data: string;
  window: [number, number];
  labels?: VolumeMimeBundleV1["labels"];
  name?: string;
}

/** One more frame of a time series. */
export interface VolumeMimeFrame extends VolumeMimeVolume {
  time_s?: number;
}
