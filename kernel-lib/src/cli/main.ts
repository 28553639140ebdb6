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
import { spawn } from "node:child_process";
import { constants } from "node:os";

const COMMANDS: readonly CliCommand[] = [infoCommand, convertCommand, filterCommand, segmentCommand, metricsCommand, tortuosityCommand, networkCommand];

const HUGE_PAGES = "glibc.malloc.hugetlb=1";

/**
 * Runs this same command again in a child process whose glibc backs large allocations by
 * transparent huge pages, and mirrors its exit. Returns false when that is not needed
 * (not Linux, or GLIBC_TUNABLES already names the setting: `glibc.malloc.hugetlb=0` opts
 * out). Why: in a VM a first touch of each 4 KiB page costs ~15 µs, so a fresh 256³ int32
 * array took 0.25-0.45 s to fault in, 10 ms on 2 MiB pages; glibc reads the tunable only
 * at process start (docs/design-notes.md).
 */
function rerunWithHugePages(): boolean {
  const tunables = process.env.GLIBC_TUNABLES ?? "";
  if (process.platform !== "linux" || tunables.includes("glibc.malloc.hugetlb")) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    // Its own process group: a terminal's Ctrl-C reaches it once, forwarded by us below,
    // so the first Ctrl-C still cancels cleanly and only a second one kills.
    detached: true,
    env: { ...process.env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
  child.on("error", (e) => {
    process.stderr.write(`error[INTERNAL]: could not start ${process.execPath}: ${e.message}\n`);
    process.exit(EXIT_CODES.INTERNAL);
  });
  return true;
}

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

if (!rerunWithHugePages()) main();
