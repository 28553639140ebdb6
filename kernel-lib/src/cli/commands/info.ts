/**
 * `tomolyte info <volume>`: shape, dtype, voxel size and grey-value statistics.
 */
import type { Command } from "commander";
import { readVolume } from "./common";
import { statistics, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { formatNumber, formatTriple, spacingSourceText } from "./format";

/**
 * The info subcommand. JSON result: `{ path, format, shape, dtype, spacing_um,
 * spacingSource, min, max, mean, std, nanCount, warnings }`.
 *
 * @example
 * // tomolyte info data/samples/taufactor_electrode_256.tiff --json
 * await runCli(["info", "scan.tif", "--json"], [infoCommand]);
 */
export const infoCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("info")
        .description("shape, dtype, voxel size (µm) and min/max/mean/std of a volume")
        .argument("<volume>", "a volume file: .tif/.tiff, a folder of TIFFs, .npy, .mhd/.mha"),
    ).action(async (volumePath: string, options: CommonOptions) => {
      const warnings: string[] = [];
      const r = await readVolume(ctx, options, volumePath, warnings);
      const v = r.volume;
      const s = statistics(v);
      const json = {
        path: r.path,
        format: r.format,
        shape: [...v.shape],
        dtype: volumeDType(v),
        spacing_um: [...v.spacing],
        spacingSource: r.spacingSource,
        min: s.min,
        max: s.max,
        mean: s.mean,
        std: s.std,
        nanCount: s.nanCount,
        warnings,
      };
      ctx.result(options, json, () =>
        [
          r.path,
          `  format   ${r.format}`,
          `  shape    ${v.shape.join(" × ")}  (nz × ny × nx)`,
          `  dtype    ${json.dtype}`,
          `  spacing  ${formatTriple(v.spacing)} µm  (${spacingSourceText(r.spacingSource)})`,
          `  min      ${formatNumber(s.min)}`,
          `  max      ${formatNumber(s.max)}`,
          `  mean     ${formatNumber(s.mean)}`,
          `  std      ${formatNumber(s.std)}`,
          ...(s.nanCount > 0 ? [`  NaN      ${s.nanCount} voxels`] : []),
        ].join("\n"),
      );
    });
  },
};
