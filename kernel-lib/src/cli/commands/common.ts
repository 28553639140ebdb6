/**
 * Pieces shared by the analysis subcommands (filter, segment, metrics,
 * tortuosity): number options, reading with warnings and progress, and the
 * output checks that keep a command from overwriting its input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../../errors";
import { type ReadResult, type WriteResult, readInfo, readWithMetadata, write } from "../../io";
import { type Volume, distinctValues } from "../../volume";
import type { CliContext, CommonOptions } from "../context";

/** Limits of a number option. */
export interface NumberLimits {
  min?: number;
  /** The value must be above `min`, not equal to it. */
  exclusiveMin?: boolean;
  max?: number;
  integer?: boolean;
}

/**
 * Parser of a finite number option; a bad value is a usage error (exit 2).
 *
 * @example
 * new Option("--radius-voxels <R>").argParser(numberParser({ min: 0, integer: true }))
 */
export function numberParser(limits: NumberLimits = {}): (text: string) => number {
  return (text: string) => {
    const x = text.trim() === "" ? NaN : Number(text);
    const what =
      (limits.integer ? "an integer" : "a number") +
      (limits.min !== undefined ? (limits.exclusiveMin ? ` > ${limits.min}` : ` >= ${limits.min}`) : "") +
      (limits.max !== undefined ? ` <= ${limits.max}` : "");
    const bad =
      !Number.isFinite(x) ||
      (limits.integer && !Number.isInteger(x)) ||
      (limits.min !== undefined && (limits.exclusiveMin ? x <= limits.min : x < limits.min)) ||
      (limits.max !== undefined && x > limits.max);
    if (bad) throw new InvalidArgumentError(`expected ${what}, got "${text}"`);
    return x;
  };
}

/**
 * A number option with limits.
 *
 * @example
 * cmd.addOption(numberOption("--classes <N>", "number of classes", { min: 2, integer: true }))
 */
export function numberOption(flags: string, description: string, limits: NumberLimits = {}): Option {
  return new Option(flags, description).argParser(numberParser(limits));
}

/** Parses a comma-separated list of numbers. @example numberListParser("0,85") // [0, 85] */
export function numberListParser(text: string): number[] {
  const xs = text.split(",").map((s) => (s.trim() === "" ? NaN : Number(s)));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) {
    throw new InvalidArgumentError(`expected comma-separated numbers (e.g. 0,85,170), got "${text}"`);
  }
  return xs;
}

/** Reads a volume as the subcommands do: --spacing applied, warnings and progress on stderr. */
export async function readVolume(ctx: CliContext, options: CommonOptions, file: string, warnings: string[], label = "reading"): Promise<ReadResult> {
  const progress = ctx.progress(options, label);
  const r = await readWithMetadata(file, {
    spacing_um: options.spacing,
    onWarning: (w) => {
      warnings.push(w);
      ctx.warn(options, w);
    },
    signal: ctx.signal,
    onProgress: progress,
  });
  progress.done();
  return r;
}

/** The same file, following symbolic and hard links; false when either is missing. */
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

/** Files the writer creates for `out` (a MetaImage header also gets a .raw or .zraw). */
function outputPaths(out: string): string[] {
  const paths = [out];
  if (/\.mhd$/i.test(out)) {
    const base = out.replace(/\.mhd$/i, "");
    paths.push(base + ".raw", base + ".zraw");
  }
  return paths;
}

/**
 * Refuses, before any work, an output that would land on a file of any input
 * (never, even with --force) or replace an existing file without --force.
 *
 * @example
 * await checkOutput(["scan.tif"], "smooth.tif", false, ctx.signal);
 */
export async function checkOutput(inputs: readonly string[], output: string, force: boolean, signal: AbortSignal): Promise<void> {
  for (const input of inputs) {
    const header = await readInfo(input, { onWarning: () => undefined, signal });
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
  }
  if (!force && fs.existsSync(output)) {
    throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${output} already exists; pass --force to replace it`, { path: output });
  }
}

/** Writes a result volume atomically, with progress on stderr. */
export async function writeVolume(ctx: CliContext, options: CommonOptions, volume: Volume, output: string, force: boolean): Promise<WriteResult> {
  const progress = ctx.progress(options, "writing");
  const w = await write(volume, output, { overwrite: force, signal: ctx.signal, onProgress: progress });
  progress.done();
  return w;
}

/** Voxel count and fraction of each distinct value of a label volume, ascending. */
export function labelFractions(labels: Volume): { value: number; voxels: number; fraction: number }[] {
  const d = labels.data;
  const n = d.length;
  const counts = new Map<number, number>();
  if (labels.data instanceof Uint8Array) {
    const c = new Float64Array(256);
    for (let i = 0; i < n; i++) c[d[i]]++;
    for (let v = 0; v < 256; v++) if (c[v] > 0) counts.set(v, c[v]);
  } else {
    for (const v of distinctValues(labels)) counts.set(v, 0);
    for (let i = 0; i < n; i++) counts.set(d[i], (counts.get(d[i]) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, voxels]) => ({ value, voxels, fraction: voxels / n }));
}

/** Seconds since `t0` (ms), rounded to milliseconds. */
export function secondsSince(t0: number): number {
  return Math.round(Date.now() - t0) / 1000;
}
