/**
 * The library calls the analysis subcommands make, by name, so that they can
 * run in a worker thread (run-op.ts): the main thread then stays free to
 * notice Ctrl-C and to draw progress while a synchronous operation computes.
 * Each task takes plain data (volumes and option objects survive structured
 * cloning) plus `onProgress`, and returns plain data.
 */
import { anisotropicDiffusion, correctCupping, unsharpMask } from "../filters";
import { phaseMetrics } from "../metrics";
import {
  applyThresholds,
  multiOtsuThresholds,
  otsuThreshold,
  segmentClassifier,
  segmentLocal,
  segmentMrf,
  separateParticles,
} from "../segment";
import { tortuosity } from "../transport";
import { networkDiffusion, networkPermeability, networkSummary, networkToCSV, networkToJSON, networkToVTP, snow } from "../network";
import type { LabelVolume, Phase, Volume } from "../volume";
import { labelVolume } from "../volume";

type Progress = { onProgress?: (fractionDone: number) => void };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = (args: any, progress: Progress) => unknown;

/** Labels with their phase table given again (a label volume's table does not survive every path). */
function withPhases(v: Volume, phases?: readonly Phase[]): Volume {
  return phases ? labelVolume(v as LabelVolume, phases) : v;
}

/** @internal The tasks, by name. */
export const TASKS = {
  unsharpMask: (a: { volume: Volume; options: Record<string, unknown> }, p: Progress) => unsharpMask(a.volume, { ...a.options, ...p }),
  anisotropicDiffusion: (a: { volume: Volume; options: Record<string, unknown> }, p: Progress) =>
    anisotropicDiffusion(a.volume, { ...(a.options as { kappa: number }), ...p }),
  correctCupping: (a: { volume: Volume; options: Record<string, unknown> }, p: Progress) => correctCupping(a.volume, { ...a.options, ...p }),
  segmentOtsu: (a: { volume: Volume }) => {
    const t = otsuThreshold(a.volume);
    return { labels: applyThresholds(a.volume, [t]), thresholds: [t] };
  },
  segmentMultiOtsu: (a: { volume: Volume; classes: number }) => {
    const ts = multiOtsuThresholds(a.volume, { classes: a.classes });
    return { labels: applyThresholds(a.volume, ts), thresholds: ts };
  },
  segmentLocal: (a: { volume: Volume; options: { kind: "mean" | "gaussian" | "niblack" | "sauvola"; radiusVoxels: number; offset?: number } }, p: Progress) => ({
    labels: segmentLocal(a.volume, { ...a.options, ...p }),
  }),
  segmentWatershed: (a: { volume: Volume; options: { phase?: number; h_um?: number } }, p: Progress) => {
    const r = separateParticles(a.volume, { ...a.options, ...p });
    return { labels: r.labels, count: r.count };
  },
  segmentMrf: (a: { volume: Volume; options: { classes?: number; beta?: number } }, p: Progress) => {
    const r = segmentMrf(a.volume, { ...a.options, ...p });
    return {
      labels: r.labels, means: r.means, stdDevs: r.stdDevs, iterations: r.iterations, lastChanged: r.lastChanged,
      initialThresholds: r.initialThresholds,
    };
  },
  segmentClassifier: (a: { volume: Volume; scribbles: Volume }, p: Progress) => {
    const r = segmentClassifier(a.volume, a.scribbles, { probabilities: false, ...p });
    return {
      labels: r.labels,
      scribbleValues: r.model.scribbleValues,
      names: r.model.names,
      samplesPerClass: r.model.training.samplesPerClass,
      trainingAccuracy: r.model.training.trainingAccuracy,
    };
  },
  phaseMetrics: (a: { labels: Volume; phaseTable?: Phase[]; phases?: number[] }, p: Progress) =>
    phaseMetrics(withPhases(a.labels, a.phaseTable), { phases: a.phases, ...p }),
  tortuosity: (a: { labels: Volume; options: Record<string, unknown> }, p: Progress) => {
    const r = tortuosity(a.labels, { ...a.options, axis: a.options.axis as "z" | "y" | "x", ...p });
    // history is small; sliceFlux and the field are typed arrays (transferred back).
    return { ...r };
  },
  network: (
    a: { labels: Volume; options: { phase: number; sigmaVoxels?: number; rMaxVoxels?: number }; format: "json" | "csv" | "vtp"; transport?: { axis: "z" | "y" | "x" } },
    p: Progress,
  ) => {
    const r = snow(a.labels, { ...a.options, onProgress: (f) => p.onProgress?.(0.9 * f) });
    const net = r.network;
    // The files' text is made here too, so Ctrl-C also stops a long serialisation.
    const texts: Record<string, string> =
      a.format === "csv" ? networkToCSV(net) : a.format === "vtp" ? { vtp: networkToVTP(net) } : { json: networkToJSON(net) };
    let transport: Record<string, unknown> | undefined;
    if (a.transport) {
      const d = networkDiffusion(net, { axis: a.transport.axis });
      const k = networkPermeability(net, { axis: a.transport.axis });
      transport = {
        axis: d.axis, tortuosityFactor: d.tortuosityFactor, effectiveDiffusivityRatio: d.effectiveDiffusivityRatio, porosity: d.porosity,
        permeability_um2: k.permeability_um2, permeability_m2: k.permeability_m2, permeability_mD: k.permeability_mD,
        connectedFraction: d.connectedFraction, percolating: d.percolating, converged: d.converged && k.converged, model: d.model,
      };
    }
    p.onProgress?.(1);
    return { summary: networkSummary(net), steps: r.steps, parameters: r.parameters, texts, transport };
  },
} satisfies Record<string, Task>;

/** @internal */
export type TaskName = keyof typeof TASKS;
/** @internal */
export type TaskArgs<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
/** @internal */
export type TaskResult<K extends TaskName> = ReturnType<(typeof TASKS)[K]>;
