/**
 * `tomolyte segment <in> <out> --method <name>`: a label volume from a
 * grey-value volume, labels 0..N-1 in increasing grey order (for watershed:
 * 0 outside the particles, 1..count one per particle). Runs in a worker
 * thread (Ctrl-C cancels at once); never overwrites its input.
 */
import { type Command, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../../errors";
import { type Volume, createVolume, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { runOp, transferable } from "../run-op";
import { checkOutput, labelFractions, numberOption, readVolume, secondsSince, writeVolume } from "./common";
import { formatNumber } from "./format";

/** The methods `--method` names. */
export const SEGMENT_METHODS = ["otsu", "multiotsu", "local", "watershed", "mrf", "classifier"] as const;
export type SegmentMethod = (typeof SEGMENT_METHODS)[number];

interface SegmentOptions extends CommonOptions {
  method: SegmentMethod;
  classes?: number;
  kind?: "mean" | "gaussian" | "niblack" | "sauvola";
  radiusVoxels?: number;
  offset?: number;
  beta?: number;
  scribbles?: string;
  phase?: number;
  hUm?: number;
  force?: boolean;
}

type MethodKey = "classes" | "kind" | "radiusVoxels" | "offset" | "beta" | "scribbles" | "phase" | "hUm";
const TAKES: Record<SegmentMethod, readonly MethodKey[]> = {
  otsu: [],
  multiotsu: ["classes"],
  local: ["kind", "radiusVoxels", "offset"],
  watershed: ["phase", "hUm"],
  mrf: ["classes", "beta"],
  classifier: ["scribbles"],
};
const FLAG: Record<MethodKey, string> = {
  classes: "--classes", kind: "--kind", radiusVoxels: "--radius-voxels", offset: "--offset", beta: "--beta",
  scribbles: "--scribbles", phase: "--phase", hUm: "--h-um",
};

function usageProblem(o: SegmentOptions): string | undefined {
  const takes = TAKES[o.method];
  for (const key of Object.keys(FLAG) as MethodKey[]) {
    if (o[key] !== undefined && !takes.includes(key)) {
      return `${FLAG[key]} does not apply to --method ${o.method} (it takes ${takes.map((k) => FLAG[k]).join(", ") || "no options"})`;
    }
  }
  if (o.method === "local" && o.radiusVoxels === undefined) return "--method local needs --radius-voxels R (window of side 2R+1)";
  if (o.method === "classifier" && o.scribbles === undefined) return "--method classifier needs --scribbles S.tif (0 = unlabelled, other values = classes)";
  if (o.method === "multiotsu" && o.classes !== undefined && o.classes > 5) return "--method multiotsu takes --classes 2 to 5";
  return undefined;
}

/** The smallest unsigned dtype that holds 0..max (particle labels are uint32 in the library). */
function compactLabels(v: Volume, max: number): Volume {
  if (volumeDType(v) !== "uint32" || max > 65535) return v;
  const out = max <= 255 ? new Uint8Array(v.data.length) : new Uint16Array(v.data.length);
  out.set(v.data as Uint32Array);
  return createVolume(out, v.shape, v.spacing);
}

/**
 * The segment subcommand. JSON result: `{ input, output, method, classes,
 * thresholds, phases: [{ value, voxels, fraction }], dtype, shape, spacing_um,
 * files, bytes, seconds, warnings }` plus what the method reports (MRF class
 * means, classifier training accuracy, particle count).
 *
 * @example
 * // tomolyte segment scan.tif labels.tif --method multiotsu --classes 3 --json
 * await runCli(["segment", "scan.tif", "labels.tif", "--method", "otsu"], [segmentCommand]);
 */
export const segmentCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("segment")
        .description("label a grey-value volume: otsu, multiotsu, local, watershed, mrf, classifier (labels 0..N-1, darkest first)")
        .argument("<in>", "input volume: .tif/.tiff, a folder of TIFFs, .npy, .mhd/.mha")
        .argument("<out>", "output label volume (format from the extension); never the input")
        .addOption(new Option("--method <name>", "the segmentation method").choices(SEGMENT_METHODS).makeOptionMandatory())
        .addOption(numberOption("--classes <N>", "multiotsu (2-5, default 3) / mrf (2-8, default 3): number of phases", { min: 2, max: 8, integer: true }))
        .addOption(new Option("--kind <kind>", "local: the local threshold (default mean)").choices(["mean", "gaussian", "niblack", "sauvola"]))
        .addOption(numberOption("--radius-voxels <R>", "local: window half-width (side 2R+1)", { min: 1, integer: true }))
        .addOption(numberOption("--offset <C>", "local mean/gaussian: subtracted from the local mean (grey units, default 0)"))
        .addOption(numberOption("--beta <B>", "mrf: smoothness weight per unlike face neighbour (default 1)", { min: 0 }))
        .option("--scribbles <file>", "classifier: label volume of the input's shape, 0 = unlabelled, other values = classes")
        .addOption(numberOption("--phase <V>", "watershed: the foreground value of the input (default: every non-zero voxel)"))
        .addOption(numberOption("--h-um <H>", "watershed: minimum depth of a distance-map maximum to seed a particle, µm (default one voxel)", { min: 0, exclusiveMin: true }))
        .option("-f, --force", "replace <out> if it exists (never the input)"),
    ).action(async (input: string, output: string, options: SegmentOptions, command: Command) => {
      const problem = usageProblem(options);
      if (problem) command.error(`error: ${problem}`);
      await checkOutput(options.scribbles ? [input, options.scribbles] : [input], output, !!options.force, ctx.signal);

      const warnings: string[] = [];
      const r = await readVolume(ctx, options, input, warnings);
      const volume = r.volume;
      let scribbles: Volume | undefined;
      if (options.scribbles) {
        scribbles = (await readVolume(ctx, options, options.scribbles, warnings, "reading scribbles")).volume;
        if (scribbles.shape.some((n, a) => n !== volume.shape[a])) {
          throw new TomolyteError(
            ERROR_CODES.SHAPE_MISMATCH,
            `the scribbles ${options.scribbles} have shape ${scribbles.shape.join("×")} but the volume has ${volume.shape.join("×")}; draw them on the same grid`,
          );
        }
      }
      const t0 = Date.now();
      const progress = ctx.progress(options, `segmenting (${options.method})`);
      const run = { signal: ctx.signal, onProgress: progress, transfer: transferable(volume.data) };
      let labels: Volume;
      let thresholds: number[] | null = null;
      let extra: Record<string, unknown> = {};
      switch (options.method) {
        case "otsu": {
          const x = await runOp("segmentOtsu", { volume }, run);
          labels = x.labels;
          thresholds = x.thresholds;
          break;
        }
        case "multiotsu": {
          const x = await runOp("segmentMultiOtsu", { volume, classes: options.classes ?? 3 }, run);
          labels = x.labels;
          thresholds = x.thresholds;
          break;
        }
        case "local": {
          const o = { kind: options.kind ?? "mean", radiusVoxels: options.radiusVoxels as number, ...(options.offset !== undefined ? { offset: options.offset } : {}) };
          labels = (await runOp("segmentLocal", { volume, options: o }, run)).labels;
          extra = { local: o };
          break;
        }
        case "watershed": {
          const x = await runOp("segmentWatershed", { volume, options: { phase: options.phase, h_um: options.hUm } }, run);
          labels = compactLabels(x.labels, x.count);
          extra = { particles: x.count };
          break;
        }
        case "mrf": {
          const x = await runOp("segmentMrf", { volume, options: { classes: options.classes, beta: options.beta } }, run);
          labels = x.labels;
          extra = { means: x.means, stdDevs: x.stdDevs, iterations: x.iterations, lastChanged: x.lastChanged, initialThresholds: x.initialThresholds };
          break;
        }
        case "classifier": {
          const x = await runOp("segmentClassifier", { volume, scribbles: scribbles as Volume }, run);
          labels = x.labels;
          extra = { scribbleValues: x.scribbleValues, names: x.names, samplesPerClass: x.samplesPerClass, trainingAccuracy: x.trainingAccuracy };
          break;
        }
      }
      progress.done();
      const seconds = secondsSince(t0);
      // The volume's data may have moved to the worker; only `labels` is used from here on.
      const classes =
        options.method === "watershed" ? (extra.particles as number) + 1
        : options.method === "local" || options.method === "otsu" ? 2
        : options.method === "classifier" ? (extra.scribbleValues as number[]).length
        : options.classes ?? 3;
      const fractions = labelFractions(labels);
      if (options.method !== "watershed") {
        // Every class 0..N-1 is listed, an empty one with 0 voxels.
        for (let k = 0; k < classes; k++) if (!fractions.some((f) => f.value === k)) fractions.push({ value: k, voxels: 0, fraction: 0 });
        fractions.sort((a, b) => a.value - b.value);
      }
      const w = await writeVolume(ctx, options, labels, output, !!options.force);
      const json = {
        input: r.path,
        output: w.path,
        method: options.method,
        classes,
        thresholds,
        phases: fractions,
        ...extra,
        shape: [...labels.shape],
        dtype: volumeDType(labels),
        spacing_um: [...labels.spacing],
        spacingSource: r.spacingSource,
        files: [...w.files],
        bytes: w.bytes,
        seconds,
        warnings,
      };
      ctx.result(options, json, () => {
        const lines = [`wrote ${w.path} (${w.format}, ${json.dtype} labels)`, `  method      ${options.method}, ${seconds} s`];
        if (thresholds) lines.push(`  thresholds  ${thresholds.map(formatNumber).join(", ")}`);
        if (options.method === "watershed") lines.push(`  particles   ${extra.particles as number}`);
        else for (const p of fractions) lines.push(`  label ${String(p.value).padEnd(5)} ${(p.fraction * 100).toFixed(2).padStart(6)} %  (${p.voxels} voxels)`);
        return lines.join("\n");
      });
    });
  },
};
