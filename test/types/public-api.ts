// Type-level tests of the public API, compiled against the BUILT package
// (kernel-lib/dist/*.d.ts) exactly as a notebook or a user's project sees it.
// Lines marked @ts-expect-error must fail to compile: if one compiles, tsc reports
// "Unused '@ts-expect-error' directive" and the test fails.
import {
  type Volume,
  type LabelVolume,
  type Phase,
  type DType,
  type VolumeMimeBundleV1,
  TomolyteError,
  createVolume,
  labelVolume,
  zeros,
  slice,
  crop,
  statistics,
  astype,
  read,
  write,
  show,
  compare,
  series,
  type Comparison,
  type TimeSeries,
} from "tomolyte";

// A Volume keeps the element type of its data.
const u8: Volume<Uint8Array> = createVolume(new Uint8Array(8), [2, 2, 2], [1, 1, 1]);
const f32: Volume<Float32Array> = createVolume(new Float32Array(8), [2, 2, 2]);
const firstVoxel: number = u8.data[0];
// @ts-expect-error: a Uint8 volume is not a Float32 volume
const wrong: Volume<Float32Array> = u8;

// Shapes and spacings are read-only triples.
const [nz, ny, nx] = u8.shape;
// @ts-expect-error: volumes are immutable
u8.shape[0] = 3;
// @ts-expect-error: volumes are immutable
u8.spacing = [1, 1, 1];

// Label volumes need unsigned integer data and carry phases.
const phases: Phase[] = [{ value: 0, name: "pore", color: "#000000" }];
const labels: LabelVolume<Uint8Array> = labelVolume(u8, phases);
const names: string[] = labels.phases.map((p) => p.name);
// @ts-expect-error: float data cannot be labels
labelVolume(f32);

// Slices and crops keep the array type; crop keeps the label table.
const plane = slice(f32, "z", 0);
const planeData: Float32Array = plane.data;
const cropped: LabelVolume<Uint8Array> = crop(labels, { z: [0, 1] });
// @ts-expect-error: axes are "z" | "y" | "x"
slice(f32, "w", 0);

// dtypes are a closed set.
const dt: DType = "uint16";
// @ts-expect-error: not a tomolyte dtype
const bad: DType = "complex64";
const converted: Volume = astype(f32, "uint8", { rescale: true });
const z: Volume = zeros([2, 2, 2], "float64");
const mean: number = statistics(z).mean;

// Errors carry a stable code.
function codeOf(e: unknown): string | undefined {
  return e instanceof TomolyteError ? e.code : undefined;
}

// io is async; display takes anything showable.
async function roundTrip(path: string): Promise<void> {
  const v: Volume = await read(path);
  await write(v, path + ".npy");
  show(v);
}

// The display contract is a public type the JupyterLab extension imports.
const bundleVersion: VolumeMimeBundleV1["version"] = 1;
// @ts-expect-error: only version 1 exists
const badVersion: VolumeMimeBundleV1["version"] = 2;

// Several volumes in one viewer: a comparison or a time series is showable.
const side: Comparison = compare([u8, { volume: u8, labels, title: "with labels" }], { titles: ["raw", "labelled"] });
const operando: TimeSeries = series([u8, u8], { times_s: [0, 60] });
show(side);
show(operando);
// @ts-expect-error: a comparison takes volumes, not numbers
compare([1, 2]);
// @ts-expect-error: a series is not a comparison
const notSide: Comparison = operando;

export { side, notSide, firstVoxel, wrong, nz, ny, nx, names, planeData, cropped, dt, bad, converted, mean, codeOf, roundTrip, bundleVersion, badVersion };
