/**
 * `tomolyte metrics <labels>`: volume fraction, specific surface area (marching
 * cubes and face counting), connectivity along z of every phase, interfacial
 * areas and the triple-phase boundary, with DESIGN.md's definitions (the
 * library's phaseMetrics). Runs in a worker thread (Ctrl-C cancels at once).
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { ERROR_CODES, TomolyteError } from "../../errors";
import type { PhaseMetricsResult } from "../../metrics";
import { PHASE_COLORS, type Phase, distinctValues, isLabelVolume, volumeDType } from "../../volume";
import type { CliContext, CommonOptions } from "../context";
import { withCommonOptions } from "../options";
import type { CliCommand } from "../program";
import { runOp, transferable } from "../run-op";
import { numberListParser, readVolume, secondsSince } from "./common";
import { formatNumber, formatTriple } from "./format";

interface MetricsOptions extends CommonOptions {
  phases?: number[];
  names?: Map<number, string>;
}

/** Parses `--names 0=pore,85=NMC,170=CBD`. @example parseNames("0=pore") // Map {0 => "pore"} */
export function parseNames(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const part of text.split(",")) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError(`expected value=name pairs separated by commas (e.g. 0=pore,85=NMC,170=CBD), got "${text}"`);
    out.set(Number(m[1]), m[2]);
  }
  return out;
}

/**
 * The metrics subcommand. JSON result: `{ input, shape, spacing_um, spacingSource,
 * porosity, phases: [{ value, name, volumeFraction, specificSurfaceArea_per_um,
 * specificSurfaceAreaFaceCount_per_um, connectedFraction, deadEndFraction,
 * isolatedFraction }], interfaces, triplePhaseBoundary?, seconds, warnings }`.
 *
 * @example
 * // tomolyte metrics labels.tif --spacing 0.390625 --json
 * await runCli(["metrics", "labels.tif", "--json"], [metricsCommand]);
 */
export const metricsCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    withCommonOptions(
      program
        .command("metrics")
        .description("per-phase volume fraction, specific surface area (µm²/µm³) and connectivity along z of a label volume")
        .argument("<labels>", "label volume (integer values, one per phase)")
        .addOption(new Option("--phases <v1,v2,...>", "only these phase values (default: every distinct value)").argParser(numberListParser))
        .addOption(new Option("--names <v=name,...>", "phase names, e.g. 0=pore,85=NMC,170=CBD (default: \"phase V\")").argParser(parseNames)),
    ).action(async (file: string, options: MetricsOptions) => {
      const warnings: string[] = [];
      const r = await readVolume(ctx, options, file, warnings);
      const labels = r.volume;
      const present = distinctValues(labels);
      for (const v of options.phases ?? []) {
        if (!present.includes(v)) {
          throw new TomolyteError(
            ERROR_CODES.INVALID_ARGUMENT,
            `phase ${v} is not in ${file}: its values are ${present.slice(0, 20).join(", ")}${present.length > 20 ? ", ..." : ""}`,
            { phase: v, present: present.slice(0, 20) },
          );
        }
      }
      let phaseTable: Phase[] | undefined;
      if (options.names) {
        const dt = volumeDType(labels);
        if (dt !== "uint8" && dt !== "uint16" && dt !== "uint32") {
          throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `--names needs unsigned integer labels, got ${dt}; convert with tomolyte convert --dtype uint8`);
        }
        const old = isLabelVolume(labels) ? labels.phases : [];
        phaseTable = present.map((value, i) => ({
          value,
          name: options.names!.get(value) ?? old.find((p) => p.value === value)?.name ?? `phase ${value}`,
          color: PHASE_COLORS[i % PHASE_COLORS.length],
        }));
        for (const v of options.names.keys()) if (!present.includes(v)) ctx.warn(options, `--names: phase ${v} is not in the volume`);
      }
      const t0 = Date.now();
      const progress = ctx.progress(options, "metrics");
      const m: PhaseMetricsResult = await runOp(
        "phaseMetrics",
        { labels, phaseTable, phases: options.phases },
        { signal: ctx.signal, onProgress: progress, transfer: transferable(labels.data) },
      );
      progress.done();
      const seconds = secondsSince(t0);
      const json = {
        input: r.path,
        shape: [...m.shape],
        spacing_um: [...m.spacing_um],
        spacingSource: r.spacingSource,
        porosity: m.porosity,
        phases: m.phases,
        interfaces: m.interfaces,
        ...(m.triplePhaseBoundary ? { triplePhaseBoundary: m.triplePhaseBoundary } : {}),
        seconds,
        warnings,
      };
      ctx.result(options, json, () => {
        const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
        const rows = [["phase", "value", "fraction", "SSA µm⁻¹ (MC)", "SSA µm⁻¹ (faces)", "connected z"]];
        for (const p of m.phases) {
          rows.push([p.name, String(p.value), pct(p.volumeFraction), formatNumber(p.specificSurfaceArea_per_um), formatNumber(p.specificSurfaceAreaFaceCount_per_um), pct(p.connectedFraction)]);
        }
        const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
        const lines = [
          `${r.path}`,
          `  shape ${m.shape.join(" × ")}, spacing ${formatTriple(m.spacing_um)} µm`,
          "",
          ...rows.map((row) => "  " + row.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join("  ")),
        ];
        if (m.triplePhaseBoundary) lines.push("", `  triple-phase boundary density ${formatNumber(m.triplePhaseBoundary.density_per_um2)} µm⁻²`);
        return lines.join("\n");
      });
    });
  },
};
