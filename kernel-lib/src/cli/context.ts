/**
 * What a subcommand gets to talk to the world: its result goes to stdout (one
 * JSON object with --json, text without), everything else (logs, warnings,
 * progress) to stderr, so `tomolyte info x.tif --json | jq` always parses.
 */

/** Where the CLI writes; a real process uses process.stdout / process.stderr. */
export interface CliStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

/** The options every subcommand takes (see options.ts). */
export interface CommonOptions {
  json?: boolean;
  quiet?: boolean;
  spacing?: [number, number, number];
}

/** Reports progress of one step: call with the fraction done, then done(). */
export interface ProgressReporter {
  (fractionDone: number): void;
  done(): void;
}

/** Handed to each subcommand's action. */
export interface CliContext {
  readonly streams: CliStreams;
  /** Aborted on Ctrl-C: pass it as `signal` to long operations. */
  readonly signal: AbortSignal;
  /** Prints the subcommand's result: `json` with --json, else the text `human()` builds. Call once. */
  result(options: CommonOptions, json: Record<string, unknown>, human: () => string): void;
  /** A line on stderr (unless --quiet). */
  log(options: CommonOptions, message: string): void;
  /** A warning line on stderr, "warning: ..." (unless --quiet). */
  warn(options: CommonOptions, message: string): void;
  /** A progress reporter on stderr for one step (silent with --quiet). */
  progress(options: CommonOptions, label: string): ProgressReporter;
}

/** Quick steps print nothing; slower ones show a bar (TTY) or a line per 25 % (pipes, logs). */
const TTY_DELAY_MS = 200;
const PLAIN_DELAY_MS = 2000;
const PLAIN_STEPS = 4;
const TTY_INTERVAL_MS = 100;

/**
 * Makes the context of one CLI run.
 *
 * @example
 * const ctx = createContext({ stdout: process.stdout, stderr: process.stderr }, new AbortController().signal);
 */
export function createContext(streams: CliStreams, signal: AbortSignal, now: () => number = Date.now): CliContext {
  let printed = false;
  return {
    streams,
    signal,
    result(options, json, human) {
      if (printed) throw new Error("a CLI command printed two results"); // a bug: becomes error[INTERNAL]
      printed = true;
      if (options.json) streams.stdout.write(JSON.stringify(json) + "\n");
      else streams.stdout.write(human().replace(/\n?$/, "\n"));
    },
    log(options, message) {
      if (!options.quiet) streams.stderr.write(message + "\n");
    },
    warn(options, message) {
      if (!options.quiet) streams.stderr.write(`warning: ${message}\n`);
    },
    progress(options, label) {
      return progressReporter(streams.stderr, label, !!options.quiet, now);
    },
  };
}

function progressReporter(err: CliStreams["stderr"], label: string, quiet: boolean, now: () => number): ProgressReporter {
  const start = now();
  const tty = !!err.isTTY;
  let lastDraw = 0;
  let lastStep = -1;
  let drawn = false;
  const report = ((fraction: number) => {
    if (quiet || !Number.isFinite(fraction)) return;
    const f = Math.min(1, Math.max(0, fraction));
    const t = now();
    if (tty) {
      if (t - start < TTY_DELAY_MS || t - lastDraw < TTY_INTERVAL_MS) return;
      lastDraw = t;
      const width = Math.max(10, Math.min(40, (err.columns ?? 80) - label.length - 10));
      const full = Math.round(f * width);
      err.write(`\r${label} [${"#".repeat(full)}${"-".repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`);
      drawn = true;
    } else {
      const step = Math.floor(f * PLAIN_STEPS);
      if (t - start < PLAIN_DELAY_MS || step <= lastStep) return;
      lastStep = step;
      err.write(`${label}: ${(step * 100) / PLAIN_STEPS}%\n`);
      drawn = true;
    }
  }) as ProgressReporter;
  report.done = () => {
    if (quiet || !drawn) return;
    if (tty) err.write(`\r${label} [${"#".repeat(Math.max(10, Math.min(40, (err.columns ?? 80) - label.length - 10)))}] 100%\n`);
    else if (lastStep < PLAIN_STEPS) err.write(`${label}: 100%\n`);
  };
  return report;
}
