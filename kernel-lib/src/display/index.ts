export { VOLUME_MIME, PLOTLY_MIME, type VolumeMimeBundleV1, type VolumeMimePhase, type VolumeMimeDType } from "./contract";
