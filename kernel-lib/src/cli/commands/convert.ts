/**
 * `tomolyte convert <in> <out>`: another file format (from the output's
 * extension), optionally another dtype. Never overwrites its input, even with
 * --force; the io writer writes to a temp file and renames it (atomic).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../../errors";
import { type Compression, readInfo, readWithMetadata, write } from "../../io";
import { type DType, type Volume, astype, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { parseDType, withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { formatBytesShort, formatTriple, spacingSourceText } from "./format";

interface ConvertOptions extends CommonOptions {
  force?: boolean;
  dtype?: DType;
  rescale?: boolean;
  compression?: Compression;
}

/** The same file, following symlinks and hard links; false when either is missing. */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Paths the writer will create for `out`: the file itself, plus the data file
 * beside a MetaImage header (.raw, or .zraw when compressed).
 */
function outputPaths(out: string): string[] {
  const paths = [out];
  if (/\.mhd$/i.test(out)) {
    const base = out.replace(/\.mhd$/i, "");
    paths.push(base + ".raw", base + ".zraw");
  }
  return paths;
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
      const header = await readInfo(input, { onWarning: () => undefined, signal: ctx.signal });
      for (const o of outputPaths(output)) {
        for (const f of header.files) {
          if (sameFile(o, f)) {
            throw new TomolyteError(
              ERROR_CODES.WOULD_OVERWRITE,
              `${output} would overwrite the input ${f}; choose another output path (--force never replaces an input)`,
              { input: f, output },
            );
          }
        }
      }
      if (!options.force && fs.existsSync(output)) {
        throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${output} already exists; pass --force to replace it`, { path: output });
      }

      const warnings: string[] = [];
      const onWarning = (w: string) => {
        warnings.push(w);
        ctx.warn(options, w);
      };
      const readProgress = ctx.progress(options, "reading");
      const r = await readWithMetadata(input, { spacing_um: options.spacing, onWarning, signal: ctx.signal, onProgress: readProgress });
      readProgress.done();

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
