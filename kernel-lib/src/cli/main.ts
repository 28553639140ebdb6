#!/usr/bin/env node
/**
 * Entry point of the `tomolyte` command (the package's bin). Each subcommand
 * lives in its own file under cli/commands/ and is registered here, in the
 * order `tomolyte --help` lists them.
 */
import { convertCommand } from "./commands/convert";
import { filterCommand } from "./commands/filter";
import { infoCommand } from "./commands/info";
import { metricsCommand } from "./commands/metrics";
import { networkCommand } from "./commands/network";
import { segmentCommand } from "./commands/segment";
import { tortuosityCommand } from "./commands/tortuosity";
import { type CliCommand, EXIT_CODES, runCli } from "./program";

const COMMANDS: readonly CliCommand[] = [infoCommand, convertCommand, filterCommand, segmentCommand, metricsCommand, tortuosityCommand, networkCommand];

function main(): void {
  // stdout carries only the result (one JSON object with --json): anything a
  // library prints through console goes to stderr instead.
  const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;

  // Anything escaping the promise chain (a stray callback) still ends as one error line.
  const internal = (e: unknown) => {
    process.stderr.write(`error[INTERNAL]: ${e instanceof Error ? e.message : String(e)} (a bug in tomolyte; please report it)\n`);
    process.exit(EXIT_CODES.INTERNAL);
  };
  // A reader that closed the pipe early (`| head`) is not an error of ours.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    else internal(e);
  });
  process.on("uncaughtException", internal);
  process.on("unhandledRejection", internal);

  // First Ctrl-C cancels the running operation cleanly (exit 130); a second one kills.
  const controller = new AbortController();
  process.once("SIGINT", () => {
    controller.abort();
    process.once("SIGINT", () => process.exit(EXIT_CODES.CANCELLED));
  });

  runCli(process.argv.slice(2), COMMANDS, { stdout: process.stdout, stderr: process.stderr }, controller.signal).then(
    (code) => {
      // Exit once stdout is flushed (pipes are asynchronous), without waiting for idle handles.
      process.exitCode = code;
      process.stdout.write("", () => process.exit(code));
    },
    internal,
  );
}

main();
