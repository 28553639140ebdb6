/**
 * `tomolyte tortuosity <labels> --phase V --axis z|y|x`: tortuosity factor by
 * steady-state diffusion, TauFactor 2's definition (transport/). Runs in a
 * worker thread (Ctrl-C cancels at once); `--threads N` splits the solve over N
 * worker threads of its own. `--field` saves the concentration.
 */
import { type Command, Option } from "commander";
import { type Volume } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { requirePhase, withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { runOp, transferable } from "../run-op";
import { tortuosityParallel } from "../../parallel/tortuosity";
import { checkOutput, numberOption, readVolume, secondsSince, writeVolume } from "./common";
import { formatNumber } from "./format";

interface TortuosityCliOptions extends CommonOptions {
  phase: number;
  axis: "z" | "y" | "x";
  tolerance?: number;
  maxIterations?: number;
  method?: "mg-pcg" | "pcg" | "sor";
  threads?: number;
  field?: string;
  force?: boolean;
}

/**
 * The tortuosity subcommand. JSON result: `{ input, phase, axis, tortuosityFactor,
 * effectiveDiffusivityRatio, volumeFraction, macMullinNumber, bruggemanExponent,
 * iterations, converged, residual, fluxSpread, removedFraction, percolating,
 * method, message, field?, seconds, warnings }`; infinite values (a phase that does
 * not percolate) are `null` in JSON.
 *
 * @example
 * // tomolyte tortuosity labels.tif --phase 0 --axis z --json
 * await runCli(["tortuosity", "labels.tif", "--phase", "0"], [tortuosityCommand]);
 */
export const tortuosityCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("tortuosity")
        .description("tortuosity factor of one phase by steady-state diffusion (TauFactor 2's definition)")
        .argument("<labels>", "label volume")
        .addOption(numberOption("--phase <V>", "the conducting phase: its value in the label volume").makeOptionMandatory())
        .addOption(new Option("--axis <axis>", "transport direction").choices(["z", "y", "x"]).default("z"))
        .addOption(numberOption("--tolerance <T>", "stop when the flux varies between planes (and between checks) by at most this, relative (default 1e-4)", { min: 0, exclusiveMin: true, max: 1 }))
        .addOption(numberOption("--max-iterations <N>", "iteration limit (default 500 for mg-pcg, 20000 otherwise)", { min: 1, integer: true }))
        .addOption(new Option("--method <m>", "solver (default mg-pcg; sor is TauFactor's)").choices(["mg-pcg", "pcg", "sor"]))
        .addOption(numberOption("--threads <N>", "worker threads for the mg-pcg iterations (default 1; the same result for any N; set-up stays on one thread)", { min: 1, integer: true }))
        .option("--field <file>", "also write the concentration field (float32; inlet 1, outlet 0) to this file")
        .option("-f, --force", "replace the --field file if it exists (never the input)"),
    ).action(async (file: string, options: TortuosityCliOptions) => {
      if (options.field) await checkOutput([file], options.field, !!options.force, ctx.signal);
      const warnings: string[] = [];
      const r = await readVolume(ctx, options, file, warnings);
      const labels: Volume = r.volume;
      requirePhase(labels.data, options.phase, file);
      const t0 = Date.now();
      const progress = ctx.progress(options, `tortuosity (${options.axis})`);
      const lib: Record<string, unknown> = { phase: options.phase, axis: options.axis };
      if (options.tolerance !== undefined) lib.tolerance = options.tolerance;
      if (options.maxIterations !== undefined) lib.maxIterations = options.maxIterations;
      if (options.method !== undefined) lib.method = options.method;
      // --threads N > 1: the solve's own worker threads (parallel/), started from this thread.
      const t = options.threads !== undefined && options.threads > 1
        ? await tortuosityParallel(labels, { ...lib, axis: options.axis, signal: ctx.signal, onProgress: progress }, { threads: options.threads })
        : await runOp("tortuosity", { labels, options: lib }, { signal: ctx.signal, onProgress: progress, transfer: transferable(labels.data) });
      progress.done();
      const seconds = secondsSince(t0);
      if (!t.converged) ctx.warn(options, t.message);
      let field: string | undefined;
      if (options.field) field = (await writeVolume(ctx, options, t.concentration, options.field, !!options.force)).path;
      const json = {
        input: r.path,
        phase: options.phase,
        axis: t.axis,
        tortuosityFactor: t.tortuosityFactor,
        effectiveDiffusivityRatio: t.effectiveDiffusivityRatio,
        volumeFraction: t.volumeFraction,
        macMullinNumber: t.macMullinNumber,
        bruggemanExponent: t.bruggemanExponent,
        iterations: t.iterations,
        converged: t.converged,
        residual: t.residual,
        fluxSpread: t.fluxSpread,
        removedFraction: t.removedFraction,
        percolating: t.percolating,
        method: t.method,
        message: t.message,
        shape: [...labels.shape],
        spacing_um: [...labels.spacing],
        spacingSource: r.spacingSource,
        ...(field ? { field } : {}),
        seconds,
        warnings,
      };
      ctx.result(options, json, () =>
        [
          `${r.path}: phase ${options.phase}, transport along ${t.axis}`,
          `  tortuosity factor   ${formatNumber(t.tortuosityFactor)}`,
          `  D_eff / D           ${formatNumber(t.effectiveDiffusivityRatio)}`,
          `  volume fraction     ${formatNumber(t.volumeFraction)} (${(t.removedFraction * 100).toFixed(2)} % not percolating)`,
          `  MacMullin number    ${formatNumber(t.macMullinNumber)}`,
          `  Bruggeman exponent  ${formatNumber(t.bruggemanExponent)}`,
          `  solver              ${t.method}, ${t.iterations} iterations, ${t.converged ? "converged" : "NOT converged"}, ${seconds} s`,
          ...(field ? [`  field               ${field}`] : []),
        ].join("\n"),
      );
    });
  },
};
