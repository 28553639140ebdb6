/**
 * `tomolyte network <labels> --phase V --out net.json`: pore network extraction
 * by SNOW (network/), written as an OpenPNM-style dict (JSON), two CSV tables or a
 * VTK .vtp; `--transport` adds the network's diffusion and permeability along
 * `--axis`. Runs in a worker thread (Ctrl-C cancels at once).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../../errors";
import { writeText } from "../../io";
import type { CliContext, CommonOptions } from "../context";
import { requirePhase, withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { runOp, transferable } from "../run-op";
import { checkOutput, numberOption, readVolume, secondsSince } from "./common";
import { formatNumber } from "./format";

type NetworkFormat = "json" | "csv" | "vtp";

interface NetworkCliOptions extends CommonOptions {
  phase: number;
  out: string;
  format?: NetworkFormat;
  axis: "z" | "y" | "x";
  transport?: boolean;
  sigmaVoxels?: number;
  rMaxVoxels?: number;
  force?: boolean;
}

/** The format: --format, else the extension of --out (.json, .csv, .vtp). */
function formatOf(out: string, given: NetworkFormat | undefined): NetworkFormat {
  if (given) return given;
  const ext = path.extname(out).toLowerCase();
  if (ext === ".json" || ext === ".csv" || ext === ".vtp") return ext.slice(1) as NetworkFormat;
  throw new TomolyteError(
    ERROR_CODES.INVALID_ARGUMENT,
    `cannot tell the network file format from "${out}": use an --out ending in .json, .csv or .vtp, or pass --format json|csv|vtp`,
    { out },
  );
}

/** Files written for --out: CSV gives two tables beside it (<stem>.pores.csv, <stem>.throats.csv). */
function filesOf(out: string, format: NetworkFormat): Record<string, string> {
  if (format !== "csv") return { [format]: out };
  const stem = path.extname(out).toLowerCase() === ".csv" ? out.slice(0, -4) : out;
  return { pores: `${stem}.pores.csv`, throats: `${stem}.throats.csv` };
}

/**
 * The network subcommand. JSON result: `{ input, phase, pores, throats,
 * boundaryPores, boundaryThroats, meanCoordination, medianPoreInscribedDiameter_um,
 * medianThroatInscribedDiameter_um, totalPoreVolume_um3, porosity, steps,
 * parameters, format, files, transport?, shape, spacing_um, spacingSource,
 * seconds, warnings }` (pores and throats count internal ones; boundary ones apart).
 *
 * @example
 * // tomolyte network labels.tif --phase 0 --out net.json --json
 * await runCli(["network", "labels.tif", "--phase", "0", "--out", "net.json"], [networkCommand]);
 */
export const networkCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("network")
        .description("pore network of one phase by SNOW (PoreSpy snow2's defaults), as OpenPNM-style arrays")
        .argument("<labels>", "label volume")
        .addOption(numberOption("--phase <V>", "the pore phase: its value in the label volume", { min: 0, integer: true }).makeOptionMandatory())
        .requiredOption("--out <file>", "network file: .json (OpenPNM dict), .csv (<stem>.pores.csv + <stem>.throats.csv) or .vtp (ParaView)")
        .addOption(new Option("--format <f>", "file format (default: from the --out extension)").choices(["json", "csv", "vtp"]))
        .option("--transport", "also solve diffusion and Stokes flow through the network along --axis")
        .addOption(new Option("--axis <axis>", "transport direction (with --transport)").choices(["z", "y", "x"]).default("z"))
        .addOption(numberOption("--sigma-voxels <S>", "smoothing of the distance map before the peak search, voxels (default 0.4; 0 skips it)", { min: 0 }))
        .addOption(numberOption("--r-max-voxels <R>", "peak search radius, voxels (default 4)", { min: 1, max: 64 }))
        .option("-f, --force", "replace the --out file(s) if they exist (never the input)"),
    ).action(async (file: string, options: NetworkCliOptions) => {
      const format = formatOf(options.out, options.format);
      const files = filesOf(options.out, format);
      for (const f of Object.values(files)) {
        await checkOutput([file], f, !!options.force, ctx.signal);
        if (fs.existsSync(f) && fs.statSync(f).isDirectory()) {
          throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${f} is a folder; choose a file path for --out`, { path: f });
        }
      }
      const warnings: string[] = [];
      const r = await readVolume(ctx, options, file, warnings);
      const labels = r.volume;
      requirePhase(labels.data, options.phase, file);
      const t0 = Date.now();
      const progress = ctx.progress(options, "network (SNOW)");
      const lib: { phase: number; sigmaVoxels?: number; rMaxVoxels?: number } = { phase: options.phase };
      if (options.sigmaVoxels !== undefined) lib.sigmaVoxels = options.sigmaVoxels;
      if (options.rMaxVoxels !== undefined) lib.rMaxVoxels = options.rMaxVoxels;
      const shape = [...labels.shape];
      const spacing = [...labels.spacing];
      const res = await runOp(
        "network",
        { labels, options: lib, format, transport: options.transport ? { axis: options.axis } : undefined },
        { signal: ctx.signal, onProgress: progress, transfer: transferable(labels.data) },
      );
      progress.done();
      // Each file atomically; the CSV pair: throats first, so a pores file never lacks its throats.
      const written: Record<string, string> = {};
      const keys = format === "csv" ? ["throats", "pores"] : [format];
      for (const k of keys) written[k] = (await writeText(files[k], res.texts[k], { overwrite: !!options.force, signal: ctx.signal })).path;
      const seconds = secondsSince(t0);
      const s = res.summary;
      const t = res.transport as
        | { axis: string; tortuosityFactor: number; effectiveDiffusivityRatio: number; permeability_mD: number; percolating: boolean; converged: boolean }
        | undefined;
      if (t && !t.percolating) ctx.warn(options, `the network does not percolate along ${t.axis}: no transport through it`);
      const json = {
        input: r.path,
        phase: options.phase,
        pores: s.pores,
        throats: s.throats,
        boundaryPores: s.boundaryPores,
        boundaryThroats: s.boundaryThroats,
        meanCoordination: s.meanCoordination,
        medianPoreInscribedDiameter_um: s.medianPoreInscribedDiameter_um,
        medianThroatInscribedDiameter_um: s.medianThroatInscribedDiameter_um,
        totalPoreVolume_um3: s.totalPoreVolume_um3,
        porosity: s.porosity,
        steps: res.steps,
        parameters: res.parameters,
        format,
        files: written,
        ...(res.transport ? { transport: res.transport } : {}),
        shape,
        spacing_um: spacing,
        spacingSource: r.spacingSource,
        seconds,
        warnings,
      };
      ctx.result(options, json, () =>
        [
          `${r.path}: phase ${options.phase}, SNOW network`,
          `  pores               ${s.pores} (+ ${s.boundaryPores} boundary)`,
          `  throats             ${s.throats} (+ ${s.boundaryThroats} boundary)`,
          `  mean coordination   ${formatNumber(s.meanCoordination)}`,
          `  median pore d_ins   ${formatNumber(s.medianPoreInscribedDiameter_um)} µm`,
          `  median throat d_ins ${formatNumber(s.medianThroatInscribedDiameter_um)} µm`,
          `  porosity            ${formatNumber(s.porosity)}`,
          ...(t
            ? [
                `  transport along ${t.axis}: tortuosity factor ${formatNumber(t.tortuosityFactor)}, D_eff/D ${formatNumber(t.effectiveDiffusivityRatio)}, k ${formatNumber(t.permeability_mD)} mD`,
              ]
            : []),
          ...Object.values(written).map((f) => `  wrote               ${f}`),
          `  ${seconds} s`,
        ].join("\n"),
      );
    });
  },
};
