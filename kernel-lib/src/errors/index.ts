/**
 * Errors raised by tomolyte. Every failure a user can cause (bad file, bad
 * shape, bad parameter, not enough memory) is a `TomolyteError` with a stable
 * `code`, so notebooks and the CLI can react to it without parsing messages.
 */

/** Stable error codes. Never rename one: scripts match on them. */
export const ERROR_CODES = {
  /** An option or argument is out of range, NaN, or of the wrong kind. */
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  /** Shape, spacing or data length do not agree. */
  SHAPE_MISMATCH: "SHAPE_MISMATCH",
  /** The dtype is not supported by this operation or format. */
  UNSUPPORTED_DTYPE: "UNSUPPORTED_DTYPE",
  /** The file format (or a feature of it, e.g. a compression) is not supported. */
  UNSUPPORTED_FORMAT: "UNSUPPORTED_FORMAT",
  /** The file is truncated or its header contradicts its content. */
  CORRUPT_FILE: "CORRUPT_FILE",
  /** The path does not exist or cannot be read. */
  FILE_NOT_FOUND: "FILE_NOT_FOUND",
  /** A write would overwrite an input or an existing file. */
  WOULD_OVERWRITE: "WOULD_OVERWRITE",
  /** Writing failed (disk full, permissions); no partial file is left. */
  WRITE_FAILED: "WRITE_FAILED",
  /** The operation would need more memory than the budget allows. */
  OUT_OF_MEMORY: "OUT_OF_MEMORY",
  /** The caller aborted the operation through its AbortSignal. */
  CANCELLED: "CANCELLED",
  /** An iterative method did not converge within its limits. */
  NOT_CONVERGED: "NOT_CONVERGED",
  /** A required external program (Python, Chromium, Jupyter) is missing. */
  MISSING_DEPENDENCY: "MISSING_DEPENDENCY",
  /** Anything else: a bug in tomolyte. Please report it. */
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * The one error type tomolyte throws on purpose.
 *
 * @example
 * try { await read("scan.tif"); }
 * catch (e) { if (isTomolyteError(e) && e.code === "CORRUPT_FILE") console.log(e.message); }
 */
export class TomolyteError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for programs (the path, the expected and actual sizes, ...). */
  declare readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TomolyteError";
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  override toString(): string {
    return `error[${this.code}]: ${this.message}`;
  }
}

/**
 * True when `e` is a TomolyteError (also across module copies, by shape).
 *
 * @example
 * if (isTomolyteError(e)) console.error(e.code);
 */
export function isTomolyteError(e: unknown): e is TomolyteError {
  return (
    e instanceof TomolyteError ||
    (typeof e === "object" && e !== null && (e as { name?: unknown }).name === "TomolyteError" &&
      typeof (e as { code?: unknown }).code === "string")
  );
}

/**
 * Throws INVALID_ARGUMENT unless `value` is a finite number within [min, max].
 *
 * @example
 * checkNumber("sigmaVoxels", opts.sigmaVoxels, { min: 0, exclusiveMin: true });
 */
export function checkNumber(
  name: string,
  value: unknown,
  range: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {},
): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${name} must be a finite number, got ${String(value)}`);
  }
  if (range.integer && !Number.isInteger(value)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${name} must be an integer, got ${value}`);
  }
  if (range.min !== undefined && (range.exclusiveMin ? value <= range.min : value < range.min)) {
    throw new TomolyteError(
      ERROR_CODES.INVALID_ARGUMENT,
      `${name} must be ${range.exclusiveMin ? ">" : ">="} ${range.min}, got ${value}`,
    );
  }
  if (range.max !== undefined && value > range.max) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${name} must be <= ${range.max}, got ${value}`);
  }
  return value;
}

/**
 * Throws CANCELLED when the signal has been aborted. Long loops call it
 * between slabs so a notebook's interrupt stops the work promptly.
 *
 * @example
 * for (let z = 0; z < nz; z++) { throwIfAborted(opts.signal); ... }
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TomolyteError(ERROR_CODES.CANCELLED, "operation cancelled");
  }
}
