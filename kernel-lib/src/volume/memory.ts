import { ERROR_CODES, TomolyteError } from "../errors";

/**
 * The memory budget: operations estimate what they will allocate and refuse
 * up front (OUT_OF_MEMORY) rather than crash the kernel half-way.
 *
 * The core cannot ask the OS (it must run in a browser too), so the default
 * comes from a provider that io/ registers under Node (80% of available memory).
 */
let explicitBudget: number | undefined;
let defaultProvider: () => number = () => 4 * 1024 ** 3;

/** JavaScript typed arrays cannot exceed this many elements. */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/**
 * Sets the memory budget in bytes (undefined restores the default).
 *
 * @example
 * setMemoryBudget(8 * 1024 ** 3); // 8 GiB
 */
export function setMemoryBudget(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `memory budget must be a positive number of bytes, got ${bytes}`);
  }
  explicitBudget = bytes;
}

/** The memory budget in bytes now in force. @example getMemoryBudget() / 1024 ** 3 */
export function getMemoryBudget(): number {
  return explicitBudget ?? defaultProvider();
}

/** Used by the Node side to base the default budget on the machine's free memory. */
export function setDefaultMemoryProvider(provider: () => number): void {
  defaultProvider = provider;
}

/**
 * Throws OUT_OF_MEMORY if allocating `bytes` (for `what`) would exceed the
 * budget, or if `elements` exceeds what one typed array can hold.
 *
 * @example
 * checkAllocation(nz * ny * nx * 4, "gaussian output (float32)", nz * ny * nx);
 */
export function checkAllocation(bytes: number, what: string, elements?: number): void {
  const budget = getMemoryBudget();
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new TomolyteError(ERROR_CODES.OUT_OF_MEMORY, `cannot allocate ${what}: size ${bytes} bytes is not valid`);
  }
  if (elements !== undefined && elements > MAX_ELEMENTS) {
    throw new TomolyteError(
      ERROR_CODES.OUT_OF_MEMORY,
      `cannot allocate ${what}: ${elements} voxels exceed the ${MAX_ELEMENTS} a typed array can hold; crop or downsample first`,
      { elements },
    );
  }
  if (bytes > budget) {
    throw new TomolyteError(
      ERROR_CODES.OUT_OF_MEMORY,
      `cannot allocate ${what}: needs ${formatBytes(bytes)}, memory budget is ${formatBytes(budget)}; ` +
        `crop or downsample the volume, or raise the budget with setMemoryBudget()`,
      { bytes, budget },
    );
  }
}

/** Human-readable byte count. @example formatBytes(1536) // "1.5 KiB" */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
