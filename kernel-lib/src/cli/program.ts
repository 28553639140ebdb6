/**
 * The `tomolyte` program: builds the commander program from the registered
 * subcommands, runs it, and turns every failure into one stderr line
 * `error[CODE]: message` and a documented exit code (docs/cli.md).
 */
import { Command, CommanderError } from "commander";
import { ERROR_CODES, type ErrorCode, TomolyteError, isTomolyteError } from "../errors";
import { type CliContext, type CliStreams, createContext } from "./context";

/** One subcommand, in its own file under cli/commands/, registered in main.ts. */
export interface CliCommand {
  /** Adds the subcommand (with withCommonOptions) and its action to `program`. */
  register(program: Command, ctx: CliContext): void;
}

/** Exit codes of the `tomolyte` command. Stable: scripts test them. */
export const EXIT_CODES = {
  /** Success. */
  OK: 0,
  /** The input or the operation failed: missing, corrupt or unsupported file, bad data, refused overwrite, write failure, no convergence. */
  FAILED: 1,
  /** Usage: unknown subcommand or option, missing argument, bad option value (e.g. --spacing). */
  USAGE: 2,
  /** A required external program is missing (error code MISSING_DEPENDENCY). */
  MISSING_DEPENDENCY: 3,
  /** The operation would exceed the memory budget (error code OUT_OF_MEMORY). */
  OUT_OF_MEMORY: 4,
  /** A bug in tomolyte (error code INTERNAL); rerun with TOMOLYTE_DEBUG=1 for the stack trace. */
  INTERNAL: 70,
  /** Interrupted (Ctrl-C; error code CANCELLED). */
  CANCELLED: 130,
} as const;

/** The exit code for an error code. @example exitCodeFor("OUT_OF_MEMORY") // 4 */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ERROR_CODES.MISSING_DEPENDENCY:
      return EXIT_CODES.MISSING_DEPENDENCY;
    case ERROR_CODES.OUT_OF_MEMORY:
      return EXIT_CODES.OUT_OF_MEMORY;
    case ERROR_CODES.INTERNAL:
      return EXIT_CODES.INTERNAL;
    case ERROR_CODES.CANCELLED:
      return EXIT_CODES.CANCELLED;
    default:
      return EXIT_CODES.FAILED;
  }
}

const EXIT_HELP = `
Exit codes:
  0    success
  1    the input or the operation failed (missing/corrupt/unsupported file, bad data, refused overwrite, ...)
  2    usage error (unknown command or option, missing argument, bad option value)
  3    a required external program is missing
  4    not enough memory (the memory budget would be exceeded)
  70   internal error (a bug: please report it; TOMOLYTE_DEBUG=1 prints the stack)
  130  interrupted
On failure stderr ends with one line "error[CODE]: message"; with --json stdout then stays empty.
Every subcommand takes --spacing dz,dy,dx (µm), --json and --quiet. Docs: docs/cli.md`;

/** Node's system errors (ENOENT, EACCES, ...) that reach the CLI unwrapped, as TomolyteErrors. */
function fromSystemError(e: unknown): TomolyteError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (!err || typeof err.code !== "string" || !/^E[A-Z]+$/.test(err.code)) return undefined;
  const where = err.path ? ` (${err.path})` : "";
  if (err.code === "ENOENT" || err.code === "ENOTDIR") {
    return new TomolyteError(ERROR_CODES.FILE_NOT_FOUND, `no such file or folder${where}`);
  }
  if (err.code === "EACCES" || err.code === "EPERM" || err.code === "EISDIR") {
    return new TomolyteError(ERROR_CODES.FILE_NOT_FOUND, `cannot access${where}: ${err.code}`);
  }
  if (err.code === "ENOSPC" || err.code === "EROFS" || err.code === "EDQUOT") {
    return new TomolyteError(ERROR_CODES.WRITE_FAILED, `cannot write${where}: ${err.code}`);
  }
  return undefined;
}

/** One line: newlines in messages would break "one line on stderr". */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Runs the CLI with `argv` (without "node" and the script) and returns the
 * exit code. Never throws: every failure becomes `error[CODE]: message` on stderr.
 *
 * @example
 * const code = await runCli(["info", "scan.tif", "--json"], [infoCommand]);
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly CliCommand[],
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const ctx = createContext(streams, signal);
  const program = new Command("tomolyte")
    .description("X-ray CT of battery electrodes: volume info, format conversion and analysis from the shell")
    .version(packageVersion(), "-V, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      // Commander's own error text is replaced by our single error line below.
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .addHelpText("after", EXIT_HELP);
  for (const c of commands) c.register(program, ctx);
  // Subcommands inherit exitOverride and output settings only when added after they are set; set them again.
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput(program.configureOutput()).showSuggestionAfterError(true);
  }

  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return EXIT_CODES.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return EXIT_CODES.OK;
      const message =
        e.code === "commander.help" || e.code === "commander.executeSubCommandAsync"
          ? "no subcommand given; run tomolyte --help"
          : oneLine(e.message.replace(/^error:\s*/, "")) + " (see tomolyte --help)";
      streams.stderr.write(`error[${ERROR_CODES.INVALID_ARGUMENT}]: ${message}\n`);
      return EXIT_CODES.USAGE;
    }
    const te = isTomolyteError(e) ? e : fromSystemError(e);
    if (te) {
      if (process.env.TOMOLYTE_DEBUG) streams.stderr.write(`${(e as Error).stack ?? ""}\n`);
      streams.stderr.write(`error[${te.code}]: ${oneLine(te.message)}\n`);
      return exitCodeFor(te.code);
    }
    if (process.env.TOMOLYTE_DEBUG) streams.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    const msg = e instanceof Error ? e.message : String(e);
    streams.stderr.write(
      `error[${ERROR_CODES.INTERNAL}]: ${oneLine(msg)} (a bug in tomolyte; please report it, with the output of TOMOLYTE_DEBUG=1)\n`,
    );
    return EXIT_CODES.INTERNAL;
  }
}

function packageVersion(): string {
  try {
    // dist/cli/program.js -> package.json two levels up (also true for src/cli in tests).
    return (require("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
