/** Small text formatters shared by the subcommands' human-readable output. */
import type { SpacingSource } from "../../io";

/** Up to 6 significant digits, no trailing zeros. @example formatNumber(72.12345678) // "72.1235" */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/** "dz × dy × dx". @example formatTriple([0.5, 0.39, 0.39]) // "0.5 × 0.39 × 0.39" */
export function formatTriple(t: readonly number[]): string {
  return t.map(formatNumber).join(" × ");
}

/** @example spacingSourceText("default") // "not in the file: default 1 µm" */
export function spacingSourceText(s: SpacingSource): string {
  return s === "file" ? "from the file" : s === "override" ? "from --spacing" : "not in the file: default 1 µm";
}

/** @example formatBytesShort(2048) // "2.0 KiB" */
export function formatBytesShort(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}
