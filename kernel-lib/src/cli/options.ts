/**
 * Options shared by every subcommand, and parsers for option values. A bad
 * value is a usage error (exit code 2) reported by commander's own machinery.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../errors";
import { DTYPES, type DType } from "../volume";

/**
 * Parses `--spacing dz,dy,dx` (micrometres) or a single value for isotropic voxels.
 *
 * @example
 * parseSpacing("0.5,0.39,0.39") // [0.5, 0.39, 0.39]
 */
export function parseSpacing(text: string): [number, number, number] {
  const parts = text.split(",").map((s) => s.trim());
  // Number("") is 0, so empty parts are caught by the positivity check.
  const values = parts.map((s) => (s === "" ? NaN : Number(s)));
  if ((values.length !== 1 && values.length !== 3) || values.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new InvalidArgumentError(
      `expected three positive micrometre values dz,dy,dx (e.g. 0.390625,0.390625,0.390625) or one value for all axes, got "${text}"`,
    );
  }
  return values.length === 1 ? [values[0], values[0], values[0]] : [values[0], values[1], values[2]];
}

/**
 * Parses a dtype name.
 *
 * @example
 * parseDType("uint16") // "uint16"
 */
export function parseDType(text: string): DType {
  if (!(DTYPES as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`expected one of ${DTYPES.join(", ")}, got "${text}"`);
  }
  return text as DType;
}

/**
 * Adds --spacing, --json and --quiet, which every subcommand takes.
 *
 * @example
 * withCommonOptions(program.command("info <volume>"))
 */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--spacing <dz,dy,dx>", "voxel size in µm, overrides the file's metadata (one value: isotropic)").argParser(parseSpacing))
    .option("--json", "print one JSON object on stdout (logs and progress go to stderr)")
    .option("-q, --quiet", "no warnings, logs or progress on stderr (errors are still printed)");
}

/**
 * Refuses a --phase value that no voxel of the volume holds, listing (up to 20 of) the
 * values it does hold, so the user can pick one.
 *
 * @example
 * requirePhase(labels.data, options.phase, file); // throws INVALID_ARGUMENT when absent
 */
export function requirePhase(data: ArrayLike<number>, phase: number, file: string): void {
  for (let i = 0; i < data.length; i++) if (data[i] === phase) return;
  const seen = new Set<number>();
  for (let i = 0; i < data.length && seen.size <= 20; i++) seen.add(data[i]);
  const values = [...seen].sort((a, b) => a - b);
  throw new TomolyteError(
    ERROR_CODES.INVALID_ARGUMENT,
    `phase ${phase} is not in ${file}: its values are ${values.slice(0, 20).join(", ")}${values.length > 20 ? ", ..." : ""}; pass one of them to --phase`,
    { phase },
  );
}
