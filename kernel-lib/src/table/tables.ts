/**
 * arquero tables from results. arquero is an ES module; Node 20.19+ loads it
 * with require() (require(esm)), which is what the CommonJS build and the tslab
 * kernel do. It is loaded on first use, so `import "tomolyte"` stays fast for
 * code that never builds a table.
 */
import type { ColumnTable } from "arquero";
import { ERROR_CODES, TomolyteError } from "../errors";
import type { Histogram } from "../volume";

export type { ColumnTable };

type Arquero = typeof import("arquero");
let aq: Arquero | undefined;

/** The arquero module (loaded once). @example arquero().table({ a: [1, 2] }) */
export function arquero(): Arquero {
  if (aq) return aq;
  try {
    aq = require("arquero") as Arquero;
  } catch (e) {
    throw new TomolyteError(
      ERROR_CODES.MISSING_DEPENDENCY,
      `could not load arquero (an ES module, loaded with require(esm), which needs Node >= 20.19): ${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
  return aq;
}

export interface HistogramTableOptions {
  /** Drop the bins that count nothing (default false). */
  skipEmpty?: boolean;
}

/**
 * A histogram as a table: one row per bin with `bin_lo`, `bin_hi`, `count` and
 * `fraction` (count / all counted voxels).
 *
 * @example
 * const t = histogramTable(histogram(ct, { bins: 64 }));
 * show(histogramTable(histogram(labels), { skipEmpty: true }));
 */
export function histogramTable(h: Histogram, options: HistogramTableOptions = {}): ColumnTable {
  if (!h || !(h.counts instanceof Float64Array || Array.isArray(h.counts)) || !h.edges || h.edges.length !== h.counts.length + 1) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "histogramTable needs a histogram { counts, edges } with edges.length = counts.length + 1");
  }
  let total = 0;
  for (let i = 0; i < h.counts.length; i++) total += h.counts[i];
  const lo: number[] = [];
  const hi: number[] = [];
  const count: number[] = [];
  const fraction: number[] = [];
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i];
    if (options.skipEmpty && c === 0) continue;
    lo.push(h.edges[i]);
    hi.push(h.edges[i + 1]);
    count.push(c);
    fraction.push(total > 0 ? c / total : 0);
  }
  return arquero().table({ bin_lo: lo, bin_hi: hi, count, fraction });
}

type Row = Record<string, unknown>;

/**
 * A table from results: an array of row objects (e.g. per-phase metrics), an
 * object of equal-length columns (arrays or typed arrays), or one result
 * object (one row; nested arrays of row objects such as `{ phases: [...] }`
 * are taken as the rows).
 *
 * @example
 * toTable([{ phase: "pore", volumeFraction: 0.45 }, { phase: "NMC", volumeFraction: 0.40 }]);
 * toTable({ radius_um: [1, 2, 3], count: [10, 4, 1] });
 * toTable(metricsResult); // { phases: [...] } -> one row per phase
 */
export function toTable(results: unknown): ColumnTable {
  const a = arquero();
  if (Array.isArray(results)) {
    if (!results.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "toTable: an array must hold row objects");
    }
    return a.from(results as Row[]);
  }
  if (typeof results !== "object" || results === null) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `toTable needs rows, columns or a result object, got ${String(results)}`);
  }
  const entries = Object.entries(results as Row);
  const isColumn = (v: unknown) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  // { phases: [{...}, ...] }: the one array of row objects is the table.
  const rowArrays = entries.filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === "object" && r !== null && !Array.isArray(r)));
  if (rowArrays.length === 1 && entries.every(([, v]) => !isColumn(v) || rowArrays[0][1] === v)) {
    return a.from(rowArrays[0][1] as Row[]);
  }
  if (entries.length > 0 && entries.every(([, v]) => isColumn(v))) {
    const lengths = new Set(entries.map(([, v]) => (v as ArrayLike<unknown>).length));
    if (lengths.size !== 1) {
      throw new TomolyteError(ERROR_CODES.SHAPE_MISMATCH, `toTable: columns have different lengths ${[...lengths].join(", ")}`);
    }
    return a.table(Object.fromEntries(entries.map(([k, v]) => [k, Array.from(v as ArrayLike<unknown>)])));
  }
  // One result object: one row; nested objects and arrays are kept as JSON-able values.
  return a.from([results as Row]);
}
