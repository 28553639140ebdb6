/**
 * `tomolyte convert <in> <out>`: another file format (from the output's
 * extension), optionally another dtype. Never overwrites its input, even with
 * --force; the io writer writes to a temp file and renames it (atomic).
 */
import { type Command, Option } from "commander";
import { type Compression, write } from "../../io";
import { type DType, type Volume, astype, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { parseDType, withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { checkOutput, readVolume } from "./common";
import { formatBytesShort, formatTriple, spacingSourceText } from "./format";

interface ConvertOptions extends CommonOptions {
  force?: boolean;
  dtype?: DType;
  rescale?: boolean;
  compression?: Compression;
}

/**
 * The convert subcommand. JSON result: `{ input, output, format, files, bytes,
 * shape, dtype, spacing_um, spacingSource, warnings }`.
 *
 * @example
 * // tomolyte convert scan.tif scan.npy --json
 * await runCli(["convert", "scan.tif", "scan.npy"], [convertCommand]);
 */
export const convertCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("convert")
        .description("write a volume in another format, chosen by the output's extension (.tif .npy .mhd .mha)")
        .argument("<in>", "input volume: .tif/.tiff, a folder of TIFFs, .npy, .mhd/.mha")
        .argument("<out>", "output file: .tif/.tiff, .npy, .mhd (+ .raw), .mha; a path ending in / is a folder of TIFFs")
        .option("-f, --force", "replace <out> if it exists (never the input)")
        .addOption(new Option("--dtype <dtype>", "convert voxels to this dtype (rounded and clipped unless --rescale)").argParser(parseDType))
        .option("--rescale", "with --dtype: map the data's [min, max] linearly onto the new dtype's range")
        .addOption(new Option("--compression <kind>", "compression of the output").choices(["none", "deflate"]).default("none")),
    ).action(async (input: string, output: string, options: ConvertOptions, command: Command) => {
      // A usage error (exit code 2), reported like commander's own.
      if (options.rescale && !options.dtype) command.error("error: --rescale needs --dtype");
      // Refuse before reading any voxels: the output may not land on any file of
      // the input (header, data file, slice), and may not replace a file without --force.
      await checkOutput([input], output, !!options.force, ctx.signal);

      const warnings: string[] = [];
      const r = await readVolume(ctx, options, input, warnings);

      let v: Volume = r.volume;
      if (options.dtype && options.dtype !== volumeDType(v)) {
        v = astype(v, options.dtype, { rescale: !!options.rescale });
      }
      const writeProgress = ctx.progress(options, "writing");
      const w = await write(v, output, {
        overwrite: !!options.force,
        compression: options.compression,
        signal: ctx.signal,
        onProgress: writeProgress,
      });
      writeProgress.done();
      const json = {
        input: r.path,
        output: w.path,
        format: w.format,
        files: [...w.files],
        bytes: w.bytes,
        shape: [...v.shape],
        dtype: volumeDType(v),
        spacing_um: [...v.spacing],
        spacingSource: r.spacingSource,
        warnings,
      };
      ctx.result(options, json, () =>
        [
          `wrote ${w.path} (${w.format}, ${formatBytesShort(w.bytes)}${w.files.length > 1 ? ` in ${w.files.length} files` : ""})`,
          `  from     ${r.path} (${r.format})`,
          `  shape    ${v.shape.join(" × ")}  (nz × ny × nx)`,
          `  dtype    ${json.dtype}`,
          `  spacing  ${formatTriple(v.spacing)} µm  (${spacingSourceText(r.spacingSource)})`,
        ].join("\n"),
      );
    });
  },
};
