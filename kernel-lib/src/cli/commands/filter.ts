/**
 * `tomolyte filter <in> <out> --op <name>`: one preprocessing filter of
 * filters/ on a grey-value volume. The neighbourhood filters and non-local
 * means run on the worker pool of parallel/ (same result for any --threads);
 * the others run in one worker thread, so Ctrl-C always cancels at once.
 * Never overwrites its input; writes atomically.
 */
import { type Command, Option } from "commander";
import type { BoundaryMode } from "../../filters";
import { type ParallelFilterName, defaultThreads, runFilter } from "../../parallel";
import { type DType, type Volume, astype, statistics, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { parseDType, withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { runOp, transferable } from "../run-op";
import { checkOutput, numberOption, readVolume, secondsSince, writeVolume } from "./common";
import { formatNumber, formatTriple } from "./format";

/** The filters `--op` names. */
export const FILTER_OPS = ["mean", "median", "minimum", "maximum", "gaussian", "unsharp", "nlm", "diffusion", "cupping"] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

interface FilterOptions extends CommonOptions {
  op: FilterOp;
  radiusVoxels?: number;
  radiusUm?: number;
  footprint?: "cube" | "ball";
  sigmaVoxels?: number;
  sigmaUm?: number;
  truncate?: number;
  amount?: number;
  patchSize?: number;
  patchDistance?: number;
  h?: number;
  nlmMode?: "fast" | "pixelwise";
  kappa?: number;
  step?: number;
  iterations?: number;
  conductance?: "exp" | "quadratic";
  mode?: BoundaryMode;
  cval?: number;
  threads?: number;
  dtype?: DType;
  force?: boolean;
}

type OpKey = keyof Omit<FilterOptions, keyof CommonOptions | "op" | "threads" | "dtype" | "force">;

/** The op-specific options each op takes; any other one given is a usage error, never silently ignored. */
const TAKES: Record<FilterOp, readonly OpKey[]> = {
  mean: ["radiusVoxels", "radiusUm", "footprint", "mode", "cval"],
  median: ["radiusVoxels", "radiusUm", "footprint", "mode", "cval"],
  minimum: ["radiusVoxels", "radiusUm", "footprint", "mode", "cval"],
  maximum: ["radiusVoxels", "radiusUm", "footprint", "mode", "cval"],
  gaussian: ["sigmaVoxels", "sigmaUm", "truncate", "mode", "cval"],
  unsharp: ["radiusVoxels", "radiusUm", "amount"],
  nlm: ["patchSize", "patchDistance", "h", "nlmMode"],
  diffusion: ["kappa", "step", "iterations", "conductance"],
  cupping: [],
};

/** The command-line spelling of an option key, for messages. */
const FLAG: Record<OpKey, string> = {
  radiusVoxels: "--radius-voxels", radiusUm: "--radius-um", footprint: "--footprint", sigmaVoxels: "--sigma-voxels",
  sigmaUm: "--sigma-um", truncate: "--truncate", amount: "--amount", patchSize: "--patch-size",
  patchDistance: "--patch-distance", h: "--h", nlmMode: "--nlm-mode", kappa: "--kappa", step: "--step", iterations: "--iterations",
  conductance: "--conductance", mode: "--mode", cval: "--cval",
};

/** Checks the option combination; returns a usage message or undefined. */
function usageProblem(o: FilterOptions): string | undefined {
  const takes = TAKES[o.op];
  for (const key of Object.keys(FLAG) as OpKey[]) {
    if (o[key] !== undefined && !takes.includes(key)) {
      const ok = takes.map((k) => FLAG[k]).join(", ");
      return `${FLAG[key]} does not apply to --op ${o.op} (it takes ${ok || "no options"})`;
    }
  }
  if (o.radiusVoxels !== undefined && o.radiusUm !== undefined) return "give --radius-voxels or --radius-um, not both";
  if (o.sigmaVoxels !== undefined && o.sigmaUm !== undefined) return "give --sigma-voxels or --sigma-um, not both";
  const rank = o.op === "mean" || o.op === "median" || o.op === "minimum" || o.op === "maximum";
  if (rank) {
    if (o.radiusVoxels === undefined && o.radiusUm === undefined) return `--op ${o.op} needs --radius-voxels R (cube of side 2R+1) or --radius-um`;
    if (o.radiusVoxels !== undefined && (!Number.isInteger(o.radiusVoxels) || o.radiusVoxels < 1)) {
      return `--radius-voxels must be a whole number of voxels >= 1 for --op ${o.op}, got ${o.radiusVoxels}`;
    }
  }
  if (o.op === "gaussian" && o.sigmaVoxels === undefined && o.sigmaUm === undefined) return "--op gaussian needs --sigma-voxels S or --sigma-um S";
  if (o.op === "diffusion" && o.kappa === undefined) return "--op diffusion needs --kappa K (grey units: about 1-3× the noise sigma)";
  return undefined;
}

/** The library options of the op, from the command line (lengths keep their unit in the name). */
function libraryOptions(o: FilterOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  switch (o.op) {
    case "mean":
    case "median":
    case "minimum":
    case "maximum":
      set("radiusVoxels", o.radiusVoxels);
      set("radius_um", o.radiusUm);
      set("footprint", o.footprint);
      set("mode", o.mode);
      set("cval", o.cval);
      break;
    case "gaussian":
      set("sigmaVoxels", o.sigmaVoxels);
      set("sigma_um", o.sigmaUm);
      set("truncate", o.truncate);
      set("mode", o.mode);
      set("cval", o.cval);
      break;
    case "unsharp":
      set("radiusVoxels", o.radiusVoxels);
      set("radius_um", o.radiusUm);
      set("amount", o.amount);
      break;
    case "nlm":
      set("patchSize", o.patchSize);
      set("patchDistance", o.patchDistance);
      set("h", o.h);
      if (o.nlmMode !== undefined) set("fastMode", o.nlmMode === "fast");
      break;
    case "diffusion":
      set("kappa", o.kappa);
      set("step", o.step);
      set("iterations", o.iterations);
      set("conductance", o.conductance);
      break;
    case "cupping":
      break;
  }
  return out;
}

const PARALLEL: Partial<Record<FilterOp, ParallelFilterName>> = {
  mean: "mean", median: "median", minimum: "minimum", maximum: "maximum", gaussian: "gaussian", nlm: "nonLocalMeans",
  unsharp: "unsharpMask", diffusion: "anisotropicDiffusion",
};

/**
 * The filter subcommand. JSON result: `{ input, output, op, options, threads,
 * shape, dtype, spacing_um, spacingSource, min, max, mean, files, bytes, seconds,
 * warnings }` (+ `cupping` for --op cupping).
 *
 * @example
 * // tomolyte filter scan.tif smooth.tif --op gaussian --sigma-voxels 1.5 --threads 4 --json
 * await runCli(["filter", "scan.tif", "smooth.tif", "--op", "gaussian", "--sigma-voxels", "1.5"], [filterCommand]);
 */
export const filterCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("filter")
        .description("filter a grey-value volume: mean, median, minimum, maximum, gaussian, unsharp, nlm, diffusion, cupping")
        .argument("<in>", "input volume: .tif/.tiff, a folder of TIFFs, .npy, .mhd/.mha")
        .argument("<out>", "output file (format from the extension); never the input")
        .addOption(new Option("--op <name>", "the filter").choices(FILTER_OPS).makeOptionMandatory())
        .addOption(numberOption("--radius-voxels <R>", "mean/median/minimum/maximum: neighbourhood radius (cube of side 2R+1); unsharp: blur sigma", { min: 0 }))
        .addOption(numberOption("--radius-um <R>", "the radius in µm (rounded to whole voxels per axis for the neighbourhood filters)", { min: 0 }))
        .addOption(new Option("--footprint <shape>", "neighbourhood shape (default cube)").choices(["cube", "ball"]))
        .addOption(numberOption("--sigma-voxels <S>", "gaussian: standard deviation in voxels", { min: 0 }))
        .addOption(numberOption("--sigma-um <S>", "gaussian: standard deviation in µm", { min: 0 }))
        .addOption(numberOption("--truncate <T>", "gaussian: kernel half-width in sigmas (default 4, as SciPy)", { min: 0, exclusiveMin: true }))
        .addOption(numberOption("--amount <A>", "unsharp: weight of the detail added back (default 1)"))
        .addOption(numberOption("--patch-size <P>", "nlm: patch side in voxels (default 5)", { min: 1, integer: true }))
        .addOption(numberOption("--patch-distance <D>", "nlm: largest shift searched, voxels (default 6)", { min: 1, integer: true }))
        .addOption(numberOption("--h <H>", "nlm: weight cut-off in grey units (default 0.8 × estimated noise sigma)", { min: 0, exclusiveMin: true }))
        .addOption(new Option("--nlm-mode <m>", "nlm: fast (blockwise, default) or pixelwise (Gaussian patch, skimage fast_mode=False)").choices(["fast", "pixelwise"]))
        .addOption(numberOption("--kappa <K>", "diffusion: edge threshold in grey units", { min: 0, exclusiveMin: true }))
        .addOption(numberOption("--step <G>", "diffusion: time step (default 1/7, stable up to 1/6)", { min: 0, exclusiveMin: true }))
        .addOption(numberOption("--iterations <N>", "diffusion: number of steps (default 10)", { min: 0, integer: true }))
        .addOption(new Option("--conductance <g>", "diffusion: conductance function (default exp)").choices(["exp", "quadratic"]))
        .addOption(new Option("--mode <mode>", "boundary mode, SciPy's meanings (default reflect)").choices(["reflect", "nearest", "constant", "wrap", "mirror"]))
        .addOption(numberOption("--cval <C>", "the value beyond the border with --mode constant (default 0)"))
        .addOption(numberOption("--threads <N>", "worker threads for every op but cupping (default: the machine's cores, at most 16); same result for any N", { min: 1, max: 256, integer: true }))
        .addOption(new Option("--dtype <dtype>", "convert the result to this dtype (rounded and clipped)").argParser(parseDType))
        .option("-f, --force", "replace <out> if it exists (never the input)"),
    ).action(async (input: string, output: string, options: FilterOptions, command: Command) => {
      const problem = usageProblem(options);
      if (problem) command.error(`error: ${problem}`);
      if (options.mode !== "constant" && options.cval !== undefined) command.error("error: --cval needs --mode constant");
      await checkOutput([input], output, !!options.force, ctx.signal);

      const warnings: string[] = [];
      const r = await readVolume(ctx, options, input, warnings);
      const lib = libraryOptions(options);
      const t0 = Date.now();
      const progress = ctx.progress(options, `filtering (${options.op})`);
      let result: Volume;
      let threads = 1;
      let extra: Record<string, unknown> = {};
      const parallelName = PARALLEL[options.op];
      if (parallelName) {
        threads = options.threads ?? defaultThreads();
        result = await runFilter(parallelName, r.volume, lib, { threads, signal: ctx.signal, onProgress: progress });
      } else {
        if (options.threads !== undefined && options.threads > 1) {
          const w = `--op ${options.op} runs on one thread; --threads ${options.threads} has no effect`;
          warnings.push(w);
          ctx.warn(options, w);
        }
        const run = { signal: ctx.signal, onProgress: progress, transfer: transferable(r.volume.data) };
        if (options.op === "unsharp") result = await runOp("unsharpMask", { volume: r.volume, options: lib }, run);
        else if (options.op === "diffusion") result = await runOp("anisotropicDiffusion", { volume: r.volume, options: lib }, run);
        else {
          const c = await runOp("correctCupping", { volume: r.volume, options: lib }, run);
          result = c.volume;
          const d = c.diagnostic;
          extra = { cupping: { center: d.center, objectRadiusVoxels: d.objectRadiusVoxels, coefficients: d.coefficients } };
        }
      }
      progress.done();
      const seconds = secondsSince(t0);
      if (options.dtype && options.dtype !== volumeDType(result)) result = astype(result, options.dtype);
      const s = statistics(result);
      const w = await writeVolume(ctx, options, result, output, !!options.force);
      const json = {
        input: r.path,
        output: w.path,
        op: options.op,
        options: lib,
        threads,
        shape: [...result.shape],
        dtype: volumeDType(result),
        spacing_um: [...result.spacing],
        spacingSource: r.spacingSource,
        min: s.min,
        max: s.max,
        mean: s.mean,
        files: [...w.files],
        bytes: w.bytes,
        seconds,
        ...extra,
        warnings,
      };
      const opts = Object.entries(lib).map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : String(v)}`).join(", ");
      ctx.result(options, json, () =>
        [
          `wrote ${w.path} (${w.format})`,
          `  filter   ${options.op}${opts ? ` (${opts})` : ""}${parallelName ? `, ${threads} thread${threads > 1 ? "s" : ""}` : ""}, ${seconds} s`,
          `  from     ${r.path}`,
          `  shape    ${result.shape.join(" × ")}  (nz × ny × nx)`,
          `  dtype    ${json.dtype}`,
          `  spacing  ${formatTriple(result.spacing)} µm`,
          `  range    ${formatNumber(s.min)} .. ${formatNumber(s.max)}, mean ${formatNumber(s.mean)}`,
        ].join("\n"),
      );
    });
  },
};
